//! The launcher with real child processes: a small shell program stands in
//! for `mymeet bot`, writing its pid and bot id to a file when it starts.

mod support;

use chrono::Duration;
use mymeet_core::blob::LocalBlobStore;
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::{RetryPolicy, SharedBus};
use mymeet_core::db::repo::{self, scheduling};
use mymeet_core::domain::{BotState, EndReason};
use mymeet_scheduler::launcher::{
    Launcher, LauncherConfig, OrphanRecordings, ProcessBackend, ProcessConfig, TickReport,
};
use mymeet_scheduler::planner::{ManualClock, Planner, PlannerConfig};
use sea_orm::DatabaseConnection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::{put_event, t0, tenant, user_with_calendar, Ev};
use uuid::Uuid;

/// A launcher whose bots are `sh -c` scripts logging "PID BOT-ID" to `log`.
fn launcher(
    db: &DatabaseConnection,
    clock: Arc<ManualClock>,
    log: &Path,
    instance: &str,
    max_concurrent: usize,
) -> Launcher {
    let script = format!(
        "echo \"$$ $2\" >> '{}'; sleep 60 >/dev/null 2>&1 </dev/null",
        log.display()
    );
    let config = LauncherConfig {
        max_concurrent,
        process: ProcessConfig {
            program: Some(PathBuf::from("/bin/sh")),
            args: vec!["-c".into(), script, "fake-bot".into()],
            ..ProcessConfig::default()
        },
        ..LauncherConfig::default()
    };
    let backend = Arc::new(ProcessBackend::new(config.process.clone()).expect("backend"));
    Launcher::new(db.clone(), clock, backend, config, instance)
}

/// (pid, bot id) lines of the launch log, waiting a moment for `n` of them.
async fn launches(log: &Path, n: usize) -> Vec<(i32, Uuid)> {
    for _ in 0..100 {
        let lines = read_log(log);
        if lines.len() >= n {
            return lines;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    read_log(log)
}

fn read_log(log: &Path) -> Vec<(i32, Uuid)> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (pid, id) = l.split_once(' ')?;
            Some((pid.parse().ok()?, id.parse().ok()?))
        })
        .collect()
}

/// Ticks until `done` holds for a tick's report (a killed shell may take
/// a moment to be reaped), or gives the last report after 50 tries.
async fn tick_until(l: &Launcher, done: impl Fn(&TickReport) -> bool) -> TickReport {
    let mut report = l.tick().await.unwrap();
    for _ in 0..50 {
        if done(&report) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        report = l.tick().await.unwrap();
    }
    report
}

fn kill(pid: i32) {
    let ok = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -9 {pid}");
}

/// One planned bot for a meeting at t0 + 10 min; returns its id.
async fn planned_bot(db: &DatabaseConnection, clock: Arc<ManualClock>) -> Uuid {
    let t = tenant(db).await;
    let (_u, cal) = user_with_calendar(db, t, "ann@acme.com").await;
    put_event(
        db,
        &cal,
        &Ev::new(
            "e1",
            t0() + Duration::minutes(10),
            "https://zoom.us/j/85312345678",
            "ann@acme.com",
        ),
    )
    .await;
    let report = Planner::new(db.clone(), clock, PlannerConfig::default())
        .plan_tenant(t)
        .await
        .expect("plan");
    report.created[0]
}

/// A planned bot, nine minutes before its meeting, and what a launcher
/// needs to adopt its orphaned recordings: a local blob store and an
/// in-process bus on the test's database.
struct Adoption {
    db: DatabaseConnection,
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    bot: Uuid,
    log: PathBuf,
    blobs: Arc<LocalBlobStore>,
    bus: SharedBus,
    orphans: OrphanRecordings,
}

async fn adoption() -> Adoption {
    let (db, dir) = support::db().await;
    let clock = Arc::new(ManualClock::new(t0() + Duration::minutes(9)));
    let bot = planned_bot(&db, clock.clone()).await;
    let log = dir.path().join("launches.log");
    let blobs = Arc::new(LocalBlobStore::new(dir.path().join("blobs")));
    let bus: SharedBus = Arc::new(InProcessBus::new(
        db.clone(),
        RetryPolicy::default(),
        std::time::Duration::from_secs(5),
    ));
    let orphans = OrphanRecordings {
        blobs: blobs.clone(),
        bus: bus.clone(),
    };
    Adoption {
        db,
        dir,
        clock,
        bot,
        log,
        blobs,
        bus,
        orphans,
    }
}

