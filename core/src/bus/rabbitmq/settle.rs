//! Settling RabbitMQ deliveries, and moving messages between a queue, its
//! retry queue and its dead-letter queue.
//!
//! A move is always "publish a copy, wait for the broker's confirm, then ack
//! the original": if anything fails in between, the original is still in its
//! queue and is delivered again (at least once, never lost).

use super::publisher::Outgoing;
use super::topology::retry_queue;
use super::Inner;
use crate::bus::{BusError, FailOutcome, QueueSpec, Settle};
use async_trait::async_trait;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Acker, BasicProperties};
use std::sync::Arc;
use std::time::Duration;

/// Header: which delivery of the message this is (1 when absent).
pub const ATTEMPT_HEADER: &str = "x-mymeet-attempt";
/// Header on a dead letter: why it was dead-lettered.
pub const REASON_HEADER: &str = "x-mymeet-reason";
/// Header on a dead letter: how many deliveries it had in its queue.
pub const ATTEMPTS_HEADER: &str = "x-mymeet-attempts";
/// Header on a dead letter: the queue it comes from.
pub const QUEUE_HEADER: &str = "x-mymeet-queue";
/// Header on a retried message: why the previous attempt failed.
pub const LAST_ERROR_HEADER: &str = "x-mymeet-last-error";

/// The attempt number carried by a message, if any.
pub(super) fn attempt_header(properties: &BasicProperties) -> Option<u32> {
    let value = properties.headers().as_ref()?.inner().get(ATTEMPT_HEADER)?;
    let n: i64 = match value {
        AMQPValue::ShortShortInt(n) => (*n).into(),
        AMQPValue::ShortShortUInt(n) => (*n).into(),
        AMQPValue::ShortInt(n) => (*n).into(),
        AMQPValue::ShortUInt(n) => (*n).into(),
        AMQPValue::LongInt(n) => (*n).into(),
        AMQPValue::LongUInt(n) => (*n).into(),
        AMQPValue::LongLongInt(n) => *n,
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).trim().parse().ok()?,
        AMQPValue::ShortString(s) => s.as_str().trim().parse().ok()?,
        _ => return None,
    };
    u32::try_from(n).ok().filter(|n| *n >= 1)
}

/// Where a message goes.
pub(super) enum Move<'a> {
    /// To the retry queue, back in the queue after `after`.
    Retry {
        next_attempt: u32,
        after: Duration,
        reason: &'a str,
    },
    /// To the dead-letter queue.
    Dead { attempts: u32, reason: &'a str },
}

/// Publishes a copy of a message of `queue` where `to` says, and waits for
/// the confirm. The original is not touched.
pub(super) async fn move_message(
    bus: &Inner,
    queue: &str,
    body: &[u8],
    original: &BasicProperties,
    to: Move<'_>,
) -> Result<(), BusError> {
    let (target, set, expiration) = match to {
        Move::Retry {
            next_attempt,
            after,
            reason,
        } => (
            retry_queue(queue),
            vec![
                (ATTEMPT_HEADER, AMQPValue::LongLongInt(next_attempt.into())),
                (LAST_ERROR_HEADER, long(reason)),
            ],
            Some(after.as_millis().to_string()),
        ),
        Move::Dead { attempts, reason } => (
            QueueSpec {
                name: queue.to_owned(),
                binding: None,
            }
            .dead_letters()
            .name,
            vec![
                (ATTEMPT_HEADER, AMQPValue::LongLongInt(1)),
                (ATTEMPTS_HEADER, AMQPValue::LongLongInt(attempts.into())),
                (REASON_HEADER, long(reason)),
                (QUEUE_HEADER, long(queue)),
            ],
            None,
        ),
    };
    let mut properties = copy_properties(original, set);
    if let Some(ms) = expiration {
        properties = properties.with_expiration(ShortString::from(ms));
    }
    bus.publisher
        .publish(Outgoing {
            exchange: "",
            routing_key: &target,
            body,
            properties,
            mandatory: true,
        })
        .await
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s))
}

