use uuid::Uuid;

/// How syncing one connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Synced; `changed` events were written.
    Synced {
        /// Events inserted, updated or cancelled.
        changed: usize,
    },
    /// The grant is gone; the connection is now `needs_reauth` and skipped.
    NeedsReauth,
    /// The provider kept throttling; the next attempt waits as it asked.
    Throttled,
    /// It took longer than `calendars.sync.connection_timeout_secs`.
    TimedOut,
    /// Another error, kept in `calendar_sync_status.last_error`.
    Failed(String),
}

impl SyncOutcome {
    /// A short label for metrics.
    pub fn label(&self) -> &'static str {
        match self {
            SyncOutcome::Synced { .. } => "synced",
            SyncOutcome::NeedsReauth => "needs_reauth",
            SyncOutcome::Throttled => "throttled",
            SyncOutcome::TimedOut => "timed_out",
            SyncOutcome::Failed(_) => "failed",
        }
    }
}

/// What one round over all due connections did.
#[derive(Debug, Clone, Default)]
pub struct RoundReport {
    /// Each connection visited and its outcome.
    pub outcomes: Vec<(Uuid, SyncOutcome)>,
}

impl RoundReport {
    /// How many ended with `label`.
    pub fn count(&self, label: &str) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, o)| o.label() == label)
            .count()
    }
}
