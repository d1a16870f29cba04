use std::time::Duration;

/// Why a Calendar v3 call failed, in the terms sync acts on.
#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    /// `410 Gone`: the sync token is no longer valid; a full sync is needed.
    #[error("sync token expired (410): full sync required")]
    SyncTokenExpired,
    /// `401`: the access token was not accepted.
    #[error("access token rejected (401)")]
    Unauthorized,
    /// `429`, `503` or a rate-limit `403`: try again after `retry_after` if given.
    #[error("throttled ({status}), retry after {retry_after:?}")]
    Throttled {
        /// The HTTP status.
        status: u16,
        /// The provider's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// `404`: the calendar or channel does not exist (any more).
    #[error("not found (404)")]
    NotFound,
    /// Another error answer.
    #[error("calendar API error {status}: {message}")]
    Api {
        /// The HTTP status (0 when unknown).
        status: u16,
        /// The provider's message.
        message: String,
    },
    /// The server could not be reached or answered something unreadable.
    #[error("calendar API request failed: {0}")]
    Transport(String),
}
