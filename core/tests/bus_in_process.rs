//! The in-process bus on a real SQLite file: the shared behaviour suite, plus
//! restart recovery and competing consumers.

#[path = "support/bus_suite.rs"]
mod bus_suite;

use bus_suite::{next_within, sample_event, unique_queue, Factory};
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::{Bus, RetryPolicy};
use mymeet_core::db;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const MAX_ATTEMPTS: u32 = 3;
const LEASE: Duration = Duration::from_secs(2);

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: MAX_ATTEMPTS,
        initial_backoff_ms: 50,
        max_backoff_ms: 200,
    }
}

fn url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A migrated SQLite file and a factory that opens a new bus (with its own
/// connection pool, as a separate process would) on it.
async fn sqlite_factory() -> (Factory, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.db");
    let conn = db::connect_url(&url(&path), Some(2)).await.unwrap();
    db::migrate(&conn).await.unwrap();
    let factory: Factory = Box::new(move || {
        let path: PathBuf = path.clone();
        Box::pin(async move {
            let conn = db::connect_url(&url(&path), Some(4)).await.unwrap();
            Arc::new(InProcessBus::new(conn, policy(), LEASE)) as Arc<dyn Bus>
        })
    });
    (factory, dir)
}

#[tokio::test]
async fn publish_consume_ack() {
    let (f, _dir) = sqlite_factory().await;
    bus_suite::publish_consume_ack(&f, &unique_queue("pca")).await;
}

#[tokio::test]
async fn messages_wait_for_a_consumer() {
    let (f, _dir) = sqlite_factory().await;
    bus_suite::messages_wait_for_a_consumer(&f, &unique_queue("wait")).await;
}

#[tokio::test]
async fn redelivered_after_consumer_death() {
    let (f, _dir) = sqlite_factory().await;
    bus_suite::redelivered_after_consumer_death(&f, &unique_queue("death")).await;
}

#[tokio::test]
async fn dead_lettered_after_retries() {
    let (f, _dir) = sqlite_factory().await;
    bus_suite::dead_lettered_after_retries(&f, &unique_queue("dlq"), MAX_ATTEMPTS).await;
}

#[tokio::test]
async fn rejected_goes_straight_to_dead_letters() {
    let (f, _dir) = sqlite_factory().await;
    bus_suite::rejected_goes_straight_to_dead_letters(&f, &unique_queue("reject")).await;
}

#[tokio::test]
async fn routing_follows_bindings() {
    let (f, _dir) = sqlite_factory().await;
    bus_suite::routing_follows_bindings(&f, "route").await;
}

/// The process stops (pool closed, nothing settled) and starts again on the
/// same file: queued and in-flight messages are all still delivered.
#[tokio::test]
async fn nothing_is_lost_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus.db");
    let queue = unique_queue("restart");
    let (queued, in_flight) = (sample_event(), sample_event());
    {
        let conn = db::connect_url(&url(&path), None).await.unwrap();
        db::migrate(&conn).await.unwrap();
        let bus = InProcessBus::new(conn.clone(), policy(), LEASE);
        bus.declare(&queue).await.unwrap();
        bus.publish(&in_flight).await.unwrap();
        bus.publish(&queued).await.unwrap();
        let mut sub = bus.subscribe(&queue).await.unwrap();
        let d = next_within(&mut sub, 5, "in-flight delivery").await;
        assert_eq!(d.envelope.id, in_flight.id);
        std::mem::forget(d); // killed mid-work
        drop(sub);
        drop(bus);
        conn.close().await.unwrap();
    }
    let conn = db::connect_url(&url(&path), None).await.unwrap();
    db::migrate(&conn).await.unwrap();
    let bus = InProcessBus::new(conn, policy(), LEASE);
    let mut sub = bus.subscribe(&queue).await.unwrap();
    let mut got = HashSet::new();
    for _ in 0..2 {
        let d = next_within(&mut sub, 10, "delivery after restart").await;
        got.insert(d.envelope.id);
        if d.envelope.id == in_flight.id {
            assert_eq!(
                d.attempt, 2,
                "the interrupted delivery counts as an attempt"
            );
        }
        d.ack().await.unwrap();
    }
    assert_eq!(got, HashSet::from([queued.id, in_flight.id]));
    assert_eq!(bus.depth(&queue.name).await.unwrap(), 0);
}

