//! The RabbitMQ bus.
//!
//! # Topology
//!
//! One durable topic exchange (`[bus] exchange`). For every queue `q` bound
//! to a pattern: the durable queue `q` bound with the pattern, its retry
//! queue `q.retry` and its dead-letter queue `q.dead` (both durable and
//! unbound). Messages are persistent JSON ([`Envelope`] wire form) with
//! `message_id` = the envelope id.
//!
//! # Delivery guarantees
//!
//! - `publish` returns once the broker confirmed the message (publisher
//!   confirms); a nack is [`BusError::NotConfirmed`].
//! - Consumers ack by hand, with a prefetch window of `[bus] prefetch`.
//! - [`Delivery::fail`] publishes a copy with the next attempt number (header
//!   `x-mymeet-attempt`) to `q.retry` with the back-off as its per-message
//!   `expiration`; when it expires the broker dead-letters it to the default
//!   exchange with routing key `q`, i.e. back into `q`. Once the retries are
//!   used up (and on [`Delivery::reject`]) the copy goes to `q.dead` with the
//!   headers `x-mymeet-reason` and `x-mymeet-attempts`. The copy is confirmed
//!   before the original is acked, so nothing is lost.
//! - A message redelivered by the broker (its consumer died or lost its
//!   connection before settling it) counts as a failed attempt: it is sent
//!   through `q.retry` with the next attempt number, or to `q.dead` after the
//!   last one. A message that crashes its worker every time therefore ends in
//!   the dead-letter queue, as with the in-process bus.
//! - A body that is not a valid envelope is moved to `q.dead` (reason
//!   `malformed message: ...`) and consuming goes on.
//! - On a dead-letter queue nothing is dead-lettered again: `fail` puts the
//!   message back after the back-off, `reject` discards it, and malformed
//!   messages are left in place, unacknowledged.
//!
//! RabbitMQ expires messages only at the head of a queue, so a retry that
//! waits behind a longer one in `q.retry` comes back when that one does (at
//! most `max_backoff_ms` late); it is never lost.
//!
//! # Connections and reconnection
//!
//! A bus has one publishing connection (a channel in confirm mode), and
//! every subscription its own consuming connection, all named after
//! [`RabbitBus::connection_name`] (visible in `rabbitmqctl list_connections
//! client_properties`). When a connection breaks (broker restart,
//! `rabbitmqctl close_connection`, network), the next operation on it
//! notices: the publisher reconnects with back-off (100 ms doubling to 5 s)
//! and tries again, at most 8 times (about 15 s), then returns the error; a
//! subscription reconnects forever. Each attempt is logged at WARN with the
//! reason and the return at INFO; a new connection declares the topology
//! again and a subscription starts a new consumer. Dropping the bus, its
//! subscriptions and deliveries closes the connections, so the broker hands
//! unacked messages to other consumers.

mod link;
mod publisher;
mod settle;
mod subscription;
mod topology;

pub use link::redact_url;
pub use settle::{ATTEMPTS_HEADER, ATTEMPT_HEADER, LAST_ERROR_HEADER, QUEUE_HEADER, REASON_HEADER};
pub use subscription::RabbitSubscription;

use super::{Bus, BusError, Envelope, QueueSpec, RetryPolicy, Subscription};
use crate::config::BusConfig;
use async_trait::async_trait;
use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions, QueuePurgeOptions};
use lapin::BasicProperties;
use link::{short, Endpoint, Failure};
use publisher::{Outgoing, Publisher};
use std::sync::Arc;
use uuid::Uuid;

#[cfg(doc)]
use super::Delivery;

/// The bus on RabbitMQ. Cheap to share behind an `Arc`; not `Clone`, so that
/// dropping it (with its subscriptions and deliveries) closes its
/// connections.
pub struct RabbitBus {
    inner: Arc<Inner>,
}

/// What the bus, its subscriptions and its deliveries share.
pub(super) struct Inner {
    endpoint: Endpoint,
    exchange: String,
    prefetch: u16,
    retry: RetryPolicy,
    connection_name: String,
    publisher: Publisher,
}

impl RabbitBus {
    /// Connects to the broker at `url` (`amqp://USER:PASS@HOST:PORT/VHOST`,
    /// or `amqps://` for TLS) and declares the durable topic `exchange`.
    /// Subscriptions take up to `prefetch` unacked messages at once; failed
    /// deliveries are retried as `retry` says.
    ///
    /// A broker that cannot be reached is a [`BusError::Connect`] naming the
    /// URL without its password and what went wrong.
    pub async fn connect(
        url: &str,
        exchange: &str,
        prefetch: u16,
        retry: RetryPolicy,
    ) -> Result<RabbitBus, BusError> {
        short("exchange", exchange)?;
        let endpoint = Endpoint::new(url);
        let id = Uuid::new_v4().simple().to_string();
        let connection_name = format!("mymeet-{}-{}", std::process::id(), &id[..12]);
        let publisher = Publisher::new(
            endpoint.clone(),
            exchange,
            format!("{connection_name}/publish"),
        );
        let inner = Arc::new(Inner {
            endpoint,
            exchange: exchange.to_owned(),
            prefetch: prefetch.max(1),
            retry,
            connection_name,
            publisher,
        });
        inner.publisher.connect_now().await?;
        tracing::info!(url = %inner.endpoint.safe_url, exchange, connection = %inner.connection_name,
            "connected to the message broker");
        Ok(RabbitBus { inner })
    }