#[tokio::test]
async fn a_bot_starts_at_start_minus_lead_time_not_before() {
    let (db, dir) = support::db().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let bot = planned_bot(&db, clock.clone()).await;
    let log = dir.path().join("launches.log");
    let l = launcher(&db, clock.clone(), &log, "one", 4);

    // Ten minutes before the meeting and one second before the lead time: nothing.
    assert!(l.tick().await.unwrap().launched.is_empty());
    clock.set(t0() + Duration::minutes(10) - Duration::seconds(61));
    let r = l.tick().await.unwrap();
    assert!(r.leader && r.launched.is_empty(), "{r:?}");
    assert_eq!(
        repo::bots::get(&db, bot).await.unwrap().state(),
        Some(BotState::Scheduled)
    );

    clock.set(t0() + Duration::minutes(10) - Duration::seconds(60));
    let r = l.tick().await.unwrap();
    assert_eq!(r.launched, vec![bot]);
    assert_eq!(
        repo::bots::get(&db, bot).await.unwrap().state(),
        Some(BotState::Launching)
    );
    let started = launches(&log, 1).await;
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].1, bot);
    // Further ticks see it running and start nothing more.
    let r = l.tick().await.unwrap();
    assert!(
        r.launched.is_empty() && r.restarted.is_empty() && r.failed.is_empty(),
        "{r:?}"
    );
    kill(started[0].0);
}

#[tokio::test]
async fn a_crashed_bot_inside_its_meeting_is_restarted() {
    let (db, dir) = support::db().await;
    let clock = Arc::new(ManualClock::new(t0() + Duration::minutes(9)));
    let bot = planned_bot(&db, clock.clone()).await;
    let log = dir.path().join("launches.log");
    let l = launcher(&db, clock.clone(), &log, "one", 4);
    assert_eq!(l.tick().await.unwrap().launched, vec![bot]);
    let first = launches(&log, 1).await[0];
    // The bot reports its progress the way the real one does.
    repo::bots::transition(&db, bot, BotState::Joining, None, None)
        .await
        .unwrap();
    repo::bots::transition(&db, bot, BotState::Recording, None, None)
        .await
        .unwrap();

    kill(first.0);
    clock.set(t0() + Duration::minutes(20));
    let report = tick_until(&l, |r| !r.restarted.is_empty()).await;
    assert_eq!(report.restarted, vec![bot], "{report:?}");
    let b = repo::bots::get(&db, bot).await.unwrap();
    assert_eq!(b.state(), Some(BotState::Launching));
    assert_eq!(b.end_reason(), Some(EndReason::Crashed));
    let all = launches(&log, 2).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].1, bot);
    assert_ne!(all[1].0, first.0);

    // After the meeting a dead bot is failed, not restarted.
    repo::bots::transition(&db, bot, BotState::Joining, None, None)
        .await
        .unwrap();
    kill(all[1].0);
    clock.set(t0() + Duration::minutes(45));
    let report = tick_until(&l, |r| !r.failed.is_empty()).await;
    assert_eq!(report.failed, vec![bot], "{report:?}");
    assert!(report.restarted.is_empty());
    assert_eq!(
        repo::bots::get(&db, bot).await.unwrap().state(),
        Some(BotState::Failed)
    );
    assert_eq!(read_log(&log).len(), 2);
}

#[tokio::test]
async fn two_instances_and_a_restart_never_launch_twice() {
    let (db, dir) = support::db().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let t = tenant(&db).await;
    let (_u, cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    for i in 0..5 {
        let url = format!("https://zoom.us/j/8531234567{i}");
        let id = format!("e{i}");
        put_event(
            &db,
            &cal,
            &Ev::new(&id, t0() + Duration::minutes(1), &url, "ann@acme.com"),
        )
        .await;
    }
    Planner::new(db.clone(), clock.clone(), PlannerConfig::default())
        .plan_tenant(t)
        .await
        .unwrap();
    let log = dir.path().join("launches.log");
    let a = Arc::new(launcher(&db, clock.clone(), &log, "instance-a", 10));
    let b = Arc::new(launcher(&db, clock.clone(), &log, "instance-b", 10));
    // Both tick at the same time, several times.
    for _ in 0..3 {
        let (ra, rb) = tokio::join!(a.tick(), b.tick());
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert!(ra.leader != rb.leader, "exactly one leader: {ra:?} {rb:?}");
    }
    let started = launches(&log, 5).await;
    assert_eq!(started.len(), 5, "{started:?}");
    let mut ids: Vec<Uuid> = started.iter().map(|s| s.1).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "every bot exactly once");

    // The leader dies; after its lease expires a fresh instance takes over,
    // finds the bots' processes running and launches nothing again.
    drop(a);
    clock.advance(Duration::seconds(31));
    let c = launcher(&db, clock.clone(), &log, "instance-c", 10);
    let r = c.tick().await.unwrap();
    assert!(r.leader, "{r:?}");
    assert!(
        r.launched.is_empty() && r.restarted.is_empty() && r.failed.is_empty(),
        "{r:?}"
    );
    assert_eq!(read_log(&log).len(), 5);
    let lease = scheduling::get_lease(&db, "launcher")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lease.holder, "instance-c");
    for (pid, _) in started {
        kill(pid);
    }
}

