//! The RabbitMQ bus against the real broker on 127.0.0.1:5672 (guest/guest):
//! the shared behaviour suite, plus redelivery, dead-lettering, reconnection
//! after the broker closes our connections, malformed bodies and connect
//! errors.
//!
//! Every test uses its own exchange and queues (uuid suffixes), so tests run
//! in parallel, and deletes them at the end. Connections are closed from the
//! broker side by their pid (`rabbitmqctl close_connection`), only those of
//! the test's own bus, found by their connection name. A broker that is not
//! reachable fails the tests: they never skip.

#[path = "support/bus_suite.rs"]
mod bus_suite;

use bus_suite::{assert_nothing_within, next_within, sample_event, unique_queue, Factory};
use lapin::options::{BasicGetOptions, BasicNackOptions, BasicPublishOptions};
use lapin::types::AMQPValue;
use lapin::{BasicProperties, ConnectionProperties};
use mymeet_core::bus::rabbitmq::{RabbitBus, ATTEMPTS_HEADER, REASON_HEADER};
use mymeet_core::bus::{Bus, BusError, FailOutcome, QueueSpec, RetryPolicy};
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

const URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const MAX_ATTEMPTS: u32 = 3;

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: MAX_ATTEMPTS,
        initial_backoff_ms: 50,
        max_backoff_ms: 200,
    }
}

fn unique_exchange() -> String {
    format!("test.mymeet.{}", Uuid::new_v4().simple())
}

/// A new bus on the test broker; a clear failure when there is none.
async fn connect(exchange: &str) -> RabbitBus {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("mymeet_core=debug")
        .with_test_writer()
        .try_init();
    match RabbitBus::connect(URL, exchange, 8, policy()).await {
        Ok(bus) => bus,
        Err(e) => panic!(
            "these tests need RabbitMQ on 127.0.0.1:5672 with guest/guest \
             (e.g. `rabbitmq-server -detached`): {e}"
        ),
    }
}

fn factory(exchange: &str) -> Factory {
    let exchange = exchange.to_owned();
    Box::new(move || {
        let exchange = exchange.clone();
        Box::pin(async move { Arc::new(connect(&exchange).await) as Arc<dyn Bus> })
    })
}

/// Deletes the queues (with their retry and dead-letter queues) and the exchange.
async fn cleanup(exchange: &str, queues: &[QueueSpec]) {
    let bus = connect(exchange).await;
    for q in queues {
        bus.delete_queue(q).await.expect("deleting a test queue");
    }
    bus.delete_exchange()
        .await
        .expect("deleting the test exchange");
}

/// Deletes every queue whose name contains `tag` (for suite checks that
/// name their own queues).
async fn cleanup_tagged(exchange: &str, tag: &str) {
    let out = rabbitmqctl(&["-q", "list_queues", "name"]);
    let names: Vec<QueueSpec> = out
        .lines()
        .map(str::trim)
        .filter(|n| n.contains(tag))
        .map(|n| QueueSpec {
            name: n.to_owned(),
            binding: None,
        })
        .collect();
    cleanup(exchange, &names).await;
}