    /// Connects as `[bus]` says. `url` must be set.
    pub async fn from_config(config: &BusConfig) -> Result<RabbitBus, BusError> {
        let url = config.url.as_deref().ok_or_else(|| BusError::Connect {
            url: "(none)".into(),
            reason: "[bus] url is not set; set it to amqp://USER:PASS@HOST:5672/%2f".into(),
        })?;
        RabbitBus::connect(url, &config.exchange, config.prefetch, config.retry).await
    }

    /// The name this bus gives its connections: the publishing one is
    /// `<name>/publish`, a subscription's `<name>/consume/<queue>`. Shown by
    /// `rabbitmqctl list_connections client_properties`.
    pub fn connection_name(&self) -> &str {
        &self.inner.connection_name
    }

    /// The topic exchange.
    pub fn exchange(&self) -> &str {
        &self.inner.exchange
    }

    /// The broker URL, without the password (safe to log and show).
    pub fn safe_url(&self) -> &str {
        &self.inner.endpoint.safe_url
    }

    /// The retry policy of failed deliveries.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// Removes every message from the queue named `queue` (for tests and
    /// operators); returns how many there were.
    pub async fn purge_queue(&self, queue: &str) -> Result<u32, BusError> {
        let name = short("queue", queue)?;
        let name = &name;
        self.inner
            .publisher
            .run("purging a queue", |ch| async move {
                ch.queue_purge(name.clone(), QueuePurgeOptions::default())
                    .await
                    .map_err(|e| Failure::lapin(&format!("purging {name}"), &e))
            })
            .await
    }

    /// Deletes `spec`'s queue with its retry and dead-letter queues, messages
    /// included, and stops declaring them on reconnection (for tests).
    pub async fn delete_queue(&self, spec: &QueueSpec) -> Result<(), BusError> {
        self.inner.publisher.forget(spec);
        for name in topology::queue_names(spec) {
            let name = short("queue", &name)?;
            let name = &name;
            self.inner
                .publisher
                .run("deleting a queue", |ch| async move {
                    ch.queue_delete(name.clone(), QueueDeleteOptions::default())
                        .await
                        .map(|_| ())
                        .map_err(|e| Failure::lapin(&format!("deleting {name}"), &e))
                })
                .await?;
        }
        Ok(())
    }

    /// Deletes the exchange (for tests). Queues stay, without their bindings.
    pub async fn delete_exchange(&self) -> Result<(), BusError> {
        let name = short("exchange", &self.inner.exchange)?;
        let name = &name;
        self.inner
            .publisher
            .run("deleting the exchange", |ch| async move {
                ch.exchange_delete(name.clone(), ExchangeDeleteOptions::default())
                    .await
                    .map_err(|e| Failure::lapin(&format!("deleting {name}"), &e))
            })
            .await
    }
}

impl std::fmt::Debug for RabbitBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RabbitBus")
            .field("url", &self.inner.endpoint.safe_url)
            .field("exchange", &self.inner.exchange)
            .field("connection_name", &self.inner.connection_name)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Bus for RabbitBus {
    async fn declare(&self, queue: &QueueSpec) -> Result<(), BusError> {
        self.inner.publisher.declare(queue).await
    }

    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        let body = envelope.to_bytes();
        let mut properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_message_id(envelope.id.to_string().into());
        if let Ok(secs) = u64::try_from(envelope.published_at.timestamp()) {
            properties = properties.with_timestamp(secs);
        }
        self.inner
            .publisher
            .publish(Outgoing {
                exchange: &self.inner.exchange,
                routing_key: &envelope.topic,
                body: &body,
                properties,
                mandatory: false,
            })
            .await?;
        metrics::counter!("mymeet_bus_published_total", "topic" => envelope.topic.clone())
            .increment(1);
        Ok(())
    }

    async fn subscribe(&self, queue: &QueueSpec) -> Result<Box<dyn Subscription>, BusError> {
        // The publisher re-declares it after a reconnection, so that moves to
        // its retry and dead-letter queues always find them.
        self.inner.publisher.remember(queue);
        let sub = RabbitSubscription::open(self.inner.clone(), queue).await?;
        Ok(Box::new(sub))
    }

    async fn remove(&self, queue: &QueueSpec) -> Result<(), BusError> {
        self.delete_queue(queue).await
    }
}
