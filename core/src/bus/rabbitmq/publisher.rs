//! The publishing side: one connection with one channel in confirm mode,
//! shared by every publish of a bus (and by the deliveries that move failed
//! messages to retry and dead-letter queues). It reconnects on demand: an
//! operation that meets a broken connection drops it, waits, opens a new one
//! (which declares the whole known topology again) and tries again, a bounded
//! number of times.

use super::link::{short, Backoff, Endpoint, Failure, OwnedConnection, BOUNDED_TRIES};
use super::topology::declare_all;
use crate::bus::{BusError, QueueSpec};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Confirmation};
use std::future::Future;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Instant;
use tokio::sync::Mutex;

/// One message to publish.
pub(super) struct Outgoing<'a> {
    /// The exchange; `""` is the default exchange (routing key = queue name).
    pub exchange: &'a str,
    pub routing_key: &'a str,
    pub body: &'a [u8],
    pub properties: BasicProperties,
    /// Fail (and retry on a new connection, which re-declares the topology)
    /// when no queue takes the message. Set for copies sent straight to a
    /// retry or dead-letter queue, which must never vanish.
    pub mandatory: bool,
}

/// The confirming publisher of one bus.
pub(super) struct Publisher {
    endpoint: Endpoint,
    exchange: String,
    connection_name: String,
    /// Every queue this bus declared: declared again on each new connection.
    topology: StdMutex<Vec<QueueSpec>>,
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    link: Option<Arc<PubLink>>,
    /// Since when the connection is lost, once a working one broke.
    lost: Option<Instant>,
}

struct PubLink {
    channel: Channel,
    conn: OwnedConnection,
}

impl PubLink {
    fn healthy(&self) -> bool {
        self.conn.connected() && self.channel.status().connected()
    }
}

impl Publisher {
    pub fn new(endpoint: Endpoint, exchange: &str, connection_name: String) -> Self {
        Publisher {
            endpoint,
            exchange: exchange.to_owned(),
            connection_name,
            topology: StdMutex::new(Vec::new()),
            slot: Mutex::new(Slot::default()),
        }
    }

    /// Adds `spec` to the topology declared on every new connection.
    pub fn remember(&self, spec: &QueueSpec) {
        let mut topology = self.topology.lock().unwrap_or_else(|e| e.into_inner());
        if !topology.contains(spec) {
            topology.push(spec.clone());
        }
    }

    /// Removes `spec` from the topology declared on every new connection.
    pub fn forget(&self, spec: &QueueSpec) {
        let mut topology = self.topology.lock().unwrap_or_else(|e| e.into_inner());
        topology.retain(|s| s != spec);
    }

    /// Connects now, once, reporting the broker's answer as it is.
    pub async fn connect_now(&self) -> Result<(), BusError> {
        self.link().await.map(|_| ())
    }

    /// Declares `spec` (and remembers it).
    pub async fn declare(&self, spec: &QueueSpec) -> Result<(), BusError> {
        self.remember(spec);
        let exchange = self.exchange.as_str();
        self.run("declaring a queue", |ch| async move {
            declare_all(&ch, exchange, std::slice::from_ref(spec)).await
        })
        .await
    }

    /// Publishes one message and waits for the broker's confirm.
    pub async fn publish(&self, out: Outgoing<'_>) -> Result<(), BusError> {
        let exchange = short("exchange", out.exchange)?;
        let routing_key = short("routing key", out.routing_key)?;
        let options = BasicPublishOptions {
            mandatory: out.mandatory,
            immediate: false,
        };
        let target = if out.exchange.is_empty() {
            format!("queue {}", out.routing_key)
        } else {
            format!("{} on {}", out.routing_key, out.exchange)
        };
        let target = target.as_str();
        let (exchange, routing_key, properties, body) =
            (&exchange, &routing_key, &out.properties, out.body);
        let topic = out.routing_key;
        self.run("publishing", |ch| async move {
            let context = format!("publishing to {target}");
            let confirm = ch
                .basic_publish(
                    exchange.clone(),
                    routing_key.clone(),
                    options,
                    body,
                    properties.clone(),
                )
                .await
                .map_err(|e| Failure::lapin(&context, &e))?;
            match confirm.await.map_err(|e| Failure::lapin(&context, &e))? {
                Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
                Confirmation::Ack(Some(returned)) => {
                    Err(Failure::transient(BusError::Broker(format!(
                        "{context}: the broker found no queue for it ({})",
                        returned.reply_text
                    ))))
                }
                Confirmation::Nack(_) => Err(Failure::permanent(BusError::NotConfirmed {
                    topic: topic.to_owned(),
                })),
            }
        })
        .await
    }

    /// Runs `op` on the publishing channel; on a failure that a new
    /// connection may cure, reconnects with back-off and runs it again, at
    /// most [`BOUNDED_TRIES`] times.
    pub async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T, BusError>
    where
        F: Fn(Channel) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let mut backoff = Backoff::new();
        let mut tries = 0;
        loop {
            tries += 1;
            let failure = match self.link().await {
                Ok(link) => match op(link.channel.clone()).await {
                    Ok(value) => return Ok(value),
                    Err(failure) => {
                        if !failure.permanent || !link.healthy() {
                            self.invalidate(&link, &failure.error).await;
                        }
                        failure
                    }
                },
                Err(error) => Failure::transient(error),
            };
            if failure.permanent || tries >= BOUNDED_TRIES {
                return Err(failure.error);
            }
            let delay = backoff.next_delay();
            tracing::warn!(connection = %self.connection_name, url = %self.endpoint.safe_url,
                attempt = tries, retry_in_ms = delay.as_millis() as u64, error = %failure.error,
                "{what} failed; retrying on a new connection to the message broker");
            tokio::time::sleep(delay).await;
        }
    }

    /// The working link, or a new one.
    async fn link(&self) -> Result<Arc<PubLink>, BusError> {
        let mut slot = self.slot.lock().await;
        if let Some(link) = &slot.link {
            if link.healthy() {
                return Ok(link.clone());
            }
            tracing::warn!(connection = %self.connection_name, url = %self.endpoint.safe_url,
                "the connection to the message broker was closed; reconnecting");
            slot.link = None;
            slot.lost.get_or_insert_with(Instant::now);
        }
        let link = Arc::new(self.open().await?);
        if let Some(since) = slot.lost.take() {
            tracing::info!(connection = %self.connection_name, url = %self.endpoint.safe_url,
                down_ms = since.elapsed().as_millis() as u64,
                "reconnected to the message broker; publishing again");
        }
        slot.link = Some(link.clone());
        Ok(link)
    }

    async fn open(&self) -> Result<PubLink, BusError> {
        let conn = OwnedConnection::new(self.endpoint.open(&self.connection_name).await?);
        let channel = conn
            .get()
            .ok_or(BusError::Closed)?
            .create_channel()
            .await
            .map_err(|e| Failure::lapin("opening a channel", &e))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| Failure::lapin("enabling publisher confirms", &e))?;
        let topology = self
            .topology
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        declare_all(&channel, &self.exchange, &topology).await?;
        Ok(PubLink { channel, conn })
    }

    /// Drops `link` if it is still the current one.
    async fn invalidate(&self, link: &Arc<PubLink>, error: &BusError) {
        let mut slot = self.slot.lock().await;
        if slot.link.as_ref().is_some_and(|l| Arc::ptr_eq(l, link)) {
            tracing::warn!(connection = %self.connection_name, url = %self.endpoint.safe_url,
                %error, "dropping the connection to the message broker; reconnecting");
            slot.link = None;
            slot.lost.get_or_insert_with(Instant::now);
        }
    }
}
