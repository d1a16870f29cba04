use super::{BusError, Envelope};
use async_trait::async_trait;
use std::fmt;
use std::time::Duration;

/// One delivery of a message to a consumer. Settle it with [`Delivery::ack`],
/// [`Delivery::fail`] or [`Delivery::reject`]; dropping it unsettled makes the
/// message available again, as a consumer crash would.
pub struct Delivery {
    /// The message.
    pub envelope: Envelope,
    /// Which delivery this is, starting at 1; grows with every failure.
    pub attempt: u32,
    settle: Box<dyn Settle>,
}

/// What became of a failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// It will be delivered again after the wait.
    Retrying {
        /// The attempt number of the next delivery.
        next_attempt: u32,
        /// The back-off before it.
        after: Duration,
    },
    /// Retries are used up; it is in the dead-letter queue.
    DeadLettered,
}

/// How a bus implementation settles a delivery.
#[async_trait]
pub trait Settle: Send {
    /// Removes the message from the queue.
    async fn ack(self: Box<Self>) -> Result<(), BusError>;
    /// Redelivers after a back-off, or dead-letters when retries are used up.
    async fn fail(self: Box<Self>, attempt: u32, reason: &str) -> Result<FailOutcome, BusError>;
    /// Dead-letters at once.
    async fn reject(self: Box<Self>, reason: &str) -> Result<(), BusError>;
}

impl Delivery {
    /// Builds a delivery; used by bus implementations.
    pub fn new(envelope: Envelope, attempt: u32, settle: Box<dyn Settle>) -> Self {
        Delivery {
            envelope,
            attempt,
            settle,
        }
    }

    /// The work is done: remove the message.
    pub async fn ack(self) -> Result<(), BusError> {
        count(&self.envelope.topic, "ack");
        self.settle.ack().await
    }

    /// The work failed and may succeed later: retry with back-off, or
    /// dead-letter once the retries are used up.
    pub async fn fail(self, reason: &str) -> Result<FailOutcome, BusError> {
        let attempt = self.attempt;
        let outcome = self.settle.fail(attempt, reason).await?;
        match outcome {
            FailOutcome::Retrying { .. } => count(&self.envelope.topic, "retry"),
            FailOutcome::DeadLettered => count(&self.envelope.topic, "dead_letter"),
        }
        match outcome {
            FailOutcome::Retrying {
                next_attempt,
                after,
            } => tracing::warn!(
                topic = %self.envelope.topic, id = %self.envelope.id, attempt, next_attempt,
                after_ms = after.as_millis() as u64, reason, "message failed; will retry"),
            FailOutcome::DeadLettered => tracing::error!(
                topic = %self.envelope.topic, id = %self.envelope.id, attempt, reason,
                "message failed for the last time; moved to the dead-letter queue"),
        }
        Ok(outcome)
    }

    /// The message can never succeed (malformed, unknown version): dead-letter it now.
    pub async fn reject(self, reason: &str) -> Result<(), BusError> {
        tracing::error!(topic = %self.envelope.topic, id = %self.envelope.id, reason,
            "message rejected; moved to the dead-letter queue");
        count(&self.envelope.topic, "dead_letter");
        self.settle.reject(reason).await
    }
}

fn count(topic: &str, outcome: &'static str) {
    metrics::counter!("mymeet_bus_settled_total", "topic" => topic.to_owned(), "outcome" => outcome)
        .increment(1);
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("envelope", &self.envelope)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}
