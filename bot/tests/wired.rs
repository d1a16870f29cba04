//! The bot wired to a database, a bus and a blob store: real Chromium against
//! the testbed, SQLite + the in-process bus, and PostgreSQL + RabbitMQ.

mod support;

use mymeet_bot::wired::{
    command_queue, hand_over, run_bot, BotIds, WiredContext, WiredOptions, WiredRun,
};
use mymeet_bot::{BotConfig, BotReport, HostAlias};
use mymeet_core::blob::{layout, LocalBlobStore, SharedBlobStore};
use mymeet_core::bus::messages::{
    BotCommand, BotCommandV1, BotEventV1, RecordingCompletedV1, RecordingProgressV1,
};
use mymeet_core::bus::rabbitmq::RabbitBus;
use mymeet_core::bus::{Envelope, Event, QueueSpec, RetryPolicy, SharedBus, Subscription};
use mymeet_core::config::BusConfig;
use mymeet_core::db::entities::recordings as recording_rows;
use mymeet_core::db::repo::{bots, recordings};
use mymeet_core::db::{connect_url, migrate};
use mymeet_core::domain::{BotState, EndReason, Platform};
use mymeet_testbed::{ParticipantSpec, RunningTestbed, Testbed, TestbedConfig};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use uuid::Uuid;

const BOT: &str = "Notetaker";
const RABBIT_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Two short speakers: the meeting's program lasts a few seconds.
async fn testbed() -> RunningTestbed {
    let mut config = TestbedConfig::new(vec![
        ParticipantSpec {
            name: "Alice".into(),
            audio: support::speech("asterisk-en/conf-onlyperson.flac"),
        },
        ParticipantSpec {
            name: "Bob".into(),
            audio: support::speech("asterisk-en/conf-hasleft.flac"),
        },
    ]);
    config.auto_admit = Some(Duration::from_millis(300));
    Testbed::start(config).await.expect("testbed starts")
}

/// Where a test's bot keeps its rows, messages and files.
struct Harness {
    ctx: WiredContext,
    _dirs: Vec<TempDir>,
    /// A PostgreSQL database to drop at the end: (admin URL, name).
    pg: Option<(String, String)>,
    /// A RabbitMQ exchange and queues to delete at the end.
    rabbit: Option<(Arc<RabbitBus>, Vec<QueueSpec>)>,
}

impl Harness {
    /// SQLite, the in-process bus and a local blob store, in temporary folders.
    async fn embedded() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = connect_url(&url, Some(8)).await.expect("open SQLite");
        migrate(&db).await.expect("migrate");
        let bus = mymeet_core::bus::open(&BusConfig::default(), &db)
            .await
            .expect("in-process bus");
        let blobs = tempfile::tempdir().unwrap();
        let store: SharedBlobStore = Arc::new(LocalBlobStore::new(blobs.path()));
        Harness {
            ctx: WiredContext {
                db,
                bus,
                blobs: store,
            },
            _dirs: vec![dir, blobs],
            pg: None,
            rabbit: None,
        }
    }

    /// A throwaway PostgreSQL database and a RabbitMQ exchange of its own.
    async fn postgres_rabbitmq() -> Harness {
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
        let exchange = format!("test.mymeet.{}", Uuid::new_v4().simple());
        let policy = RetryPolicy {
            max_attempts: 3,
            initial_backoff_ms: 50,
            max_backoff_ms: 200,
        };
        let rabbit = Arc::new(
            RabbitBus::connect(RABBIT_URL, &exchange, 8, policy)
                .await
                .unwrap_or_else(|e| {
                    panic!("these tests need RabbitMQ on 127.0.0.1:5672 with guest/guest: {e}")
                }),
        );
        let blobs = tempfile::tempdir().unwrap();
        let store: SharedBlobStore = Arc::new(LocalBlobStore::new(blobs.path()));
        Harness {
            ctx: WiredContext {
                db,
                bus: rabbit.clone() as SharedBus,
                blobs: store,
            },
            _dirs: vec![blobs],
            pg: Some((admin_url, name)),
            rabbit: Some((rabbit, Vec::new())),
        }
    }

    /// A queue of the test's own bound to `topic`, declared now.
    async fn tap(&mut self, topic: &str) -> Box<dyn Subscription> {
        let spec = QueueSpec::new(format!("test.{topic}.{}", Uuid::new_v4().simple()), topic);
        if let Some((_, queues)) = &mut self.rabbit {
            queues.push(spec.clone());
        }
        self.ctx.bus.subscribe(&spec).await.expect("subscribe")
    }

    /// A meeting at `url` and its bot, launched as the launcher does.
    async fn bot_for(&self, url: &str) -> BotIds {
        support::rows::bot_for(&self.ctx.db, url).await
    }

    async fn cleanup(self) {
        if let Some((bus, queues)) = &self.rabbit {
            for q in queues {
                let _ = bus.delete_queue(q).await;
            }
            let _ = bus.delete_exchange().await;
        }
        if let Some((admin_url, name)) = &self.pg {
            let _ = self.ctx.db.clone().close().await;
            if let Ok(admin) = connect_url(admin_url, Some(1)).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        }
    }
}

