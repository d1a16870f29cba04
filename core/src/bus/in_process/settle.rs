//! Settling a journal delivery: ack, retry, dead-letter, and the lease
//! renewal that runs while the delivery is held.

use super::journal::{message, now_ms};
use crate::bus::{BusError, FailOutcome, QueueSpec, RetryPolicy, Settle};
use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The lease on one journal row, held by one delivery.
pub(super) struct JournalSettle {
    db: DatabaseConnection,
    id: Uuid,
    token: Uuid,
    queue: QueueSpec,
    retry: RetryPolicy,
    woken: Arc<Notify>,
    renewal: JoinHandle<()>,
    settled: bool,
}

impl JournalSettle {
    /// Takes over a freshly claimed lease and starts renewing it until the
    /// delivery is settled or dropped, or the bus (`alive`) goes away.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        db: DatabaseConnection,
        id: Uuid,
        token: Uuid,
        queue: QueueSpec,
        retry: RetryPolicy,
        lease: Duration,
        woken: Arc<Notify>,
        mut alive: watch::Receiver<()>,
    ) -> Self {
        let renew_db = db.clone();
        let renewal = tokio::spawn(async move {
            let every = lease / 3;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    // The bus is gone: stop renewing, exactly as a crash would.
                    _ = alive.changed() => return,
                }
                let until = now_ms() + lease.as_millis() as i64;
                let renewed = message::Entity::update_many()
                    .col_expr(message::Column::LeaseUntilMs, Expr::value(until))
                    .filter(message::Column::Id.eq(id))
                    .filter(message::Column::LeaseToken.eq(token))
                    .exec(&renew_db)
                    .await;
                match renewed {
                    Ok(r) if r.rows_affected == 1 => {}
                    Ok(_) => return, // settled or lost
                    Err(e) => tracing::warn!(%id, error = %e, "could not renew a bus lease"),
                }
            }
        });
        JournalSettle {
            db,
            id,
            token,
            queue,
            retry,
            woken,
            renewal,
            settled: false,
        }
    }

    /// Gives up the lease, recording `reason`, with `changes` on top, if we
    /// still hold the lease.
    async fn release_with(
        &mut self,
        changes: sea_orm::UpdateMany<message::Entity>,
        reason: &str,
    ) -> Result<(), BusError> {
        self.renewal.abort();
        self.settled = true;
        let res = changes
            .col_expr(
                message::Column::LeaseUntilMs,
                Expr::value(Option::<i64>::None),
            )
            .col_expr(
                message::Column::LeaseToken,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(message::Column::LastError, Expr::value(reason))
            .filter(message::Column::Id.eq(self.id))
            .filter(message::Column::LeaseToken.eq(self.token))
            .exec(&self.db)
            .await?;
        if res.rows_affected != 1 {
            return Err(BusError::LeaseLost);
        }
        self.woken.notify_waiters();
        Ok(())
    }

    /// Puts the message back for another delivery after `after`.
    async fn requeue(&mut self, after: Duration, reason: &str) -> Result<(), BusError> {
        let available = now_ms() + after.as_millis() as i64;
        let changes = message::Entity::update_many()
            .col_expr(message::Column::AvailableAtMs, Expr::value(available));
        self.release_with(changes, reason).await
    }

    /// Moves the message to the queue's dead-letter queue.
    pub(super) async fn dead_letter(mut self, reason: &str) -> Result<(), BusError> {
        let changes = message::Entity::update_many()
            .col_expr(
                message::Column::Queue,
                Expr::value(self.queue.dead_letters().name),
            )
            .col_expr(message::Column::Attempt, Expr::value(0))
            .col_expr(message::Column::AvailableAtMs, Expr::value(now_ms()));
        self.release_with(changes, reason).await
    }
}

#[async_trait]
impl Settle for JournalSettle {
    async fn ack(mut self: Box<Self>) -> Result<(), BusError> {
        self.renewal.abort();
        self.settled = true;
        let res = message::Entity::delete_many()
            .filter(message::Column::Id.eq(self.id))
            .filter(message::Column::LeaseToken.eq(self.token))
            .exec(&self.db)
            .await?;
        if res.rows_affected != 1 {
            return Err(BusError::LeaseLost);
        }
        Ok(())
    }

    async fn fail(
        mut self: Box<Self>,
        attempt: u32,
        reason: &str,
    ) -> Result<FailOutcome, BusError> {
        // Dead letters are never dead-lettered again; they wait and come back.
        if self.queue.is_dead_letter_queue() || self.retry.should_retry(attempt) {
            let after = self.retry.backoff(attempt);
            self.requeue(after, reason).await?;
            Ok(FailOutcome::Retrying {
                next_attempt: attempt + 1,
                after,
            })
        } else {
            (*self).dead_letter(reason).await?;
            Ok(FailOutcome::DeadLettered)
        }
    }

    async fn reject(self: Box<Self>, reason: &str) -> Result<(), BusError> {
        (*self).dead_letter(reason).await
    }
}

impl Drop for JournalSettle {
    fn drop(&mut self) {
        self.renewal.abort();
        if self.settled {
            return;
        }
        // Dropped unsettled (the consumer gave up or its task was cancelled):
        // let the lease lapse now instead of at its end. The token stays, so
        // the next claim counts this as an abandoned attempt.
        let (db, id, token, woken) = (self.db.clone(), self.id, self.token, self.woken.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let res = message::Entity::update_many()
                    .col_expr(message::Column::LeaseUntilMs, Expr::value(0i64))
                    .filter(message::Column::Id.eq(id))
                    .filter(message::Column::LeaseToken.eq(token))
                    .exec(&db)
                    .await;
                if let Err(e) = res {
                    tracing::warn!(%id, error = %e, "could not release a bus lease; it will lapse");
                }
                woken.notify_waiters();
            });
        }
    }
}
