//! The consuming side: one connection per subscription, manual acks, a
//! prefetch window, and reconnection forever with back-off.

use super::link::{describe, short, Backoff, Failure, OwnedConnection, BOUNDED_TRIES};
use super::settle::{ack_moved, attempt_header, move_message, Move, RabbitSettle};
use super::topology::declare_all;
use super::Inner;
use crate::bus::{BusError, Delivery, Envelope, QueueSpec, Subscription};
use async_trait::async_trait;
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Acker, Channel, Consumer};
use std::sync::Arc;
use std::time::Instant;

/// A subscription to one RabbitMQ queue.
///
/// It owns its own connection (named `<bus connection name>/consume/<queue>`).
/// Dropping it closes that connection: the broker then delivers every
/// message it had not settled to another consumer, as after a crash.
/// Deliveries still held from a dropped subscription can no longer be acked
/// ([`BusError::LeaseLost`]).
pub struct RabbitSubscription {
    bus: Arc<Inner>,
    queue: QueueSpec,
    connection_name: String,
    link: Option<SubLink>,
    /// Since when the connection is lost, once a working one broke.
    lost: Option<Instant>,
    /// A message received and not yet handed out or moved (kept across a
    /// cancelled `next()`).
    pending: Option<lapin::message::Delivery>,
    /// Malformed messages of a dead-letter queue, left unacked in place.
    held: Vec<Acker>,
}

struct SubLink {
    consumer: Consumer,
    // Kept so that the channel lives as long as its consumer.
    _channel: Channel,
    _conn: OwnedConnection,
}

/// What to do with a received message.
enum Step {
    /// Hand it to the caller.
    Deliver { envelope: Envelope, attempt: u32 },
    /// It was moved to another queue and acked.
    Moved,
    /// Leave it unacked where it is.
    Hold,
    /// Moving it failed: drop the connection so that it comes back.
    Reconnect(String),
}

