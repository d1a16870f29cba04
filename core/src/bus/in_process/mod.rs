//! The in-process bus: the embedded default, kept in the database.
//!
//! A published message becomes one row per bound queue in `bus_messages`, in
//! the same database as everything else, so a restart loses nothing. A
//! consumer claims a row by taking a lease (`lease_until_ms`, `lease_token`)
//! with a conditional update that only one claimer can win; the lease is
//! renewed while the delivery is held and lapses when its consumer dies, and
//! then the message is delivered again. Ack deletes the row; a failure puts it
//! back with a later `available_at_ms`; dead-lettering moves it to
//! `<queue>.dead`.
//!
//! Unlike RabbitMQ, every delivery counts as an attempt, including those
//! whose consumer died: a message that crashes its worker every time ends in
//! the dead-letter queue instead of crashing workers forever.

mod journal;
mod settle;

use super::{Bus, BusError, Delivery, Envelope, QueueSpec, RetryPolicy, Subscription};
use async_trait::async_trait;
use journal::{binding, message, now_ms};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use settle::JournalSettle;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use uuid::Uuid;

/// How often an idle consumer looks for work published by other processes.
const IDLE_POLL: Duration = Duration::from_millis(250);

/// The in-process bus. Cheap to clone; clones share wake-ups.
#[derive(Clone)]
pub struct InProcessBus {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    retry: RetryPolicy,
    lease: Duration,
    /// Wakes local consumers when something is published or released.
    published: Arc<Notify>,
    /// Dropped with the bus: lease renewals stop, as they would in a crash.
    alive: watch::Sender<()>,
}

impl InProcessBus {
    /// A bus on `db` (migrated). `lease` is how long a delivery stays hidden
    /// from other consumers without renewal.
    pub fn new(db: DatabaseConnection, retry: RetryPolicy, lease: Duration) -> Self {
        let (alive, _) = watch::channel(());
        InProcessBus {
            inner: Arc::new(Inner {
                db,
                retry,
                lease,
                published: Arc::new(Notify::new()),
                alive,
            }),
        }
    }

    /// Counts the messages waiting or leased in `queue` (for status pages and tests).
    pub async fn depth(&self, queue: &str) -> Result<u64, BusError> {
        use sea_orm::PaginatorTrait;
        Ok(message::Entity::find()
            .filter(message::Column::Queue.eq(queue))
            .count(&self.inner.db)
            .await?)
    }
}

#[async_trait]
impl Bus for InProcessBus {
    async fn declare(&self, queue: &QueueSpec) -> Result<(), BusError> {
        let Some(pattern) = &queue.binding else {
            return Ok(());
        };
        binding::Entity::insert(binding::ActiveModel {
            queue: Set(queue.name.clone()),
            pattern: Set(pattern.clone()),
        })
        .on_conflict(
            OnConflict::column(binding::Column::Queue)
                .update_column(binding::Column::Pattern)
                .to_owned(),
        )
        .exec(&self.inner.db)
        .await?;
        Ok(())
    }

    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        let bindings = binding::Entity::find().all(&self.inner.db).await?;
        let now = now_ms();
        let body = String::from_utf8(envelope.to_bytes())
            .map_err(|e| BusError::Malformed(e.to_string()))?;
        let rows: Vec<message::ActiveModel> = bindings
            .iter()
            .filter(|b| super::queue::topic_matches(&b.pattern, &envelope.topic))
            .map(|b| message::ActiveModel {
                id: Set(Uuid::now_v7()),
                queue: Set(b.queue.clone()),
                topic: Set(envelope.topic.clone()),
                envelope: Set(body.clone()),
                attempt: Set(0),
                available_at_ms: Set(now),
                lease_until_ms: Set(None),
                lease_token: Set(None),
                last_error: Set(None),
                created_at_ms: Set(now),
            })
            .collect();
        if rows.is_empty() {
            tracing::debug!(topic = %envelope.topic, "published to no queue");
            return Ok(());
        }
        // One statement: every bound queue gets the message, or none does.
        message::Entity::insert_many(rows)
            .exec(&self.inner.db)
            .await?;
        self.inner.published.notify_waiters();
        Ok(())
    }

    async fn subscribe(&self, queue: &QueueSpec) -> Result<Box<dyn Subscription>, BusError> {
        self.declare(queue).await?;
        Ok(Box::new(JournalSubscription {
            bus: self.clone(),
            queue: queue.clone(),
        }))
    }

    async fn remove(&self, queue: &QueueSpec) -> Result<(), BusError> {
        let dead = queue.dead_letters().name;
        binding::Entity::delete_many()
            .filter(binding::Column::Queue.eq(&queue.name))
            .exec(&self.inner.db)
            .await?;
        message::Entity::delete_many()
            .filter(message::Column::Queue.is_in([queue.name.as_str(), dead.as_str()]))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }
}