#[tokio::test]
async fn the_concurrency_limit_holds_bots_back() {
    let (db, dir) = support::db().await;
    let clock = Arc::new(ManualClock::new(t0()));
    let t = tenant(&db).await;
    let (_u, cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    for i in 0..3 {
        let url = format!("https://zoom.us/j/9531234567{i}");
        let id = format!("c{i}");
        put_event(
            &db,
            &cal,
            &Ev::new(&id, t0() + Duration::minutes(1), &url, "ann@acme.com"),
        )
        .await;
    }
    Planner::new(db.clone(), clock.clone(), PlannerConfig::default())
        .plan_tenant(t)
        .await
        .unwrap();
    let log = dir.path().join("launches.log");
    let l = launcher(&db, clock.clone(), &log, "one", 2);
    assert_eq!(l.tick().await.unwrap().launched.len(), 2);
    assert!(l.tick().await.unwrap().launched.is_empty());
    let started = launches(&log, 2).await;
    kill(started[0].0);
    // One slot frees when that bot's process is gone (it failed in launching).
    let mut launched = Vec::new();
    for _ in 0..50 {
        launched = l.tick().await.unwrap().launched;
        if !launched.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(launched.len(), 1);
    for (pid, _) in launches(&log, 3).await.into_iter().skip(1) {
        kill(pid);
    }
}

#[tokio::test]
async fn a_bot_killed_while_recording_after_its_meeting_hands_its_uploads_over() {
    use mymeet_core::blob::{layout, BlobStore};
    use mymeet_core::bus::messages::RecordingCompletedV1;
    use mymeet_core::bus::{Event, QueueSpec};

    let Adoption {
        db,
        dir,
        clock,
        bot,
        log,
        blobs,
        bus,
        orphans,
    } = adoption().await;
    let queue = QueueSpec::stage(RecordingCompletedV1::TOPIC);
    bus.declare(&queue).await.unwrap();
    let l = launcher(&db, clock.clone(), &log, "one", 4).with_orphan_recordings(orphans);
    assert_eq!(l.tick().await.unwrap().launched, vec![bot]);
    let first = launches(&log, 1).await[0];
    repo::bots::transition(&db, bot, BotState::Joining, None, None)
        .await
        .unwrap();
    repo::bots::transition(&db, bot, BotState::Recording, None, None)
        .await
        .unwrap();
    // What the bot uploaded while recording: 3 s of one remote voice, in Opus.
    let track = dir.path().join("track-1.ogg");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("sine=frequency=440:duration=3")
        .args(["-ac", "1", "-ar", "48000", "-c:a", "libopus"])
        .arg(&track)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success());
    let key = layout::recording_track(bot, 1, "track-1.ogg").unwrap();
    blobs.put_file(&key, &track).await.unwrap();

    // It dies after its meeting: not restarted, failed, and its audio adopted.
    kill(first.0);
    clock.set(t0() + Duration::minutes(45));
    let report = tick_until(&l, |r| !r.failed.is_empty()).await;
    assert_eq!(report.failed, vec![bot], "{report:?}");
    assert!(report.restarted.is_empty());
    assert_eq!(report.adopted.len(), 1, "{report:?}");
    let recording = repo::recordings::for_bot(&db, bot)
        .await
        .unwrap()
        .expect("a recording row");
    assert_eq!(recording.id, report.adopted[0]);
    assert!(
        (2900..=3100).contains(&recording.duration_ms),
        "{} ms",
        recording.duration_ms
    );
    let tracks = recording.tracks().unwrap();
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0].blob_key, key.to_string());
    let mut sub = bus.subscribe(&queue).await.unwrap();
    let delivery = tokio::time::timeout(std::time::Duration::from_secs(5), sub.next())
        .await
        .expect("recording.completed published")
        .unwrap();
    let completed: RecordingCompletedV1 = delivery.envelope.decode().unwrap();
    assert_eq!(
        (completed.recording_id, completed.bot_id),
        (recording.id, bot)
    );
}