fn options(tb: &RunningTestbed, out: &Path) -> WiredOptions {
    // The URL comes from the meeting row; this one is a placeholder.
    let mut config = BotConfig::new("", out);
    config.bot_name = BOT.into();
    config.host_aliases = Platform::ALL
        .into_iter()
        .map(|p| format!("{}={p}", tb.addr(p)).parse::<HostAlias>().unwrap())
        .collect();
    config.join_timeout = Duration::from_secs(30);
    config.waiting_room_timeout = Duration::from_secs(60);
    let mut options = WiredOptions::new(config);
    options.upload_every = Duration::from_secs(1);
    options.progress_every = Duration::from_secs(1);
    options
}

/// Every message on `sub` until it stays quiet for `quiet`, acked.
async fn drain(sub: &mut Box<dyn Subscription>, quiet: Duration) -> Vec<Envelope> {
    let mut out = Vec::new();
    while let Ok(next) = tokio::time::timeout(quiet, sub.next()).await {
        let delivery = next.expect("delivery");
        out.push(delivery.envelope.clone());
        delivery.ack().await.expect("ack");
    }
    out
}

/// Decodes a blob with ffmpeg; its length in seconds.
async fn decoded_seconds(blobs: &SharedBlobStore, key: &str) -> f64 {
    let key = mymeet_core::blob::BlobKey::new(key).unwrap();
    let bytes = blobs.get(&key).await.expect("blob exists");
    support::decoded_seconds(&bytes)
}