/// A message whose consumer dies on every delivery ends in the dead-letter
/// queue instead of killing workers forever.
#[tokio::test]
async fn a_message_that_kills_its_consumer_every_time_is_dead_lettered() {
    let (f, _dir) = sqlite_factory().await;
    let queue = unique_queue("poison");
    let publisher = f().await;
    publisher.declare(&queue).await.unwrap();
    let env = sample_event();
    publisher.publish(&env).await.unwrap();
    for attempt in 1..=MAX_ATTEMPTS {
        let bus = f().await;
        let mut sub = bus.subscribe(&queue).await.unwrap();
        let d = next_within(&mut sub, 10, "poison delivery").await;
        assert_eq!(d.attempt, attempt);
        std::mem::forget(d);
    }
    // The next consumer of the queue never sees it again: its claim finds the
    // message used up and moves it aside.
    let bus = f().await;
    let mut sub = bus.subscribe(&queue).await.unwrap();
    bus_suite::assert_nothing_within(&mut sub, 3_000, "a poison message is not delivered again")
        .await;
    let mut dead = bus.subscribe(&queue.dead_letters()).await.unwrap();
    let d = next_within(&mut dead, 10, "poison in the dead-letter queue").await;
    assert_eq!(d.envelope.id, env.id);
}

/// Four consumers on one queue share 40 messages: each is delivered once.
#[tokio::test]
async fn competing_consumers_each_get_a_message_once() {
    let (f, _dir) = sqlite_factory().await;
    let queue = unique_queue("compete");
    let publisher = f().await;
    publisher.declare(&queue).await.unwrap();
    let sent: HashSet<_> = {
        let mut ids = HashSet::new();
        for _ in 0..40 {
            let env = sample_event();
            ids.insert(env.id);
            publisher.publish(&env).await.unwrap();
        }
        ids
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut workers = Vec::new();
    for _ in 0..4 {
        let bus = f().await;
        let tx = tx.clone();
        let queue = queue.clone();
        workers.push(tokio::spawn(async move {
            let mut sub = bus.subscribe(&queue).await.unwrap();
            while let Ok(Ok(d)) = tokio::time::timeout(Duration::from_secs(2), sub.next()).await {
                tx.send(d.envelope.id).unwrap();
                d.ack().await.unwrap();
            }
        }));
    }
    drop(tx);
    for w in workers {
        w.await.unwrap();
    }
    let mut got = Vec::new();
    while let Some(id) = rx.recv().await {
        got.push(id);
    }
    assert_eq!(got.len(), 40, "no duplicates, nothing missing");
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), sent);
}

/// The stage loop: runs handlers concurrently, settles by their answers, and
/// waits for running handlers on shutdown.
#[tokio::test]
async fn consume_runs_handlers_and_settles_by_their_answer() {
    use mymeet_core::bus::{consume, Envelope, Handler, HandlerError};
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Flaky {
        calls: AtomicUsize,
        seen: std::sync::Mutex<HashSet<uuid::Uuid>>,
        poison: uuid::Uuid,
        done: tokio::sync::mpsc::UnboundedSender<uuid::Uuid>,
    }
    #[async_trait::async_trait]
    impl Handler for Flaky {
        async fn handle(&self, env: &Envelope) -> Result<(), HandlerError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if env.id == self.poison {
                return Err(HandlerError::Reject("cannot ever work".into()));
            }
            // Every message fails once, then works.
            if self.seen.lock().unwrap().insert(env.id) {
                return Err(HandlerError::Retry("flaky dependency".into()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.done.send(env.id).unwrap();
            Ok(())
        }
    }

    let (f, _dir) = sqlite_factory().await;
    let bus = f().await;
    let queue = unique_queue("stage");
    bus.declare(&queue).await.unwrap();
    let good: Vec<_> = (0..6).map(|_| sample_event()).collect();
    let poison = sample_event();
    for env in good.iter().chain(std::iter::once(&poison)) {
        bus.publish(env).await.unwrap();
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handler = Arc::new(Flaky {
        calls: AtomicUsize::new(0),
        seen: Default::default(),
        poison: poison.id,
        done: tx,
    });
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stage = tokio::spawn(consume(
        bus.clone(),
        queue.clone(),
        handler.clone(),
        3,
        async move {
            let _ = stop_rx.await;
        },
    ));
    let mut finished = HashSet::new();
    while finished.len() < good.len() {
        let id = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("all good messages are eventually handled")
            .unwrap();
        assert!(finished.insert(id), "handled twice after success: {id}");
    }
    stop_tx.send(()).unwrap();
    stage.await.unwrap().unwrap();
    // 6 good × (1 failure + 1 success) + 1 rejected poison.
    assert_eq!(handler.calls.load(Ordering::SeqCst), 13);
    let mut dead = bus.subscribe(&queue.dead_letters()).await.unwrap();
    let d = next_within(&mut dead, 5, "the rejected message").await;
    assert_eq!(d.envelope.id, poison.id);
}