fn rabbitmqctl(args: &[&str]) -> String {
    let out = Command::new("rabbitmqctl")
        .args(args)
        .output()
        .expect("rabbitmqctl must be installed (and runnable by this user) for these tests");
    assert!(
        out.status.success(),
        "rabbitmqctl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The pids of the broker connections whose name contains `name`.
fn connections_named(name: &str) -> Vec<String> {
    rabbitmqctl(&["-q", "list_connections", "pid", "client_properties"])
        .lines()
        .filter(|line| line.contains(name))
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// Closes, from the broker side, every connection of the bus named `name`;
/// returns how many there were.
fn close_connections_of(name: &str) -> usize {
    let pids = connections_named(name);
    for pid in &pids {
        rabbitmqctl(&["close_connection", pid, "test"]);
    }
    pids.len()
}

/// A raw message taken from a queue with basic.get and put back.
struct Peeked {
    body: Vec<u8>,
    headers: BTreeMap<String, String>,
}

/// Looks at the first message of `queue` without removing it.
async fn peek(queue: &str) -> Option<Peeked> {
    let conn = lapin::Connection::connect(URL, ConnectionProperties::default())
        .await
        .expect("raw connection");
    let ch = conn.create_channel().await.expect("raw channel");
    let mut got = None;
    for _ in 0..50 {
        got = ch
            .basic_get(queue.into(), BasicGetOptions { no_ack: false })
            .await
            .expect("basic.get");
        if got.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let msg = got?;
    let headers = msg
        .delivery
        .properties
        .headers()
        .as_ref()
        .map(|h| {
            h.inner()
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        AMQPValue::LongString(s) => s.to_string(),
                        AMQPValue::LongLongInt(n) => n.to_string(),
                        other => format!("{other:?}"),
                    };
                    (k.to_string(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    msg.delivery
        .acker
        .nack(BasicNackOptions {
            multiple: false,
            requeue: true,
        })
        .await
        .expect("putting the peeked message back");
    let _ = conn.close(200, "OK".into()).await;
    Some(Peeked {
        body: msg.delivery.data,
        headers,
    })
}

// ---------------------------------------------------------------- the suite

#[tokio::test]
async fn suite_publish_consume_ack() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-pca");
    bus_suite::publish_consume_ack(&factory(&exchange), &queue).await;
    cleanup(&exchange, &[queue]).await;
}

#[tokio::test]
async fn suite_messages_wait_for_a_consumer() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-wait");
    bus_suite::messages_wait_for_a_consumer(&factory(&exchange), &queue).await;
    cleanup(&exchange, &[queue]).await;
}

#[tokio::test]
async fn suite_redelivered_after_consumer_death() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-death");
    bus_suite::redelivered_after_consumer_death(&factory(&exchange), &queue).await;
    cleanup(&exchange, &[queue]).await;
}

#[tokio::test]
async fn suite_dead_lettered_after_retries() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-dlq");
    bus_suite::dead_lettered_after_retries(&factory(&exchange), &queue, MAX_ATTEMPTS).await;
    cleanup(&exchange, &[queue]).await;
}

#[tokio::test]
async fn suite_rejected_goes_straight_to_dead_letters() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-reject");
    bus_suite::rejected_goes_straight_to_dead_letters(&factory(&exchange), &queue).await;
    cleanup(&exchange, &[queue]).await;
}

#[tokio::test]
async fn suite_routing_follows_bindings() {
    let exchange = unique_exchange();
    let tag = format!("rmq-route-{}", &Uuid::new_v4().simple().to_string()[..8]);
    bus_suite::routing_follows_bindings(&factory(&exchange), &tag).await;
    cleanup_tagged(&exchange, &tag).await;
}

// ------------------------------------------------------- RabbitMQ specifics

/// 1. Published → consumed → acked → gone.
#[tokio::test]
async fn published_consumed_acked_and_gone() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-ack");
    let bus = connect(&exchange).await;
    bus.declare(&queue).await.unwrap();
    let env = sample_event();
    bus.publish(&env).await.unwrap();

    let mut sub = bus.subscribe(&queue).await.unwrap();
    let d = next_within(&mut sub, 10, "delivery").await;
    assert_eq!(d.envelope, env);
    assert_eq!(d.attempt, 1);
    d.ack().await.unwrap();
    drop(sub);

    let mut again = bus.subscribe(&queue).await.unwrap();
    assert_nothing_within(&mut again, 1_000, "an acked message is gone").await;
    drop(again);
    cleanup(&exchange, &[queue]).await;
}

/// 2. A consumer dies without acking (its whole bus is dropped) → another
/// bus gets the message, same id; the dead bus's connections are closed.
#[tokio::test]
async fn unacked_message_goes_to_another_consumer_when_its_bus_dies() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-die");
    let publisher = connect(&exchange).await;
    publisher.declare(&queue).await.unwrap();
    let env = sample_event();
    publisher.publish(&env).await.unwrap();

    let doomed = connect(&exchange).await;
    let doomed_name = doomed.connection_name().to_owned();
    let mut sub = doomed.subscribe(&queue).await.unwrap();
    let d = next_within(&mut sub, 10, "delivery to the doomed consumer").await;
    assert_eq!(d.envelope.id, env.id);
    assert_eq!(
        connections_named(&doomed_name).len(),
        2,
        "publish + consume"
    );
    drop(d);
    drop(sub);
    drop(doomed);

    let survivor = connect(&exchange).await;
    let mut sub = survivor.subscribe(&queue).await.unwrap();
    let d = next_within(&mut sub, 15, "redelivery to the survivor").await;
    assert_eq!(d.envelope.id, env.id, "same message, same id");
    assert_eq!(
        d.attempt, 2,
        "the interrupted delivery counts as an attempt"
    );
    d.ack().await.unwrap();

    let mut left = connections_named(&doomed_name);
    for _ in 0..20 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        left = connections_named(&doomed_name);
    }
    assert!(
        left.is_empty(),
        "a dropped bus closes its connections: {left:?}"
    );
    drop(sub);
    cleanup(&exchange, &[queue]).await;
}

