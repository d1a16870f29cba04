//! The loop every pipeline stage runs: pull deliveries, run a handler on
//! each with bounded concurrency, settle by the handler's answer, stop
//! cleanly on shutdown.

use super::{BusError, Envelope, QueueSpec, SharedBus};
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Why a handler did not finish a message.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Might work later (a dependency was down): retry with back-off.
    #[error("{0}")]
    Retry(String),
    /// Can never work (malformed, unknown ids): dead-letter now.
    #[error("{0}")]
    Reject(String),
}

/// One stage's work on one message. Must be idempotent: the same envelope
/// can arrive more than once.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Processes one message.
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError>;
}

/// Consumes `queue` until `shutdown` completes, running up to `concurrency`
/// handlers at once; then waits for the running ones to settle.
///
/// A subscription error (the broker gone for good) ends the loop with that
/// error after the running handlers finish.
pub async fn consume(
    bus: SharedBus,
    queue: QueueSpec,
    handler: Arc<dyn Handler>,
    concurrency: usize,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), BusError> {
    let mut sub = bus.subscribe(&queue).await?;
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    tokio::pin!(shutdown);
    let result = loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break Ok(()),
            p = slots.clone().acquire_owned() => p.map_err(|_| BusError::Closed)?,
        };
        let delivery = tokio::select! {
            _ = &mut shutdown => break Ok(()),
            d = sub.next() => match d {
                Ok(d) => d,
                Err(e) => break Err(e),
            },
        };
        let handler = handler.clone();
        let queue_name = queue.name.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let id = delivery.envelope.id;
            let started = std::time::Instant::now();
            let outcome = handler.handle(&delivery.envelope).await;
            metrics::histogram!("mymeet_stage_seconds", "queue" => queue_name.clone())
                .record(started.elapsed().as_secs_f64());
            let settled = match outcome {
                Ok(()) => delivery.ack().await,
                Err(HandlerError::Retry(reason)) => delivery.fail(&reason).await.map(|_| ()),
                Err(HandlerError::Reject(reason)) => delivery.reject(&reason).await,
            };
            if let Err(e) = settled {
                // The message comes back (lease lapse / broker redelivery);
                // handlers are idempotent, so that is safe.
                tracing::warn!(queue = %queue_name, %id, error = %e, "could not settle a delivery");
            }
        });
    };
    // Let running handlers finish: take every slot back.
    let all = u32::try_from(concurrency.max(1)).unwrap_or(u32::MAX);
    if tokio::time::timeout(Duration::from_secs(600), slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(queue = %queue.name, "handlers still running after 10 minutes; leaving them");
    }
    result
}