/// Persistent JSON properties keeping the original's identity and headers
/// (minus the broker's own dead-lettering history), with `set` applied.
fn copy_properties(original: &BasicProperties, set: Vec<(&str, AMQPValue)>) -> BasicProperties {
    let mut headers = FieldTable::default();
    if let Some(old) = original.headers() {
        for (key, value) in old {
            let k = key.as_str();
            if !(k.starts_with("x-death")
                || k.starts_with("x-first-death")
                || k.starts_with("x-last-death"))
            {
                headers.insert(key.clone(), value.clone());
            }
        }
    }
    for (key, value) in set {
        headers.insert(key.into(), value);
    }
    let content_type = original
        .content_type()
        .clone()
        .unwrap_or_else(|| "application/json".into());
    let mut properties = BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type(content_type)
        .with_headers(headers);
    if let Some(id) = original.message_id() {
        properties = properties.with_message_id(id.clone());
    }
    if let Some(ts) = original.timestamp() {
        properties = properties.with_timestamp(*ts);
    }
    properties
}

/// Acks the original after its copy is safe; a failure only means that the
/// message will come again (a duplicate), so it is logged, not returned.
pub(super) async fn ack_moved(acker: &Acker, queue: &str) {
    match acker.ack(BasicAckOptions::default()).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            queue,
            "the channel of a moved message is gone; the broker will deliver it again"
        ),
        Err(e) => tracing::warn!(queue, error = %e,
            "could not ack a moved message; the broker will deliver it again"),
    }
}

/// Settles one RabbitMQ delivery.
pub(super) struct RabbitSettle {
    bus: Arc<Inner>,
    queue: String,
    dead_letter_queue: bool,
    body: Vec<u8>,
    properties: BasicProperties,
    acker: Acker,
    attempt: u32,
}

impl RabbitSettle {
    pub fn new(
        bus: Arc<Inner>,
        queue: &QueueSpec,
        raw: lapin::message::Delivery,
        attempt: u32,
    ) -> Self {
        RabbitSettle {
            bus,
            queue: queue.name.clone(),
            dead_letter_queue: queue.is_dead_letter_queue(),
            body: raw.data,
            properties: raw.properties,
            acker: raw.acker,
            attempt,
        }
    }

    async fn to(&self, to: Move<'_>) -> Result<(), BusError> {
        move_message(&self.bus, &self.queue, &self.body, &self.properties, to).await?;
        ack_moved(&self.acker, &self.queue).await;
        Ok(())
    }
}

#[async_trait]
impl Settle for RabbitSettle {
    async fn ack(self: Box<Self>) -> Result<(), BusError> {
        match self.acker.ack(BasicAckOptions::default()).await {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(queue = %self.queue,
                    "cannot ack: the channel of this delivery is gone; the broker will deliver it again");
                Err(BusError::LeaseLost)
            }
            Err(e) => {
                tracing::warn!(queue = %self.queue, error = %e,
                    "cannot ack; the broker will deliver the message again");
                Err(BusError::LeaseLost)
            }
        }
    }

    async fn fail(self: Box<Self>, attempt: u32, reason: &str) -> Result<FailOutcome, BusError> {
        let retry = self.bus.retry;
        let after = retry.backoff(attempt);
        if self.dead_letter_queue {
            // No dead letters of dead letters: put it back after the back-off.
            let acker = self.acker.clone();
            let queue = self.queue.clone();
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                let requeue = BasicNackOptions {
                    multiple: false,
                    requeue: true,
                };
                if let Err(e) = acker.nack(requeue).await {
                    tracing::debug!(queue, error = %e,
                        "could not requeue a dead letter; the broker will deliver it again");
                }
            });
            return Ok(FailOutcome::Retrying {
                next_attempt: attempt + 1,
                after,
            });
        }
        if retry.should_retry(attempt) {
            self.to(Move::Retry {
                next_attempt: attempt + 1,
                after,
                reason,
            })
            .await?;
            Ok(FailOutcome::Retrying {
                next_attempt: attempt + 1,
                after,
            })
        } else {
            self.to(Move::Dead {
                attempts: attempt,
                reason,
            })
            .await?;
            Ok(FailOutcome::DeadLettered)
        }
    }

    async fn reject(self: Box<Self>, reason: &str) -> Result<(), BusError> {
        if self.dead_letter_queue {
            tracing::error!(queue = %self.queue, reason,
                "a dead letter was rejected; discarding it");
            let discard = BasicNackOptions {
                multiple: false,
                requeue: false,
            };
            return match self.acker.nack(discard).await {
                Ok(true) => Ok(()),
                Ok(false) | Err(_) => Err(BusError::LeaseLost),
            };
        }
        let attempts = self.attempt;
        self.to(Move::Dead { attempts, reason }).await
    }
}