/// `seconds` of a sine at `hz` as the bot's Ogg/Opus track, in `dir`.
fn sine_track(dir: &Path, hz: u32, seconds: u32) -> PathBuf {
    let track = dir.join(format!("sine-{hz}.ogg"));
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("sine=frequency={hz}:duration={seconds}"))
        .args(["-ac", "1", "-ar", "48000", "-c:a", "libopus"])
        .arg(&track)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success());
    track
}

/// A bot killed while recording, restarted inside its meeting, recording
/// again and killed again after the meeting: both launches' uploads are
/// adopted, each at its launch's place on the meeting's timeline, and the
/// second launch overwrote nothing of the first's.
#[tokio::test]
async fn a_relaunched_bots_uploads_of_every_launch_are_adopted() {
    use mymeet_core::blob::{layout, BlobStore};

    let Adoption {
        db,
        dir,
        clock,
        bot,
        log,
        blobs,
        orphans,
        ..
    } = adoption().await;
    let l = launcher(&db, clock.clone(), &log, "one", 4).with_orphan_recordings(orphans);
    let record = |to| repo::bots::transition(&db, bot, to, None, None);

    // Launch 1 records 3 s and uploads them, then dies inside the meeting.
    assert_eq!(l.tick().await.unwrap().launched, vec![bot]);
    let first = launches(&log, 1).await[0];
    record(BotState::Joining).await.unwrap();
    record(BotState::Recording).await.unwrap();
    let first_audio = std::fs::read(sine_track(dir.path(), 440, 3)).unwrap();
    let first_key = layout::recording_track(bot, 1, "track-1.ogg").unwrap();
    blobs
        .put(&first_key, first_audio.clone().into())
        .await
        .unwrap();
    kill(first.0);
    clock.set(t0() + Duration::minutes(20));
    let report = tick_until(&l, |r| !r.restarted.is_empty()).await;
    assert_eq!(report.restarted, vec![bot], "{report:?}");
    let second = launches(&log, 2).await[1];

    // Launch 2 gets in again a while later, records 2 s on the same slot
    // name, and dies after the meeting.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    record(BotState::Joining).await.unwrap();
    record(BotState::Recording).await.unwrap();
    let second_audio = std::fs::read(sine_track(dir.path(), 880, 2)).unwrap();
    let second_key = layout::recording_track(bot, 2, "track-1.ogg").unwrap();
    blobs
        .put(&second_key, second_audio.clone().into())
        .await
        .unwrap();
    kill(second.0);
    clock.set(t0() + Duration::minutes(45));
    let report = tick_until(&l, |r| !r.failed.is_empty()).await;
    assert_eq!(report.failed, vec![bot], "{report:?}");
    assert_eq!(report.adopted.len(), 1, "{report:?}");

    // Where each launch started recording, as stored.
    let starts: Vec<_> = repo::bots::history(&db, bot)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.to_state == BotState::Recording.as_str())
        .map(|t| t.at)
        .collect();
    assert_eq!(starts.len(), 2);
    let offset_ms = (starts[1] - starts[0]).num_milliseconds();
    assert!(offset_ms >= 1500, "{offset_ms} ms between the launches");

    let recording = repo::recordings::for_bot(&db, bot)
        .await
        .unwrap()
        .expect("a recording row");
    let tracks = recording.tracks().unwrap();
    let listed: Vec<(&str, i64)> = tracks
        .iter()
        .map(|t| (t.blob_key.as_str(), t.offset_ms))
        .collect();
    assert_eq!(
        listed,
        vec![(first_key.as_str(), 0), (second_key.as_str(), offset_ms)]
    );
    assert_ne!(tracks[0].name, tracks[1].name);
    // The span runs from launch 1's start to the end of launch 2's 2 s.
    assert!(
        (recording.duration_ms - (offset_ms + 2000)).abs() <= 100,
        "{} ms, launch 2 at {offset_ms} ms",
        recording.duration_ms
    );
    // Nothing overwritten: each launch's blob holds what it uploaded.
    assert_eq!(blobs.get(&first_key).await.unwrap(), first_audio);
    assert_eq!(blobs.get(&second_key).await.unwrap(), second_audio);
    assert_ne!(first_audio, second_audio);
}

/// Where each Ogg page of `bytes` starts, and the end.
fn page_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at + 27 <= bytes.len() {
        assert_eq!(&bytes[at..at + 4], b"OggS", "a page at {at}");
        let segments = usize::from(bytes[at + 26]);
        let body: usize = bytes[at + 27..at + 27 + segments]
            .iter()
            .map(|&b| usize::from(b))
            .sum();
        starts.push(at);
        at += 27 + segments + body;
    }
    starts.push(at);
    starts
}

