//! How a stage's errors become bus outcomes: retry what may work later,
//! dead-letter what never will, with a message a person can act on.

use mymeet_core::blob::BlobError;
use mymeet_core::bus::{BusError, DecodeError, HandlerError};
use mymeet_core::db::repo::RepoError;

/// Turns a stage's error into a retry or a rejection.
pub trait StageFailure {
    /// The bus outcome for this error.
    fn into_handler_error(self) -> HandlerError;
}

impl StageFailure for RepoError {
    fn into_handler_error(self) -> HandlerError {
        match self {
            // The message names a row that does not exist: it never will.
            RepoError::NotFound { .. } | RepoError::Corrupt { .. } => {
                HandlerError::Reject(self.to_string())
            }
            other => HandlerError::Retry(other.to_string()),
        }
    }
}

impl StageFailure for BlobError {
    fn into_handler_error(self) -> HandlerError {
        match self {
            BlobError::NotFound(_) => HandlerError::Reject(self.to_string()),
            other => HandlerError::Retry(other.to_string()),
        }
    }
}

impl StageFailure for BusError {
    fn into_handler_error(self) -> HandlerError {
        HandlerError::Retry(format!("could not publish: {self}"))
    }
}

impl StageFailure for DecodeError {
    fn into_handler_error(self) -> HandlerError {
        HandlerError::Reject(self.to_string())
    }
}