/// 3. A message that always fails is delivered exactly `max_attempts` times,
/// then sits in `<queue>.dead` with the reason, and can be consumed there.
#[tokio::test]
async fn always_failing_message_is_dead_lettered_with_its_reason() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-fail");
    let bus = connect(&exchange).await;
    bus.declare(&queue).await.unwrap();
    let env = sample_event();
    bus.publish(&env).await.unwrap();

    let mut sub = bus.subscribe(&queue).await.unwrap();
    for attempt in 1..=MAX_ATTEMPTS {
        let d = next_within(&mut sub, 10, "retry").await;
        assert_eq!(d.envelope.id, env.id);
        assert_eq!(d.attempt, attempt);
        let outcome = d.fail("the handler always fails").await.unwrap();
        if attempt < MAX_ATTEMPTS {
            assert_eq!(
                outcome,
                FailOutcome::Retrying {
                    next_attempt: attempt + 1,
                    after: policy().backoff(attempt)
                }
            );
        } else {
            assert_eq!(outcome, FailOutcome::DeadLettered);
        }
    }
    assert_nothing_within(&mut sub, 1_000, "no delivery after the last attempt").await;

    let dead_name = queue.dead_letters().name;
    let peeked = peek(&dead_name)
        .await
        .expect("a message in the dead-letter queue");
    assert_eq!(
        peeked.headers.get(REASON_HEADER).map(String::as_str),
        Some("the handler always fails")
    );
    assert_eq!(
        peeked.headers.get(ATTEMPTS_HEADER).map(String::as_str),
        Some("3")
    );

    let mut dead = bus.subscribe(&queue.dead_letters()).await.unwrap();
    let d = next_within(&mut dead, 10, "dead letter").await;
    assert_eq!(d.envelope, env);
    // On a dead-letter queue a failure puts the message back.
    let outcome = d.fail("still broken").await.unwrap();
    assert!(
        matches!(outcome, FailOutcome::Retrying { .. }),
        "{outcome:?}"
    );
    let d = next_within(&mut dead, 10, "dead letter again").await;
    assert_eq!(d.envelope.id, env.id);
    d.ack().await.unwrap();
    assert_nothing_within(&mut dead, 500, "acked dead letter is gone").await;
    drop((sub, dead));
    cleanup(&exchange, &[queue]).await;
}

/// A message whose consumer dies on every delivery ends in the dead-letter
/// queue instead of killing workers forever.
#[tokio::test]
async fn a_message_that_kills_its_consumer_every_time_is_dead_lettered() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-poison");
    let publisher = connect(&exchange).await;
    publisher.declare(&queue).await.unwrap();
    let env = sample_event();
    publisher.publish(&env).await.unwrap();
    for attempt in 1..=MAX_ATTEMPTS {
        let bus = connect(&exchange).await;
        let mut sub = bus.subscribe(&queue).await.unwrap();
        let d = next_within(&mut sub, 10, "poison delivery").await;
        assert_eq!(d.envelope.id, env.id);
        assert_eq!(d.attempt, attempt);
        drop(d); // killed mid-work: the bus goes away unsettled
    }
    let bus = connect(&exchange).await;
    let mut sub = bus.subscribe(&queue).await.unwrap();
    assert_nothing_within(&mut sub, 2_000, "a poison message is not delivered again").await;
    let peeked = peek(&queue.dead_letters().name)
        .await
        .expect("the poison message");
    assert!(
        peeked.headers[REASON_HEADER].contains("consumer went away"),
        "{:?}",
        peeked.headers
    );
    drop(sub);
    cleanup(&exchange, &[queue]).await;
}