impl RabbitSubscription {
    /// Opens the consumer, trying a bounded number of times.
    pub(super) async fn open(bus: Arc<Inner>, queue: &QueueSpec) -> Result<Self, BusError> {
        let connection_name = format!("{}/consume/{}", bus.connection_name, queue.name);
        let mut sub = RabbitSubscription {
            bus,
            queue: queue.clone(),
            connection_name,
            link: None,
            lost: None,
            pending: None,
            held: Vec::new(),
        };
        let mut backoff = Backoff::new();
        let mut tries = 0;
        loop {
            tries += 1;
            match sub.open_link().await {
                Ok(link) => {
                    sub.link = Some(link);
                    return Ok(sub);
                }
                Err(f) if f.permanent || tries >= BOUNDED_TRIES => return Err(f.error),
                Err(f) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(queue = %sub.queue.name, attempt = tries,
                        retry_in_ms = delay.as_millis() as u64, error = %f.error,
                        "cannot start consuming; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    async fn open_link(&self) -> Result<SubLink, Failure> {
        let conn = OwnedConnection::new(
            self.bus
                .endpoint
                .open(&self.connection_name)
                .await
                .map_err(Failure::transient)?,
        );
        let channel = conn
            .get()
            .ok_or(Failure::transient(BusError::Closed))?
            .create_channel()
            .await
            .map_err(|e| Failure::lapin("opening a channel", &e))?;
        channel
            .basic_qos(self.bus.prefetch, BasicQosOptions::default())
            .await
            .map_err(|e| Failure::lapin("setting the prefetch window", &e))?;
        declare_all(
            &channel,
            &self.bus.exchange,
            std::slice::from_ref(&self.queue),
        )
        .await?;
        let consumer = channel
            .basic_consume(
                short("queue", &self.queue.name)?,
                // The broker names the consumer.
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| Failure::lapin(&format!("consuming {}", self.queue.name), &e))?;
        Ok(SubLink {
            consumer,
            _channel: channel,
            _conn: conn,
        })
    }

    /// Opens a new consumer, retrying forever with back-off.
    async fn reconnect(&mut self) -> SubLink {
        let mut backoff = Backoff::new();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.open_link().await {
                Ok(link) => {
                    if let Some(since) = self.lost.take() {
                        tracing::info!(queue = %self.queue.name, connection = %self.connection_name,
                            attempts = attempt, down_ms = since.elapsed().as_millis() as u64,
                            "reconnected to the message broker; consuming again");
                    }
                    return link;
                }
                Err(f) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(queue = %self.queue.name, connection = %self.connection_name,
                        url = %self.bus.endpoint.safe_url, attempt,
                        retry_in_ms = delay.as_millis() as u64, error = %f.error,
                        "cannot reach the message broker; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Drops the connection; the next `next()` reconnects.
    fn lose(&mut self, reason: &str) {
        tracing::warn!(queue = %self.queue.name, connection = %self.connection_name,
            url = %self.bus.endpoint.safe_url, reason,
            "lost the connection to the message broker; reconnecting");
        self.link = None;
        self.held.clear();
        self.lost.get_or_insert_with(Instant::now);
    }
}

/// Decides what to do with a received message (and moves it if need be).
async fn accept(bus: &Inner, queue: &QueueSpec, raw: &lapin::message::Delivery) -> Step {
    let header_attempt = attempt_header(&raw.properties).unwrap_or(1);
    let dead_letter_queue = queue.is_dead_letter_queue();
    let envelope = match Envelope::from_bytes(&raw.data) {
        Ok(envelope) => envelope,
        Err(e) if dead_letter_queue => {
            tracing::error!(queue = %queue.name, error = %e,
                "malformed message in a dead-letter queue; leaving it there, unacknowledged");
            return Step::Hold;
        }
        Err(e) => {
            tracing::error!(queue = %queue.name, error = %e,
                "malformed message; moving it to the dead-letter queue");
            let reason = format!("malformed message: {e}");
            let to = Move::Dead {
                attempts: header_attempt,
                reason: &reason,
            };
            return moved(bus, queue, raw, to).await;
        }
    };
    if raw.redelivered && !dead_letter_queue {
        // The consumer of the previous delivery went away (crash, lost
        // connection) before settling it: that attempt counts as failed, so
        // that a message that kills its consumer every time ends in the
        // dead-letter queue. The count lives in a header, so the message is
        // sent around again with the new count.
        let reason = "its consumer went away before settling it";
        let to = if bus.retry.should_retry(header_attempt) {
            tracing::warn!(queue = %queue.name, id = %envelope.id, attempt = header_attempt,
                "message redelivered: {reason}; retrying it");
            Move::Retry {
                next_attempt: header_attempt + 1,
                after: bus.retry.backoff(header_attempt),
                reason,
            }
        } else {
            tracing::error!(queue = %queue.name, id = %envelope.id, attempt = header_attempt,
                "message redelivered after its last attempt: {reason}; dead-lettering it");
            Move::Dead {
                attempts: header_attempt,
                reason,
            }
        };
        return moved(bus, queue, raw, to).await;
    }
    let attempt = if raw.redelivered {
        header_attempt + 1
    } else {
        header_attempt
    };
    Step::Deliver { envelope, attempt }
}

async fn moved(
    bus: &Inner,
    queue: &QueueSpec,
    raw: &lapin::message::Delivery,
    to: Move<'_>,
) -> Step {
    match move_message(bus, &queue.name, &raw.data, &raw.properties, to).await {
        Ok(()) => {
            ack_moved(&raw.acker, &queue.name).await;
            Step::Moved
        }
        Err(e) => Step::Reconnect(format!("could not move a message: {e}")),
    }
}

#[async_trait]
impl Subscription for RabbitSubscription {
    async fn next(&mut self) -> Result<Delivery, BusError> {
        loop {
            if let Some(raw) = self.pending.as_ref() {
                let step = accept(&self.bus, &self.queue, raw).await;
                let Some(raw) = self.pending.take() else {
                    continue;
                };
                match step {
                    Step::Deliver { envelope, attempt } => {
                        let settle = RabbitSettle::new(self.bus.clone(), &self.queue, raw, attempt);
                        return Ok(Delivery::new(envelope, attempt, Box::new(settle)));
                    }
                    Step::Moved => {}
                    Step::Hold => self.held.push(raw.acker),
                    Step::Reconnect(reason) => self.lose(&reason),
                }
                continue;
            }
            let Some(link) = self.link.as_mut() else {
                let link = self.reconnect().await;
                self.link = Some(link);
                continue;
            };
            match link.consumer.next().await {
                Some(Ok(raw)) => self.pending = Some(raw),
                Some(Err(e)) => self.lose(&describe(&e)),
                None => self.lose("the broker cancelled the consumer"),
            }
        }
    }
}
