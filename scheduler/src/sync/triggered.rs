//! Syncs on demand: `calendar.changed` messages (a push notification the API
//! checked, or a calendar just connected) sync their connection at once,
//! between polling rounds.

use super::engine::CalendarSync;
use super::SyncOutcome;
use async_trait::async_trait;
use mymeet_core::bus::messages::CalendarChangedV1;
use mymeet_core::bus::{Envelope, Event, Handler, HandlerError, QueueSpec};
use mymeet_core::db::entities::calendar_connections::ConnectionStatus;
use mymeet_core::db::repo::{calendar, RepoError};
use tokio::sync::mpsc;
use uuid::Uuid;

/// The queue the scheduler reads `calendar.changed` from.
pub fn calendar_changed_queue() -> QueueSpec {
    QueueSpec::stage(CalendarChangedV1::TOPIC)
}

/// The bus handler: one sync per message. Idempotent, as a sync of an
/// unchanged calendar writes nothing.
#[derive(Debug, Clone)]
pub struct SyncOnChange {
    sync: CalendarSync,
    synced: Option<mpsc::UnboundedSender<(Uuid, SyncOutcome)>>,
}

impl SyncOnChange {
    /// A handler syncing with `sync`.
    pub fn new(sync: CalendarSync) -> Self {
        SyncOnChange { sync, synced: None }
    }

    /// Also reports every finished sync on `tx` (the scheduler plans after it).
    pub fn reporting_to(mut self, tx: mpsc::UnboundedSender<(Uuid, SyncOutcome)>) -> Self {
        self.synced = Some(tx);
        self
    }
}

#[async_trait]
impl Handler for SyncOnChange {
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let msg: CalendarChangedV1 = envelope
            .decode()
            .map_err(|e| HandlerError::Reject(e.to_string()))?;
        match calendar::get_connection(self.sync.db(), msg.connection_id).await {
            Ok(conn) if conn.status != ConnectionStatus::Active => {
                // A refused grant stays refused until the user reconnects
                // (which asks for a sync again): no retry loop against the provider.
                tracing::debug!(connection = %conn.id, status = ?conn.status, "not syncing an inactive connection");
                return Ok(());
            }
            Ok(_) => {}
            // Disconnected meanwhile: nothing left to sync.
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(HandlerError::Retry(e.to_string())),
        }
        match self.sync.sync_connection(msg.connection_id).await {
            Ok(outcome) => {
                tracing::info!(connection = %msg.connection_id, outcome = outcome.label(), "synced on change");
                if let Some(tx) = &self.synced {
                    // The receiver is gone only while shutting down.
                    let _ = tx.send((msg.connection_id, outcome));
                }
                Ok(())
            }
            // Disconnected meanwhile: nothing left to sync.
            Err(super::SyncError::Repo(RepoError::NotFound { .. })) => Ok(()),
            Err(e) => Err(HandlerError::Retry(e.to_string())),
        }
    }
}
