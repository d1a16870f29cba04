//! Behaviour every bus implementation must show, written once.
//!
//! Each check takes a factory that opens a *new* bus instance on the same
//! backing broker or database, so that "another consumer" is a separate
//! connection, as another worker process would be.
#![allow(dead_code)]

use mymeet_core::bus::{
    messages::RecordingCompletedV1, Bus, Delivery, Envelope, Event, FailOutcome, QueueSpec,
    Subscription,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Opens a new bus instance on the shared backing store.
pub type Factory =
    Box<dyn Fn() -> Pin<Box<dyn Future<Output = Arc<dyn Bus>> + Send>> + Send + Sync>;

/// A fresh queue bound to the recording topic, unique per test.
pub fn unique_queue(tag: &str) -> QueueSpec {
    let name = format!("test.{tag}.{}", Uuid::new_v4().simple());
    QueueSpec::new(name, RecordingCompletedV1::TOPIC)
}

/// A new event with random ids.
pub fn sample_event() -> Envelope {
    Envelope::new(&RecordingCompletedV1 {
        recording_id: Uuid::new_v4(),
        bot_id: Uuid::new_v4(),
        meeting_id: Uuid::new_v4(),
    })
}

/// The next delivery, or a panic naming what was awaited.
pub async fn next_within(sub: &mut Box<dyn Subscription>, secs: u64, what: &str) -> Delivery {
    match tokio::time::timeout(Duration::from_secs(secs), sub.next()).await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => panic!("{what}: bus error {e}"),
        Err(_) => panic!("{what}: nothing delivered within {secs} s"),
    }
}

/// Asserts that nothing arrives within `ms`.
pub async fn assert_nothing_within(sub: &mut Box<dyn Subscription>, ms: u64, why: &str) {
    if let Ok(res) = tokio::time::timeout(Duration::from_millis(ms), sub.next()).await {
        panic!("{why}: got {res:?}");
    }
}

/// Published → consumed intact → acked → gone.
pub async fn publish_consume_ack(factory: &Factory, queue: &QueueSpec) {
    let bus = factory().await;
    bus.declare(queue).await.unwrap();
    let env = sample_event();
    bus.publish(&env).await.unwrap();

    let mut sub = bus.subscribe(queue).await.unwrap();
    let d = next_within(&mut sub, 10, "first delivery").await;
    assert_eq!(d.envelope, env);
    assert_eq!(d.attempt, 1);
    assert_eq!(
        d.envelope.decode::<RecordingCompletedV1>().unwrap(),
        env.decode::<RecordingCompletedV1>().unwrap()
    );
    d.ack().await.unwrap();
    drop(sub);

    let other = factory().await;
    let mut sub = other.subscribe(queue).await.unwrap();
    assert_nothing_within(&mut sub, 1_000, "an acked message must not come back").await;
}

/// A message published before any consumer exists waits for it; several are
/// delivered in order of publication.
pub async fn messages_wait_for_a_consumer(factory: &Factory, queue: &QueueSpec) {
    let bus = factory().await;
    bus.declare(queue).await.unwrap();
    let sent: Vec<Envelope> = (0..3).map(|_| sample_event()).collect();
    for env in &sent {
        bus.publish(env).await.unwrap();
    }
    let mut sub = bus.subscribe(queue).await.unwrap();
    for env in &sent {
        let d = next_within(&mut sub, 10, "queued message").await;
        assert_eq!(d.envelope.id, env.id);
        d.ack().await.unwrap();
    }
}

/// A consumer dies holding an unacked message → another consumer gets it.
pub async fn redelivered_after_consumer_death(factory: &Factory, queue: &QueueSpec) {
    let publisher = factory().await;
    publisher.declare(queue).await.unwrap();
    let env = sample_event();
    publisher.publish(&env).await.unwrap();

    let doomed = factory().await;
    let mut sub = doomed.subscribe(queue).await.unwrap();
    let d = next_within(&mut sub, 10, "delivery to the doomed consumer").await;
    assert_eq!(d.envelope.id, env.id);
    // The consumer dies: no ack, no settle code runs, its connection goes away.
    std::mem::forget(d);
    drop(sub);
    drop(doomed);

    let survivor = factory().await;
    let mut sub = survivor.subscribe(queue).await.unwrap();
    let d = next_within(&mut sub, 30, "redelivery to the survivor").await;
    assert_eq!(d.envelope.id, env.id, "the same message, same id");
    d.ack().await.unwrap();
}

