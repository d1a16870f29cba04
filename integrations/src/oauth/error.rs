/// Why an OAuth call failed.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The provider is not configured (no client id) or an endpoint is not a URL.
    #[error("oauth configuration: {0}")]
    Config(String),
    /// The code or refresh token was revoked, expired or already used: the
    /// user must sign in again.
    #[error("the provider rejected the grant (invalid_grant): {0}")]
    InvalidGrant(String),
    /// The provider answered with another OAuth error.
    #[error("the provider refused: {0}")]
    Refused(String),
    /// The provider could not be reached or answered something unreadable.
    #[error("oauth request failed: {0}")]
    Transport(String),
}
