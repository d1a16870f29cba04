//! Faults a test can make the stub answer with.

/// An error answer for the next request of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with `Retry-After: secs`.
    TooManyRequests {
        /// Seconds the client must wait.
        retry_after_secs: u64,
    },
    /// `503 Service Unavailable` with `Retry-After: secs`.
    Unavailable {
        /// Seconds the client must wait.
        retry_after_secs: u64,
    },
    /// The request hangs this long before it is answered normally.
    Stall {
        /// How long, in milliseconds.
        millis: u64,
    },
}