/// A message that always fails is retried with back-off and then lands in the
/// dead-letter queue after exactly `max_attempts` deliveries.
pub async fn dead_lettered_after_retries(factory: &Factory, queue: &QueueSpec, max_attempts: u32) {
    let bus = factory().await;
    bus.declare(queue).await.unwrap();
    let env = sample_event();
    bus.publish(&env).await.unwrap();

    let mut sub = bus.subscribe(queue).await.unwrap();
    for attempt in 1..=max_attempts {
        let d = next_within(&mut sub, 20, "retry").await;
        assert_eq!(d.envelope.id, env.id);
        assert_eq!(d.attempt, attempt);
        let outcome = d.fail("handler always fails").await.unwrap();
        if attempt < max_attempts {
            assert!(
                matches!(outcome, FailOutcome::Retrying { next_attempt, .. } if next_attempt == attempt + 1),
                "{outcome:?}"
            );
        } else {
            assert_eq!(outcome, FailOutcome::DeadLettered);
        }
    }
    assert_nothing_within(&mut sub, 1_000, "no delivery after the last attempt").await;

    let mut dead = bus.subscribe(&queue.dead_letters()).await.unwrap();
    let d = next_within(&mut dead, 10, "dead letter").await;
    assert_eq!(d.envelope.id, env.id);
    d.ack().await.unwrap();
}

/// `reject` dead-letters at once, without retries.
pub async fn rejected_goes_straight_to_dead_letters(factory: &Factory, queue: &QueueSpec) {
    let bus = factory().await;
    bus.declare(queue).await.unwrap();
    let env = sample_event();
    bus.publish(&env).await.unwrap();
    let mut sub = bus.subscribe(queue).await.unwrap();
    let d = next_within(&mut sub, 10, "delivery").await;
    d.reject("unknown schema").await.unwrap();
    assert_nothing_within(&mut sub, 500, "a rejected message is not retried").await;
    let mut dead = bus.subscribe(&queue.dead_letters()).await.unwrap();
    let d = next_within(&mut dead, 10, "dead letter").await;
    assert_eq!(d.envelope.id, env.id);
    d.ack().await.unwrap();
}

/// Topic routing: a queue gets what its binding matches and nothing else.
pub async fn routing_follows_bindings(factory: &Factory, tag: &str) {
    let bus = factory().await;
    let suffix = Uuid::new_v4().simple().to_string();
    let all_bot = QueueSpec::new(format!("test.{tag}.bot.{suffix}"), "bot.#");
    let recordings = QueueSpec::new(format!("test.{tag}.rec.{suffix}"), "recording.completed");
    bus.declare(&all_bot).await.unwrap();
    bus.declare(&recordings).await.unwrap();
    let bot_event = Envelope::new(&mymeet_core::bus::messages::BotCommandV1 {
        bot_id: Uuid::new_v4(),
        command: mymeet_core::bus::messages::BotCommand::Stop,
    });
    let rec = sample_event();
    bus.publish(&bot_event).await.unwrap();
    bus.publish(&rec).await.unwrap();

    let mut sub = bus.subscribe(&all_bot).await.unwrap();
    let d = next_within(&mut sub, 10, "bot.# delivery").await;
    assert_eq!(d.envelope.id, bot_event.id);
    d.ack().await.unwrap();
    assert_nothing_within(&mut sub, 500, "bot.# must not get recordings").await;

    let mut sub = bus.subscribe(&recordings).await.unwrap();
    let d = next_within(&mut sub, 10, "recording delivery").await;
    assert_eq!(d.envelope.id, rec.id);
    d.ack().await.unwrap();
}