/// The checks every wired run shares: the row, its history, `bot.events`,
/// the recording row and blobs, and one `recording.completed`.
async fn check_handed_over(
    h: &Harness,
    ids: BotIds,
    run: &WiredRun,
    reason: EndReason,
    events: Vec<Envelope>,
    completed: Vec<Envelope>,
) {
    let report = &run.report;
    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(reason));

    let row = bots::get(&h.ctx.db, ids.bot_id).await.unwrap();
    assert_eq!(row.state(), Some(BotState::Done));
    assert_eq!(row.end_reason(), Some(reason));

    // The stored history: the launcher's step, then every step of bot.json.
    let history: Vec<(String, String, Option<String>)> = bots::history(&h.ctx.db, ids.bot_id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.from_state, t.to_state, t.reason))
        .collect();
    let mut expected = vec![("scheduled".to_owned(), "launching".to_owned(), None)];
    expected.extend(report.transitions.iter().map(|t| {
        (
            t.from.to_string(),
            t.to.to_string(),
            t.reason.map(|r| r.to_string()),
        )
    }));
    assert_eq!(history, expected);
    assert!(
        report
            .transitions
            .iter()
            .any(|t| t.to == BotState::Recording),
        "{:#?}",
        report.transitions
    );

    // bot.events carried the same steps, in order.
    let carried: Vec<(BotState, BotState, Option<EndReason>)> = events
        .iter()
        .map(|e| e.decode::<BotEventV1>().expect("a BotEventV1"))
        .filter(|e| e.bot_id == ids.bot_id)
        .map(|e| (e.from, e.to, e.reason))
        .collect();
    let steps: Vec<(BotState, BotState, Option<EndReason>)> = report
        .transitions
        .iter()
        .map(|t| (t.from, t.to, t.reason))
        .collect();
    assert_eq!(carried, steps);

    // The recording row, its blobs, and exactly one recording.completed.
    let rec = recordings::for_bot(&h.ctx.db, ids.bot_id)
        .await
        .unwrap()
        .expect("a recording row");
    assert_eq!(run.recording_id, Some(rec.id));
    let summary = report.recording.as_ref().expect("recording in bot.json");
    assert!(
        (rec.duration_ms as f64 - summary.duration_s * 1000.0).abs() <= 1.0,
        "{} ms vs {} s",
        rec.duration_ms,
        summary.duration_s
    );
    assert_eq!(
        rec.mixed_blob_key,
        layout::recording_mixed(ids.bot_id, ids.launch).as_str()
    );
    let mixed = decoded_seconds(&h.ctx.blobs, &rec.mixed_blob_key).await;
    assert!(
        (mixed - summary.duration_s).abs() <= 0.5,
        "mixed blob decodes to {mixed} s, recorded {} s",
        summary.duration_s
    );
    let tracks = recordings::tracks(&rec).unwrap();
    assert_eq!(tracks.len(), summary.tracks.len());
    assert!(!tracks.is_empty(), "no remote track recorded");
    for t in &tracks {
        // One launch: every track starts with the recording.
        assert_eq!(t.offset_ms, 0, "{t:?}");
        let secs = decoded_seconds(&h.ctx.blobs, &t.blob_key).await;
        assert!(
            (secs - summary.duration_s).abs() <= 0.5,
            "{} decodes to {secs} s",
            t.blob_key
        );
    }
    // The final tracks hold what the parts did: the parts are gone.
    let parts = h
        .ctx
        .blobs
        .list(&layout::launch_parts_prefix(ids.bot_id, ids.launch))
        .await
        .unwrap();
    assert!(parts.is_empty(), "{parts:?}");
    let bot_json = h
        .ctx
        .blobs
        .get(&layout::bot_report(ids.bot_id, ids.launch))
        .await
        .expect("bot.json uploaded");
    let bot_json: serde_json::Value = serde_json::from_slice(&bot_json).unwrap();
    assert_eq!(bot_json["state"], "done");

    let completed: Vec<RecordingCompletedV1> = completed
        .iter()
        .map(|e| e.decode::<RecordingCompletedV1>().unwrap())
        .filter(|c| c.bot_id == ids.bot_id)
        .collect();
    assert_eq!(
        completed,
        vec![RecordingCompletedV1 {
            recording_id: rec.id,
            bot_id: ids.bot_id,
            meeting_id: ids.meeting_id,
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn meeting_ended_is_stored_announced_and_handed_over() {
    let mut h = Harness::embedded().await;
    let mut events = h.tap(BotEventV1::TOPIC).await;
    let mut completed = h.tap(RecordingCompletedV1::TOPIC).await;
    let mut progress = h.tap(RecordingProgressV1::TOPIC).await;
    let tb = testbed().await;
    let ids = h.bot_for(&tb.join_url(Platform::Meet)).await;
    let out = tempfile::tempdir().unwrap();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let bot = tokio::spawn(run_bot(
        h.ctx.clone(),
        ids.bot_id,
        options(&tb, out.path()),
        stop,
    ));

    support::rows::until_row(&h.ctx.db, ids.bot_id, BotState::Recording).await;
    // While recording, flushed audio reaches the blob store: whole tracks
    // (every second here) and the parts appended to them.
    let prefix = layout::launch_tracks_prefix(ids.bot_id, ids.launch);
    let parts_prefix = layout::launch_parts_prefix(ids.bot_id, ids.launch);
    let (mut uploaded, mut parts) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        uploaded = h.ctx.blobs.list(&prefix).await.unwrap();
        parts = h.ctx.blobs.list(&parts_prefix).await.unwrap();
        if !uploaded.is_empty() && !parts.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!uploaded.is_empty(), "nothing uploaded while recording");
    assert!(!parts.is_empty(), "no part uploaded while recording");
    // Let the short program play out, then the host ends the meeting.
    let schedule = tb.schedule();
    let clock = schedule.clock_started_at_ms.expect("clock started") as i64;
    let until = clock + schedule.program_end_offset_ms as i64 + 300;
    let wait = (until - chrono::Utc::now().timestamp_millis()).max(0) as u64;
    tokio::time::sleep(Duration::from_millis(wait)).await;
    tb.end_meeting();
    let run = bot.await.unwrap().expect("the wired bot runs");
    let events = drain(&mut events, Duration::from_millis(500)).await;
    let completed = drain(&mut completed, Duration::from_millis(500)).await;
    check_handed_over(&h, ids, &run, EndReason::MeetingEnded, events, completed).await;
    // While recording it announced its uploaded tracks for live transcription.
    let progress: Vec<RecordingProgressV1> = drain(&mut progress, Duration::from_millis(500))
        .await
        .iter()
        .map(|e| e.decode().unwrap())
        .collect();
    assert!(
        !progress.is_empty(),
        "no recording.progress while recording"
    );
    for p in &progress {
        assert_eq!((p.bot_id, p.meeting_id), (ids.bot_id, ids.meeting_id));
        assert!(!p.tracks.is_empty(), "{p:?}");
        for key in &p.tracks {
            assert!(key.starts_with(&prefix), "{key}");
            // Readable as the live transcription reads it (snapshot + parts).
            let key = mymeet_core::blob::BlobKey::new(key.as_str()).unwrap();
            let so_far =
                mymeet_core::launches::track_so_far(h.ctx.blobs.as_ref(), ids.bot_id, &key)
                    .await
                    .unwrap()
                    .unwrap_or_else(|| panic!("{key} announced, nothing of it uploaded"));
            assert!(support::decoded_seconds(&so_far) > 0.0, "{key}");
        }
    }
    assert!(
        progress
            .windows(2)
            .all(|w| w[0].recorded_s < w[1].recorded_s),
        "{progress:?}"
    );
    // The bot's command queue went with it: a late command is kept nowhere.
    h.ctx
        .bus
        .publish(&Envelope::new(&BotCommandV1 {
            bot_id: ids.bot_id,
            command: BotCommand::Stop,
        }))
        .await
        .unwrap();
    let queue = command_queue(ids.bot_id).name;
    for table in ["bus_bindings", "bus_messages"] {
        let row = h
            .ctx
            .db
            .query_one(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                format!("SELECT COUNT(*) AS n FROM {table} WHERE queue = ?"),
                [queue.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get("", "n").unwrap();
        assert_eq!(n, 0, "{table} still holds {queue}");
    }
    tb.shutdown().await;
    h.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stop_command_on_postgres_and_rabbitmq_keeps_the_recording() {
    let mut h = Harness::postgres_rabbitmq().await;
    let mut events = h.tap(BotEventV1::TOPIC).await;
    let mut completed = h.tap(RecordingCompletedV1::TOPIC).await;
    let tb = testbed().await;
    let ids = h.bot_for(&tb.join_url(Platform::Meet)).await;
    let out = tempfile::tempdir().unwrap();
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let bot = tokio::spawn(run_bot(
        h.ctx.clone(),
        ids.bot_id,
        options(&tb, out.path()),
        stop,
    ));
    support::rows::until_row(&h.ctx.db, ids.bot_id, BotState::Recording).await;
    // A stop for another bot is not for this one.
    let stop_for = |bot_id| {
        Envelope::new(&BotCommandV1 {
            bot_id,
            command: BotCommand::Stop,
        })
    };
    h.ctx.bus.publish(&stop_for(Uuid::new_v4())).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        bots::get(&h.ctx.db, ids.bot_id).await.unwrap().state(),
        Some(BotState::Recording),
        "another bot's stop stopped this one"
    );
    let sent_at = chrono::Utc::now();
    h.ctx.bus.publish(&stop_for(ids.bot_id)).await.unwrap();
    let run = tokio::time::timeout(Duration::from_secs(30), bot)
        .await
        .expect("the bot stops within 30 s")
        .unwrap()
        .expect("the wired bot runs");
    let left = run
        .report
        .transitions
        .iter()
        .find(|t| t.to == BotState::Leaving)
        .expect("left");
    assert!(left.at >= sent_at, "left before the stop was sent");
    let events = drain(&mut events, Duration::from_millis(500)).await;
    let completed = drain(&mut completed, Duration::from_millis(500)).await;
    check_handed_over(&h, ids, &run, EndReason::StoppedByUser, events, completed).await;
    // The bot's own command queue is gone with it.
    let spec = command_queue(ids.bot_id);
    if let Some((rabbit, _)) = &h.rabbit {
        assert!(
            rabbit.purge_queue(&spec.name).await.is_err(),
            "{} still exists",
            spec.name
        );
    }
    tb.shutdown().await;
    h.cleanup().await;
}

/// A finish step run twice (a crash after the upload, before the publish):
/// one recording row, and `recording.completed` published again. The audio
/// is a killed bot's: tracks only, mixed by the finish step.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finish_step_twice_stores_one_recording_and_publishes_again() {
    let mut h = Harness::embedded().await;
    let mut completed = h.tap(RecordingCompletedV1::TOPIC).await;
    let ids = h.bot_for("https://meet.google.com/abc-defg-hij").await;
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("tracks")).unwrap();
    support::require("ffmpeg");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-y", "-i"])
        .arg(support::speech("asterisk-en/conf-onlyperson.flac"))
        .args(["-ac", "1", "-ar", "48000", "-c:a", "libopus"])
        .arg(out.path().join("tracks/track-0.ogg"))
        .status()
        .expect("run ffmpeg");
    assert!(status.success());
    let mut report = BotReport::new("https://meet.google.com/abc-defg-hij", BOT);
    report.recording_started_at = Some(chrono::Utc::now());

    let first = hand_over(&h.ctx, ids, out.path(), &report).await.unwrap();
    let second = hand_over(&h.ctx, ids, out.path(), &report).await.unwrap();
    assert!(first.is_some());
    assert_eq!(first, second);
    let rows = recording_rows::Entity::find()
        .filter(recording_rows::Column::BotId.eq(ids.bot_id))
        .count(&h.ctx.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let rec = recordings::get(&h.ctx.db, first.unwrap()).await.unwrap();
    assert!(
        (rec.duration_ms - 3160).abs() <= 100,
        "{} ms for a 3.16 s track",
        rec.duration_ms
    );
    let mixed = decoded_seconds(&h.ctx.blobs, &rec.mixed_blob_key).await;
    assert!(
        (mixed - 3.16).abs() <= 0.1,
        "mixed blob decodes to {mixed} s"
    );
    let published: Vec<Uuid> = drain(&mut completed, Duration::from_millis(500))
        .await
        .iter()
        .map(|e| e.decode::<RecordingCompletedV1>().unwrap().recording_id)
        .collect();
    assert_eq!(published, vec![rec.id, rec.id]);

    // A bot that never got in: bot.json only, no recording, nothing published.
    let never = h.bot_for("https://meet.google.com/xyz-wxyz-xyz").await;
    let report = BotReport::new("https://meet.google.com/xyz-wxyz-xyz", BOT);
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        hand_over(&h.ctx, never, empty.path(), &report)
            .await
            .unwrap(),
        None
    );
    assert!(h
        .ctx
        .blobs
        .exists(&layout::bot_report(never.bot_id, never.launch))
        .await
        .unwrap());
    assert!(recordings::for_bot(&h.ctx.db, never.bot_id)
        .await
        .unwrap()
        .is_none());
    assert!(drain(&mut completed, Duration::from_millis(300))
        .await
        .is_empty());
    h.cleanup().await;
}

/// A bot restarted while its row says `recording` goes back to `launching`
/// (`crashed`) before it runs again; one that cannot join ends `failed` with
/// its `bot.json` uploaded and no recording; an ended bot is never run again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restarted_bot_relaunches_and_an_ended_bot_is_refused() {
    let mut h = Harness::embedded().await;
    let mut events = h.tap(BotEventV1::TOPIC).await;
    let mut completed = h.tap(RecordingCompletedV1::TOPIC).await;
    // No platform serves this link: the bot fails before starting Chromium.
    let ids = h.bot_for("https://example.com/not-a-meeting").await;
    for to in [BotState::Joining, BotState::Recording] {
        bots::transition(&h.ctx.db, ids.bot_id, to, None, None)
            .await
            .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let options = WiredOptions::new(BotConfig::new("", out.path()));
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let run = run_bot(h.ctx.clone(), ids.bot_id, options.clone(), stop.clone())
        .await
        .expect("the wired bot runs");
    assert_eq!(run.report.state, BotState::Failed);
    assert_eq!(run.report.end_reason, Some(EndReason::JoinError));
    assert_eq!(run.recording_id, None);

    let history: Vec<(String, String, Option<String>)> = bots::history(&h.ctx.db, ids.bot_id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.from_state, t.to_state, t.reason))
        .collect();
    let step =
        |a: &str, b: &str, r: Option<&str>| (a.to_owned(), b.to_owned(), r.map(str::to_owned));
    assert_eq!(
        history,
        vec![
            step("scheduled", "launching", None),
            step("launching", "joining", None),
            step("joining", "recording", None),
            step("recording", "launching", Some("crashed")),
            step("launching", "failed", Some("join_error")),
        ]
    );
    let carried: Vec<(BotState, BotState)> = drain(&mut events, Duration::from_millis(300))
        .await
        .iter()
        .map(|e| e.decode::<BotEventV1>().unwrap())
        .map(|e| (e.from, e.to))
        .collect();
    assert_eq!(
        carried,
        vec![
            (BotState::Recording, BotState::Launching),
            (BotState::Launching, BotState::Failed)
        ]
    );
    // The relaunch is the bot's second launch: its bot.json is filed under
    // launch 2, and launch 1's folder is left as it was (empty here).
    let bot_json = h
        .ctx
        .blobs
        .get(&layout::bot_report(ids.bot_id, 2))
        .await
        .unwrap();
    let bot_json: serde_json::Value = serde_json::from_slice(&bot_json).unwrap();
    assert_eq!(bot_json["end_reason"], "join_error");
    assert!(h
        .ctx
        .blobs
        .list(&layout::launch_prefix(ids.bot_id, 1))
        .await
        .unwrap()
        .is_empty());
    // On disk too, the second launch kept to its own folder.
    assert!(out.path().join("launch-2/bot.json").is_file());
    assert!(!out.path().join("launch-1").exists());
    assert!(!out.path().join("bot.json").exists());
    assert!(recordings::for_bot(&h.ctx.db, ids.bot_id)
        .await
        .unwrap()
        .is_none());
    assert!(drain(&mut completed, Duration::from_millis(300))
        .await
        .is_empty());

    // Ended: refused, and nothing changes.
    let err = run_bot(h.ctx.clone(), ids.bot_id, options, stop)
        .await
        .expect_err("an ended bot is refused");
    assert!(
        matches!(
            err,
            mymeet_bot::wired::WiredError::AlreadyEnded {
                state: BotState::Failed,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(bots::history(&h.ctx.db, ids.bot_id).await.unwrap().len(), 5);
    h.cleanup().await;
}

/// `flac` (under the test speech) as a bot's Ogg/Opus track at `out`.
fn opus_track(flac: &str, out: &Path) -> Vec<u8> {
    support::require("ffmpeg");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-y", "-i"])
        .arg(support::speech(flac))
        .args(["-ac", "1", "-ar", "48000", "-c:a", "libopus"])
        .arg(out)
        .status()
        .expect("run ffmpeg");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

/// A bot relaunched after it crashed while recording: launch 1's live upload
/// left its track in blob storage; launch 2 records its own track of the
/// same slot and hands over. The recording row lists both launches' tracks,
/// each at the time its launch started recording, the span covers both,
/// and launch 2 overwrote nothing of launch 1's.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_relaunched_bot_hands_over_every_launchs_tracks_on_postgres() {
    let mut h = Harness::postgres_rabbitmq().await;
    let mut completed = h.tap(RecordingCompletedV1::TOPIC).await;
    let first = h.bot_for("https://meet.google.com/abc-defg-hij").await;
    let db = &h.ctx.db;
    let files = tempfile::tempdir().unwrap();

    // Launch 1 gets in; its live upload puts up what it recorded; it dies.
    for to in [BotState::Joining, BotState::Recording] {
        bots::transition(db, first.bot_id, to, None, None)
            .await
            .unwrap();
    }
    let first_audio = opus_track(
        "asterisk-en/conf-onlyperson.flac",
        &files.path().join("first.ogg"),
    );
    let first_key = layout::recording_track(first.bot_id, 1, "track-0.ogg").unwrap();
    h.ctx
        .blobs
        .put(&first_key, first_audio.clone().into())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;

    // The relaunch, as the launcher stores it, and launch 2 gets in again.
    bots::transition(
        db,
        first.bot_id,
        BotState::Launching,
        Some(EndReason::Crashed),
        None,
    )
    .await
    .unwrap();
    for to in [BotState::Joining, BotState::Recording] {
        bots::transition(db, first.bot_id, to, None, None)
            .await
            .unwrap();
    }
    let second = BotIds { launch: 2, ..first };
    let out = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(out.path().join("tracks")).unwrap();
    let second_audio = opus_track(
        "asterisk-en/conf-hasleft.flac",
        &out.path().join("tracks/track-0.ogg"),
    );
    assert_ne!(first_audio, second_audio);
    // Killed before it finalized: the finish step mixes its tracks.
    let mut report = BotReport::new("https://meet.google.com/abc-defg-hij", BOT);
    report.recording_started_at = Some(chrono::Utc::now());
    let recording_id = hand_over(&h.ctx, second, out.path(), &report)
        .await
        .unwrap()
        .expect("a recording");

    let starts: Vec<_> = bots::history(db, first.bot_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.to_state == BotState::Recording.as_str())
        .map(|t| t.at)
        .collect();
    assert_eq!(starts.len(), 2);
    let offset_ms = (starts[1] - starts[0]).num_milliseconds();
    assert!(offset_ms >= 1200, "{offset_ms} ms between the launches");

    let rec = recordings::get(db, recording_id).await.unwrap();
    let tracks = recordings::tracks(&rec).unwrap();
    let second_key = layout::recording_track(first.bot_id, 2, "track-0.ogg").unwrap();
    let listed: Vec<(&str, i64)> = tracks
        .iter()
        .map(|t| (t.blob_key.as_str(), t.offset_ms))
        .collect();
    assert_eq!(
        listed,
        vec![(first_key.as_str(), 0), (second_key.as_str(), offset_ms)]
    );
    assert_ne!(tracks[0].name, tracks[1].name);
    let second_s = decoded_seconds(&h.ctx.blobs, second_key.as_str()).await;
    let first_s = decoded_seconds(&h.ctx.blobs, first_key.as_str()).await;
    let span_ms = (offset_ms as f64 + second_s * 1000.0).max(first_s * 1000.0);
    assert!(
        (rec.duration_ms as f64 - span_ms).abs() <= 150.0,
        "{} ms for launch 2 at {offset_ms} ms + {second_s} s",
        rec.duration_ms
    );
    assert_eq!(
        rec.mixed_blob_key,
        layout::recording_mixed(first.bot_id, 2).as_str()
    );
    // Nothing overwritten: each launch's blob holds its own bytes.
    assert_eq!(h.ctx.blobs.get(&first_key).await.unwrap(), first_audio);
    assert_eq!(h.ctx.blobs.get(&second_key).await.unwrap(), second_audio);
    assert!(h
        .ctx
        .blobs
        .exists(&layout::bot_report(first.bot_id, 2))
        .await
        .unwrap());
    assert!(!h
        .ctx
        .blobs
        .exists(&layout::bot_report(first.bot_id, 1))
        .await
        .unwrap());
    let published: Vec<Uuid> = drain(&mut completed, Duration::from_millis(500))
        .await
        .iter()
        .map(|e| e.decode::<RecordingCompletedV1>().unwrap().recording_id)
        .collect();
    assert_eq!(published, vec![recording_id]);
    h.cleanup().await;
}
