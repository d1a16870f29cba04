use mymeet_core::db::repo::RepoError;
use mymeet_integrations::google::GoogleError;
use mymeet_integrations::microsoft::GraphError;
use mymeet_integrations::oauth::OAuthError;
use std::time::Duration;

/// Why syncing a connection failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The refresh token was rejected: the user must connect again.
    #[error("the grant was revoked or expired; the user must reconnect")]
    NeedsReauth,
    /// The provider asked to wait.
    #[error("throttled by the provider (retry after {0:?})")]
    Throttled(Option<Duration>),
    /// The database failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// OAuth failed for another reason.
    #[error(transparent)]
    OAuth(OAuthError),
    /// Google failed.
    #[error(transparent)]
    Google(GoogleError),
    /// Graph failed.
    #[error(transparent)]
    Graph(GraphError),
    /// The sync is not configured (no client id for the provider).
    #[error("not configured: {0}")]
    Config(String),
}

impl From<OAuthError> for SyncError {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::InvalidGrant(_) => SyncError::NeedsReauth,
            other => SyncError::OAuth(other),
        }
    }
}

impl From<GoogleError> for SyncError {
    fn from(e: GoogleError) -> Self {
        match e {
            GoogleError::Throttled { retry_after, .. } => SyncError::Throttled(retry_after),
            other => SyncError::Google(other),
        }
    }
}

impl From<GraphError> for SyncError {
    fn from(e: GraphError) -> Self {
        match e {
            GraphError::Throttled { retry_after, .. } => SyncError::Throttled(retry_after),
            other => SyncError::Graph(other),
        }
    }
}

impl SyncError {
    /// True when the access token was refused (refresh and try once more).
    pub(crate) fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            SyncError::Google(GoogleError::Unauthorized)
                | SyncError::Graph(GraphError::Unauthorized)
        )
    }
}
