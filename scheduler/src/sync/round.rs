//! Rounds over every due connection with bounded parallelism, and the
//! polling loop that runs them.

use super::engine::CalendarSync;
use super::{RoundReport, SyncError, SyncOutcome};
use futures::stream::{self, StreamExt};
use mymeet_core::db::repo::calendar_sync;
use std::time::{Duration, Instant};

impl CalendarSync {
    /// Syncs every active connection that is due (not waiting out a
    /// `Retry-After`), `calendars.sync.parallelism` at a time; each has its
    /// own time budget, so a slow or broken one never holds up the rest.
    pub async fn run_round(&self) -> Result<RoundReport, SyncError> {
        let started = Instant::now();
        let due = calendar_sync::list_due(&self.db, chrono::Utc::now()).await?;
        let parallelism = self.config.sync.parallelism.max(1);
        let outcomes: Vec<_> = stream::iter(due)
            .map(|conn| async move {
                let outcome = match self.sync_connection(conn.id).await {
                    Ok(o) => o,
                    Err(e) => SyncOutcome::Failed(e.to_string()),
                };
                (conn.id, outcome)
            })
            .buffer_unordered(parallelism)
            .collect()
            .await;
        metrics::histogram!("calendar_sync_round_seconds").record(started.elapsed().as_secs_f64());
        metrics::gauge!("calendar_sync_round_connections").set(outcomes.len() as f64);
        Ok(RoundReport { outcomes })
    }

    /// Runs a round every `calendars.sync.poll_interval_secs` until `shutdown` completes.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let interval = Duration::from_secs(self.config.sync.poll_interval_secs.max(1));
        loop {
            match self.run_round().await {
                Ok(r) => tracing::info!(
                    connections = r.outcomes.len(),
                    synced = r.count("synced"),
                    "calendar sync round"
                ),
                Err(e) => tracing::warn!(error = %e, "calendar sync round failed"),
            }
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(interval) => {}
            }
        }
    }
}
