//! What can go wrong while analysing a meeting.

use std::path::PathBuf;

/// An analysis that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The engine's model could not be found or loaded.
    #[error("analysis model {path}: {detail}")]
    Model {
        /// The model file or name.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The configuration names something unusable.
    #[error("analysis configuration: {0}")]
    Config(String),
    /// An HTTP endpoint could not be reached or answered with an error.
    #[error("analysis endpoint: {0}")]
    Http(String),
    /// A model ran but its answer does not fit the report schema.
    #[error("invalid analysis answer: {0}")]
    InvalidAnswer(String),
    /// Running a model failed.
    #[error("inference: {0}")]
    Inference(String),
}