/// 4. The broker closes the bus's connections: a publish right after the
/// close succeeds, and the subscription reconnects and delivers what was
/// published after the close.
#[tokio::test]
async fn reconnects_after_the_broker_closes_the_connection() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-reconnect");
    let bus = connect(&exchange).await;
    bus.declare(&queue).await.unwrap();
    let mut sub = bus.subscribe(&queue).await.unwrap();

    let first = sample_event();
    bus.publish(&first).await.unwrap();
    let d = next_within(&mut sub, 10, "before the close").await;
    assert_eq!(d.envelope.id, first.id);
    d.ack().await.unwrap();

    for round in 0..2 {
        let closed = close_connections_of(bus.connection_name());
        assert_eq!(closed, 2, "round {round}: publish + consume connections");
        // Right after the close: the publisher notices and reconnects.
        let env = sample_event();
        bus.publish(&env)
            .await
            .unwrap_or_else(|e| panic!("round {round}: publish after the close: {e}"));
        let d = next_within(&mut sub, 30, "after the close").await;
        assert_eq!(d.envelope.id, env.id, "round {round}");
        assert_eq!(d.attempt, 1, "round {round}");
        d.ack().await.unwrap();
    }

    // And a delivery held across a close cannot be acked, but comes again.
    let env = sample_event();
    bus.publish(&env).await.unwrap();
    let d = next_within(&mut sub, 10, "held across a close").await;
    assert_eq!(d.envelope.id, env.id);
    close_connections_of(&format!("{}/consume", bus.connection_name()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(matches!(d.ack().await, Err(BusError::LeaseLost)));
    let d = next_within(&mut sub, 30, "redelivery after the close").await;
    assert_eq!(d.envelope.id, env.id);
    assert_eq!(d.attempt, 2);
    d.ack().await.unwrap();
    drop(sub);
    cleanup(&exchange, &[queue]).await;
}

/// 5. A body that is not an envelope is dead-lettered with a reason, and the
/// next good message is still delivered.
#[tokio::test]
async fn malformed_body_is_dead_lettered_and_consuming_goes_on() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-malformed");
    let bus = connect(&exchange).await;
    bus.declare(&queue).await.unwrap();

    raw_publish(&queue.name, b"this is not json").await;

    let good = sample_event();
    bus.publish(&good).await.unwrap();
    let mut sub = bus.subscribe(&queue).await.unwrap();
    let d = next_within(&mut sub, 10, "the good message").await;
    assert_eq!(d.envelope.id, good.id);
    d.ack().await.unwrap();

    let peeked = peek(&queue.dead_letters().name)
        .await
        .expect("the malformed message");
    assert_eq!(peeked.body, b"this is not json");
    assert!(
        peeked.headers[REASON_HEADER].starts_with("malformed message"),
        "{:?}",
        peeked.headers
    );
    drop(sub);
    cleanup(&exchange, &[queue]).await;
}

/// On a dead-letter queue nothing is dead-lettered again: a malformed body
/// stays where it is (unacked while the subscription lives), and `reject`
/// discards the message.
#[tokio::test]
async fn dead_letter_queue_keeps_malformed_bodies_and_reject_discards() {
    let exchange = unique_exchange();
    let queue = unique_queue("rmq-dlqedge");
    let bus = connect(&exchange).await;
    bus.declare(&queue).await.unwrap();
    let dead = queue.dead_letters();
    let good = sample_event();
    raw_publish(&dead.name, b"{ not an envelope").await;
    raw_publish(&dead.name, &good.to_bytes()).await;

    let mut sub = bus.subscribe(&dead).await.unwrap();
    let d = next_within(&mut sub, 10, "the good dead letter").await;
    assert_eq!(d.envelope.id, good.id);
    d.reject("cannot be replayed").await.unwrap();
    assert_nothing_within(&mut sub, 500, "the malformed one is held, not delivered").await;
    drop(sub);

    let peeked = peek(&dead.name)
        .await
        .expect("the malformed body is still there");
    assert_eq!(peeked.body, b"{ not an envelope");
    assert_eq!(bus.purge_queue(&dead.name).await.unwrap(), 1, "and only it");
    cleanup(&exchange, &[queue]).await;
}

async fn raw_publish(queue: &str, body: &[u8]) {
    let conn = lapin::Connection::connect(URL, ConnectionProperties::default())
        .await
        .expect("raw connection");
    let ch = conn.create_channel().await.expect("raw channel");
    ch.confirm_select(Default::default())
        .await
        .expect("confirms");
    ch.basic_publish(
        "".into(),
        queue.into(),
        BasicPublishOptions::default(),
        body,
        BasicProperties::default().with_delivery_mode(2),
    )
    .await
    .expect("raw publish")
    .await
    .expect("raw publish confirm");
    let _ = conn.close(200, "OK".into()).await;
}

/// 6. A closed port: a `Connect` error that names the URL without password.
#[tokio::test]
async fn connect_error_names_the_url_without_password() {
    let err = RabbitBus::connect("amqp://guest:s3cret@127.0.0.1:1/%2f", "x", 1, policy())
        .await
        .expect_err("nothing listens on port 1");
    match &err {
        BusError::Connect { url, reason } => {
            assert_eq!(url, "amqp://guest@127.0.0.1:1/%2f");
            assert!(!reason.is_empty());
        }
        other => panic!("expected a Connect error, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with("cannot connect to the message broker at amqp://guest@127.0.0.1:1/%2f: "),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    assert!(!text.contains('\n'), "{text}");
    eprintln!("{text}");
}
