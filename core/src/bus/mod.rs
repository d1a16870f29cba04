//! The message bus: one trait, two implementations.
//!
//! - [`rabbitmq::RabbitBus`]: a durable topic exchange on RabbitMQ, a durable
//!   queue per pipeline stage, publisher confirms, manual acks, bounded
//!   retries with back-off and a dead-letter queue, automatic reconnect.
//! - [`in_process::InProcessBus`]: the embedded default. Messages are kept in
//!   the embedded database, so delivery is at-least-once and nothing is lost
//!   when the process restarts.
//!
//! Both give the same guarantees to a consumer: a message is delivered until
//! it is acked; [`Delivery::fail`] retries it with back-off and, after
//! [`RetryPolicy::max_attempts`], moves it to the queue's dead-letter queue
//! (`<queue>.dead`), which is itself a queue that can be consumed. A consumer
//! that dies without settling a delivery gets it redelivered (to itself or to
//! another consumer). Consumers must therefore be idempotent; the envelope's
//! [`Envelope::id`] is stable across redeliveries.

pub mod consumer;
mod delivery;
mod envelope;
pub mod in_process;
pub mod messages;
mod queue;
pub mod rabbitmq;
mod retry;

pub use consumer::{consume, Handler, HandlerError};
pub use delivery::{Delivery, FailOutcome, Settle};
pub use envelope::{DecodeError, Envelope, Event};
pub use queue::QueueSpec;
pub use retry::RetryPolicy;

use async_trait::async_trait;
use std::sync::Arc;

/// A message bus.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Declares a queue and its binding, so that messages published from now
    /// on are kept for it even while no consumer runs. Idempotent.
    async fn declare(&self, queue: &QueueSpec) -> Result<(), BusError>;

    /// Publishes an envelope under its topic; returns once the broker (or the
    /// embedded database) holds it durably in every queue bound to the topic.
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError>;

    /// Declares `queue` and starts consuming it.
    async fn subscribe(&self, queue: &QueueSpec) -> Result<Box<dyn Subscription>, BusError>;

    /// Deletes a queue nobody will consume again (a finished bot's
    /// `bot.commands.<bot>`), its binding and what it holds. Idempotent.
    async fn remove(&self, queue: &QueueSpec) -> Result<(), BusError>;
}

/// A stream of deliveries from one queue.
#[async_trait]
pub trait Subscription: Send {
    /// Waits for the next delivery. Survives broker restarts and dropped
    /// connections: it reconnects with back-off and logs each attempt.
    async fn next(&mut self) -> Result<Delivery, BusError>;
}

/// A shared handle to a bus.
pub type SharedBus = Arc<dyn Bus>;

/// Opens the bus the configuration names — RabbitMQ when `bus.url` is set,
/// else the in-process bus on `db` — and declares the pipeline's stage
/// queues so that nothing published before its consumer starts is dropped.
pub async fn open(
    config: &crate::config::BusConfig,
    db: &sea_orm::DatabaseConnection,
) -> Result<SharedBus, BusError> {
    let bus: SharedBus = match &config.url {
        Some(_) => Arc::new(rabbitmq::RabbitBus::from_config(config).await?),
        None => Arc::new(in_process::InProcessBus::new(
            db.clone(),
            config.retry,
            std::time::Duration::from_secs(config.lease_secs.max(3)),
        )),
    };
    for queue in QueueSpec::pipeline_stages() {
        bus.declare(&queue.prefixed(&config.queue_prefix)).await?;
    }
    Ok(bus)
}

/// What can go wrong on the bus.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The broker could not be reached or refused the connection.
    #[error("cannot connect to the message broker at {url}: {reason}")]
    Connect {
        /// The broker URL, without credentials.
        url: String,
        /// What the broker or the network said.
        reason: String,
    },
    /// The broker answered with an error.
    #[error("message broker error: {0}")]
    Broker(String),
    /// The broker did not confirm a publish.
    #[error("the message broker did not confirm the message on {topic}")]
    NotConfirmed {
        /// The routing key of the message.
        topic: String,
    },
    /// The embedded database behind the in-process bus failed.
    #[error("bus storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// A message body is not a valid envelope.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// The delivery's lease lapsed (its consumer held it longer than the lease
    /// without renewing) and the message went back to the queue; it will be
    /// delivered again.
    #[error("the delivery's lease lapsed; the message will be delivered again")]
    LeaseLost,
    /// The bus was shut down.
    #[error("the bus is closed")]
    Closed,
}
