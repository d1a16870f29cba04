use std::time::Duration;

/// Why a Graph call failed, in the terms sync acts on.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// `410 Gone`: the delta token is no longer known; start a new round.
    #[error("delta token expired (410): full sync required")]
    DeltaExpired,
    /// `401`: the access token was not accepted.
    #[error("access token rejected (401)")]
    Unauthorized,
    /// `429` or `503`: try again after `retry_after` if given.
    #[error("throttled ({status}), retry after {retry_after:?}")]
    Throttled {
        /// The HTTP status.
        status: u16,
        /// The provider's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// `404`.
    #[error("not found (404)")]
    NotFound,
    /// Another error answer.
    #[error("graph error {status}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// Graph's error code and message.
        message: String,
    },
    /// The server could not be reached or answered something unreadable.
    #[error("graph request failed: {0}")]
    Transport(String),
}