/// Seconds ffmpeg decodes from `bytes`; panics unless they decode cleanly.
fn decoded_seconds(dir: &Path, bytes: &[u8]) -> f64 {
    let file = dir.join(format!("decode-{}.ogg", Uuid::new_v4().simple()));
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-xerror", "-i"])
        .arg(&file)
        .args(["-ac", "1", "-ar", "16000", "-f", "f32le", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "does not decode cleanly: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.len() as f64 / 4.0 / 16_000.0
}

/// A bot killed after its meeting whose last whole-file snapshot of one
/// track is old and whose other track has parts only: the adoption rebuilds
/// both from the parts it uploaded every couple of seconds, stores them as
/// the tracks the recording lists, and adopting again (a launcher that
/// crashed mid-adoption) gives the same blobs and the same row.
#[tokio::test]
async fn a_killed_bots_parts_are_rebuilt_into_whole_tracks_on_adoption() {
    use mymeet_core::blob::{layout, BlobStore};

    let Adoption {
        db,
        dir,
        clock,
        bot,
        log,
        blobs,
        orphans,
        ..
    } = adoption().await;
    let l = launcher(&db, clock.clone(), &log, "one", 4).with_orphan_recordings(orphans.clone());
    assert_eq!(l.tick().await.unwrap().launched, vec![bot]);
    let first = launches(&log, 1).await[0];
    repo::bots::transition(&db, bot, BotState::Joining, None, None)
        .await
        .unwrap();
    repo::bots::transition(&db, bot, BotState::Recording, None, None)
        .await
        .unwrap();

    // Track 1: a snapshot of its first three pages, parts of all of it, two
    // pages each (cut at pages, as the bot cuts them at flushes; one part
    // straddles the snapshot's end). Track 2: parts only.
    let one = std::fs::read(sine_track(dir.path(), 440, 6)).unwrap();
    let two = std::fs::read(sine_track(dir.path(), 660, 5)).unwrap();
    for (file, audio, snapshot_pages) in
        [("track-1.ogg", &one, Some(3)), ("track-2.ogg", &two, None)]
    {
        let starts = page_starts(audio);
        if let Some(pages) = snapshot_pages {
            let key = layout::recording_track(bot, 1, file).unwrap();
            blobs
                .put(&key, audio[..starts[pages]].to_vec().into())
                .await
                .unwrap();
        }
        let pages = starts.len() - 1;
        assert!(pages >= 6, "{pages} pages");
        for first_page in (0..pages).step_by(2) {
            let (from, to) = (starts[first_page], starts[(first_page + 2).min(pages)]);
            let key = layout::track_part(bot, 1, file, from as u64).unwrap();
            blobs
                .put(&key, audio[from..to].to_vec().into())
                .await
                .unwrap();
        }
    }

    kill(first.0);
    clock.set(t0() + Duration::minutes(45));
    let report = tick_until(&l, |r| !r.failed.is_empty()).await;
    assert_eq!(report.adopted.len(), 1, "{report:?}");
    let recording = repo::recordings::for_bot(&db, bot)
        .await
        .unwrap()
        .expect("a recording row");
    let tracks = recording.tracks().unwrap();
    let keys: Vec<String> = tracks.iter().map(|t| t.blob_key.clone()).collect();
    let (key_one, key_two) = (
        layout::recording_track(bot, 1, "track-1.ogg").unwrap(),
        layout::recording_track(bot, 1, "track-2.ogg").unwrap(),
    );
    assert_eq!(keys, vec![key_one.to_string(), key_two.to_string()]);
    assert_eq!(
        blobs.get(&key_one).await.unwrap(),
        one,
        "track 1 whole again"
    );
    assert_eq!(
        blobs.get(&key_two).await.unwrap(),
        two,
        "track 2 whole again"
    );
    assert!((decoded_seconds(dir.path(), &one) - 6.0).abs() <= 0.05);
    assert!(
        (recording.duration_ms - 6000).abs() <= 50,
        "{} ms",
        recording.duration_ms
    );

    // Adopted again: the same row, the same blobs.
    let bot_row = repo::bots::get(&db, bot).await.unwrap();
    let again = orphans.adopt(&db, &bot_row).await.unwrap();
    assert_eq!(again, Some(recording.id));
    assert_eq!(blobs.get(&key_one).await.unwrap(), one);
    assert_eq!(blobs.get(&key_two).await.unwrap(), two);
}