struct JournalSubscription {
    bus: InProcessBus,
    queue: QueueSpec,
}

#[async_trait]
impl Subscription for JournalSubscription {
    async fn next(&mut self) -> Result<Delivery, BusError> {
        loop {
            // Register for wake-ups before looking, so a publish between the
            // look and the wait is not missed.
            let woken = self.bus.inner.published.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if let Some(delivery) = self.try_claim().await? {
                return Ok(delivery);
            }
            let wait = self.time_to_next_candidate().await?.min(IDLE_POLL);
            tokio::select! {
                _ = woken => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

impl JournalSubscription {
    /// Claims the oldest available message, if any.
    async fn try_claim(&self) -> Result<Option<Delivery>, BusError> {
        let inner = &self.bus.inner;
        loop {
            let now = now_ms();
            let candidate = message::Entity::find()
                .filter(message::Column::Queue.eq(&self.queue.name))
                .filter(message::Column::AvailableAtMs.lte(now))
                .filter(free_at(now))
                .order_by_asc(message::Column::AvailableAtMs)
                .order_by_asc(message::Column::Id)
                .limit(1)
                .one(&inner.db)
                .await?;
            let Some(row) = candidate else {
                return Ok(None);
            };
            let token = Uuid::new_v4();
            let lease_until = now + inner.lease.as_millis() as i64;
            let claimed = message::Entity::update_many()
                .col_expr(message::Column::LeaseUntilMs, Expr::value(lease_until))
                .col_expr(message::Column::LeaseToken, Expr::value(token))
                .col_expr(
                    message::Column::Attempt,
                    Expr::col(message::Column::Attempt).add(1),
                )
                .filter(message::Column::Id.eq(row.id))
                .filter(free_at(now))
                .exec(&inner.db)
                .await?;
            if claimed.rows_affected != 1 {
                continue; // another consumer won this one; look again
            }
            let attempt = (row.attempt + 1) as u32;
            let settle = JournalSettle::new(
                inner.db.clone(),
                row.id,
                token,
                self.queue.clone(),
                inner.retry,
                inner.lease,
                inner.published.clone(),
                inner.alive.subscribe(),
            );
            let envelope = match Envelope::from_bytes(row.envelope.as_bytes()) {
                Ok(env) => env,
                Err(e) => {
                    tracing::error!(queue = %self.queue.name, id = %row.id, error = %e,
                        "malformed message in the journal; dead-lettering it");
                    settle
                        .dead_letter(&format!("malformed envelope: {e}"))
                        .await?;
                    continue;
                }
            };
            // A message whose consumers keep dying is poison: stop at the limit.
            if row.lease_token.is_some() && !inner.retry.should_retry(row.attempt as u32) {
                tracing::error!(queue = %self.queue.name, id = %envelope.id, attempt = row.attempt,
                    "consumers died on this message every time; dead-lettering it");
                settle
                    .dead_letter("its consumer died on every attempt")
                    .await?;
                continue;
            }
            return Ok(Some(Delivery::new(envelope, attempt, Box::new(settle))));
        }
    }

    /// How long until a message of this queue becomes available (back-off
    /// ends or a lease lapses), if one is waiting.
    async fn time_to_next_candidate(&self) -> Result<Duration, BusError> {
        let rows = message::Entity::find()
            .filter(message::Column::Queue.eq(&self.queue.name))
            .order_by_asc(message::Column::AvailableAtMs)
            .limit(64)
            .all(&self.bus.inner.db)
            .await?;
        let now = now_ms();
        let next = rows
            .iter()
            .map(|r| r.available_at_ms.max(r.lease_until_ms.unwrap_or(0)))
            .min();
        Ok(match next {
            Some(t) => Duration::from_millis((t - now).clamp(1, i64::MAX) as u64),
            None => Duration::MAX,
        })
    }
}

/// Rows nobody holds a live lease on.
fn free_at(now: i64) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(message::Column::LeaseUntilMs.is_null())
        .add(message::Column::LeaseUntilMs.lt(now))
}
