//! How a bot is started and watched: a child process or a Kubernetes Job.

use mymeet_core::db::entities::bots;
use mymeet_core::db::repo::RepoError;
use uuid::Uuid;

/// Whether a bot's process is alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// It runs (or is starting).
    Running,
    /// It is gone: exited, killed, or never started.
    Gone,
    /// Cannot tell now (the cluster did not answer): leave it alone.
    Unknown,
}

/// What launching can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The database failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// The bot program could not be spawned.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The Kubernetes API refused or failed.
    #[error("kubernetes: {0}")]
    Kube(#[from] kube::Error),
    /// The Job manifest is not valid.
    #[error("invalid job manifest: {0}")]
    InvalidJob(String),
}

/// Starts bots and tells whether they still run.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// Starts the bot (its `attempt`-th launch, 1 for the first).
    async fn start(&self, bot_id: Uuid, attempt: u32) -> Result<(), LaunchError>;

    /// Whether the bot's process runs.
    async fn status(&self, bot: &bots::Model) -> Result<RunStatus, LaunchError>;
}
