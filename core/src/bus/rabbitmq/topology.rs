//! What the bus declares on the broker, and the names it derives.
//!
//! For a queue `q` bound to a pattern:
//! - `q`: durable, bound to the topic exchange with the pattern;
//! - `q.retry`: durable, unbound; a failed message waits here for its
//!   per-message `expiration` (the back-off), then the broker dead-letters it
//!   to the default exchange with routing key `q`, i.e. back into `q`;
//! - `q.dead`: durable, unbound; the dead-letter queue.
//!
//! A dead-letter queue (`QueueSpec::binding == None`) is declared alone.

use super::link::{short, Failure};
use crate::bus::QueueSpec;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, ExchangeKind};

/// Suffix of a queue's retry queue.
pub(super) const RETRY_SUFFIX: &str = ".retry";

/// The retry queue of `queue`.
pub(super) fn retry_queue(queue: &str) -> String {
    format!("{queue}{RETRY_SUFFIX}")
}

/// Every queue name a spec stands for (itself, its retry and dead-letter queues).
pub(super) fn queue_names(spec: &QueueSpec) -> Vec<String> {
    if spec.is_dead_letter_queue() {
        vec![spec.name.clone()]
    } else {
        vec![
            spec.name.clone(),
            retry_queue(&spec.name),
            spec.dead_letters().name,
        ]
    }
}

fn durable() -> QueueDeclareOptions {
    QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    }
}

/// Declares the durable topic exchange.
pub(super) async fn declare_exchange(channel: &Channel, exchange: &str) -> Result<(), Failure> {
    channel
        .exchange_declare(
            short("exchange", exchange)?,
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(|e| Failure::lapin(&format!("declaring the exchange {exchange}"), &e))
}

/// Declares `spec` with its retry and dead-letter queues, and binds it.
/// The exchange must exist.
pub(super) async fn declare_queue(
    channel: &Channel,
    exchange: &str,
    spec: &QueueSpec,
) -> Result<(), Failure> {
    let declare = |name: String, args: FieldTable| async move {
        channel
            .queue_declare(short("queue", &name)?, durable(), args)
            .await
            .map_err(|e| Failure::lapin(&format!("declaring the queue {name}"), &e))
            .map(|_| ())
    };
    declare(spec.name.clone(), FieldTable::default()).await?;
    let Some(pattern) = &spec.binding else {
        return Ok(());
    };
    let mut retry_args = FieldTable::default();
    retry_args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(LongString::from("")),
    );
    retry_args.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(LongString::from(spec.name.as_str())),
    );
    declare(retry_queue(&spec.name), retry_args).await?;
    declare(spec.dead_letters().name, FieldTable::default()).await?;
    channel
        .queue_bind(
            short("queue", &spec.name)?,
            short("exchange", exchange)?,
            short("binding", pattern)?,
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|e| {
            Failure::lapin(
                &format!(
                    "binding the queue {} to {exchange} with {pattern}",
                    spec.name
                ),
                &e,
            )
        })
}

/// Declares the exchange and every queue in `specs`.
pub(super) async fn declare_all(
    channel: &Channel,
    exchange: &str,
    specs: &[QueueSpec],
) -> Result<(), Failure> {
    declare_exchange(channel, exchange).await?;
    for spec in specs {
        declare_queue(channel, exchange, spec).await?;
    }
    Ok(())
}
