//! The bot against the testbed conference: real Chromium, real WebRTC, real
//! speech, each platform style's join flow, and every way a call ends.

mod support;

use mymeet_bot::{BotConfig, BotReport, HostAlias, NoopObserver};
use mymeet_core::domain::{BotState, EndReason, Platform};
use mymeet_testbed::{GuestFilter, ParticipantSpec, RunningTestbed, Testbed, TestbedConfig};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const BOT: &str = "Notetaker";

fn participants() -> Vec<ParticipantSpec> {
    vec![
        ParticipantSpec {
            name: "Alice".into(),
            audio: support::speech("asterisk-en/agent-user.flac"),
        },
        ParticipantSpec {
            name: "Bob".into(),
            audio: support::speech("pocketsphinx/librivox-0930.flac"),
        },
    ]
}

async fn testbed(f: impl FnOnce(&mut TestbedConfig)) -> RunningTestbed {
    let mut config = TestbedConfig::new(participants());
    f(&mut config);
    Testbed::start(config).await.expect("testbed starts")
}

fn bot_config(tb: &RunningTestbed, platform: Platform, out: &Path) -> BotConfig {
    let mut config = BotConfig::new(tb.join_url(platform), out);
    config.bot_name = BOT.into();
    config.host_aliases = Platform::ALL
        .into_iter()
        .map(|p| format!("{}={p}", tb.addr(p)).parse::<HostAlias>().unwrap())
        .collect();
    config.join_timeout = Duration::from_secs(30);
    config.waiting_room_timeout = Duration::from_secs(60);
    config.alone_timeout = Duration::from_secs(60);
    config
}

async fn run(config: BotConfig) -> BotReport {
    let (_stop, stop) = tokio::sync::watch::channel(false);
    mymeet_bot::run(config, Arc::new(NoopObserver), stop)
        .await
        .expect("bot runs")
}

fn bot_guest() -> GuestFilter {
    GuestFilter {
        name: Some(BOT.into()),
        ..Default::default()
    }
}

/// Waits until the bot is in the testbed's lobby.
async fn until_in_lobby(tb: &RunningTestbed) {
    for _ in 0..200 {
        if tb.state().lobby.iter().any(|g| g.name == BOT) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the bot never reached the lobby: {:?}", tb.state());
}

/// Waits until the bot itself has recorded `waiting_room` in its `bot.json`
/// (the testbed sees the guest in its lobby a little before the bot's page
/// probe sees the lobby text).
async fn until_bot_waits(out: &Path) {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(out.join("bot.json")) {
            if let Ok(report) = serde_json::from_str::<serde_json::Value>(&text) {
                let waits = report["transitions"]
                    .as_array()
                    .is_some_and(|ts| ts.iter().any(|t| t["to"] == "waiting_room"));
                if waits {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the bot never recorded waiting_room in {}", out.display());
}

fn ms(t: &chrono::DateTime<chrono::Utc>) -> f64 {
    t.timestamp_millis() as f64
}

fn time_in_call(report: &BotReport) -> f64 {
    let at = |to: BotState| {
        report
            .transitions
            .iter()
            .find(|t| t.to == to)
            .map(|t| ms(&t.at))
    };
    (at(BotState::Leaving).expect("left") - at(BotState::Recording).expect("recorded")) / 1000.0
}

async fn records_two_speakers(platform: Platform) {
    let tb = testbed(|c| {
        c.auto_admit = Some(Duration::from_millis(500));
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let config = bot_config(&tb, platform, out.path());
    let bot = tokio::spawn(run(config));
    // End the meeting once the schedule has played out.
    let schedule = loop {
        let s = tb.schedule();
        if s.clock_started_at_ms.is_some() {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let clock = schedule.clock_started_at_ms.unwrap() as f64;
    let until = clock + schedule.program_end_offset_ms as f64 + 500.0;
    let now = chrono::Utc::now().timestamp_millis() as f64;
    tokio::time::sleep(Duration::from_millis((until - now).max(0.0) as u64)).await;
    tb.end_meeting();
    let report = bot.await.unwrap();
    let ended_at = tb.state().ended_at_ms.expect("ended") as f64;

    assert_eq!(report.platform, Some(platform));
    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(EndReason::MeetingEnded));
    let rec = report.recording.clone().expect("recording");
    let start = ms(report.recording_started_at.as_ref().unwrap());

    // Length: the time in call, by the bot's clock and by the testbed's.
    let samples = support::decode(&out.path().join("recording.ogg"), 16_000);
    let decoded = samples.len() as f64 / 16_000.0;
    assert!(
        (decoded - time_in_call(&report)).abs() <= 0.5,
        "decoded {decoded} s vs in call {}",
        time_in_call(&report)
    );
    assert!(
        (decoded - (ended_at - start) / 1000.0).abs() <= 0.5,
        "decoded {decoded} s vs testbed {} s",
        (ended_at - start) / 1000.0
    );
    for t in &rec.tracks {
        support::decode(&out.path().join(&t.file), 16_000);
    }

    // Voice where the schedule says, near-silence elsewhere (100 ms windows).
    let db = support::window_db(&samples, 16_000, 0.1);
    let rel = |abs_ms: f64| (abs_ms - start) / 1000.0;
    let turns: Vec<(String, f64, f64)> = schedule
        .turns
        .iter()
        .map(|t| {
            (
                t.participant.clone(),
                rel(clock + t.start_offset_ms as f64),
                rel(clock + t.end_offset_ms as f64),
            )
        })
        .collect();
    let window = |i: usize| (i as f64 * 0.1, i as f64 * 0.1 + 0.1);
    for (name, from, to) in &turns {
        let inside: Vec<f64> = db
            .iter()
            .enumerate()
            .filter(|(i, _)| window(*i).0 >= from + 0.3 && window(*i).1 <= to - 0.3)
            .map(|(_, d)| *d)
            .collect();
        let loud = inside.iter().filter(|d| **d > -45.0).count();
        assert!(
            loud as f64 >= inside.len() as f64 * 0.4 && !inside.is_empty(),
            "{name}'s turn {from:.1}–{to:.1} s is not voiced: {inside:?}"
        );
    }
    let quiet: Vec<f64> = db
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let (a, b) = window(*i);
            turns
                .iter()
                .all(|(_, from, to)| b <= from - 0.4 || a >= to + 0.4)
        })
        .map(|(_, d)| *d)
        .collect();
    let silent = quiet.iter().filter(|d| **d < -50.0).count();
    assert!(
        quiet.len() >= 10 && silent as f64 >= quiet.len() as f64 * 0.9,
        "not silent between turns: {quiet:?}"
    );

    // The speaker timeline follows the schedule (±0.5 s).
    for (name, from, to) in &turns {
        let turn = report
            .speakers
            .iter()
            .find(|s| &s.name == name && (s.from_s - from).abs() <= 0.5)
            .unwrap_or_else(|| {
                panic!(
                    "no turn of {name} near {from:.2} s in {:?}",
                    report.speakers
                )
            });
        assert!(
            (turn.to_s - to).abs() <= 0.5,
            "{name} ends at {:.2}, schedule {to:.2}",
            turn.to_s
        );
    }
    assert_eq!(report.speakers.len(), turns.len(), "{:?}", report.speakers);
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn meet_records_two_speakers_until_the_host_ends() {
    records_two_speakers(Platform::Meet).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn teams_records_two_speakers_until_the_host_ends() {
    records_two_speakers(Platform::Teams).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn zoom_records_two_speakers_until_the_host_ends() {
    records_two_speakers(Platform::Zoom).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_denied_bot_fails_with_the_reason_and_a_screenshot() {
    let tb = testbed(|_| {}).await;
    let out = tempfile::tempdir().unwrap();
    let bot = tokio::spawn(run(bot_config(&tb, Platform::Meet, out.path())));
    until_in_lobby(&tb).await;
    until_bot_waits(out.path()).await;
    assert_eq!(tb.deny(&bot_guest()).len(), 1);
    let report = bot.await.unwrap();
    assert_eq!(report.state, BotState::Failed);
    assert_eq!(report.end_reason, Some(EndReason::Denied));
    assert!(report
        .transitions
        .iter()
        .any(|t| t.to == BotState::WaitingRoom));
    assert!(out.path().join("failure.png").exists() && out.path().join("failure.html").exists());
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nobody_admits_the_bot_so_the_waiting_room_times_out() {
    let tb = testbed(|_| {}).await;
    let out = tempfile::tempdir().unwrap();
    let mut config = bot_config(&tb, Platform::Teams, out.path());
    config.waiting_room_timeout = Duration::from_secs(2);
    let report = run(config).await;
    assert_eq!(report.state, BotState::Failed, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(EndReason::WaitingRoomTimeout));
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_removed_bot_keeps_its_recording() {
    let tb = testbed(|c| c.auto_admit = Some(Duration::from_millis(300))).await;
    let out = tempfile::tempdir().unwrap();
    let bot = tokio::spawn(run(bot_config(&tb, Platform::Teams, out.path())));
    while tb.schedule().clock_started_at_ms.is_none() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(tb.remove(&bot_guest()).len(), 1);
    let report = bot.await.unwrap();
    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(EndReason::Removed));
    let decoded =
        support::decode(&out.path().join("recording.ogg"), 16_000).len() as f64 / 16_000.0;
    assert!(
        (decoded - time_in_call(&report)).abs() <= 0.5 && decoded > 3.0,
        "{decoded}"
    );
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_bot_leaves_when_everyone_else_has_left() {
    let tb = testbed(|c| c.auto_admit = Some(Duration::from_millis(300))).await;
    let out = tempfile::tempdir().unwrap();
    let mut config = bot_config(&tb, Platform::Meet, out.path());
    config.alone_timeout = Duration::from_secs(2);
    let bot = tokio::spawn(run(config));
    while tb.schedule().clock_started_at_ms.is_none() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    tb.everyone_leaves();
    let report = bot.await.unwrap();
    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(EndReason::AloneTimeout));
    let left = tb.state().participants_left_at_ms.expect("left") as f64;
    let leaving = report
        .transitions
        .iter()
        .find(|t| t.to == BotState::Leaving)
        .map(|t| ms(&t.at))
        .unwrap();
    assert!(
        leaving - left >= 2000.0,
        "left {} ms after the others",
        leaving - left
    );
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn max_duration_ends_the_recording() {
    let tb = testbed(|c| c.auto_admit = Some(Duration::from_millis(300))).await;
    let out = tempfile::tempdir().unwrap();
    let mut config = bot_config(&tb, Platform::Zoom, out.path());
    config.max_duration = Some(Duration::from_secs(3));
    let report = run(config).await;
    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    assert_eq!(report.end_reason, Some(EndReason::MaxDuration));
    let decoded =
        support::decode(&out.path().join("recording.ogg"), 16_000).len() as f64 / 16_000.0;
    assert!((decoded - 3.0).abs() <= 0.5, "{decoded}");
    // The bot clicked leave: the testbed saw it go.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let state = serde_json::to_value(tb.state()).unwrap();
    assert!(state.to_string().contains("\"left\""), "{state}");
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_zoom_anti_bot_wall_fails_with_the_platforms_words() {
    let tb = testbed(|c| c.zoom.blocked = true).await;
    let out = tempfile::tempdir().unwrap();
    let report = run(bot_config(&tb, Platform::Zoom, out.path())).await;
    assert_eq!(report.state, BotState::Failed);
    assert_eq!(report.end_reason, Some(EndReason::Blocked));
    let detail = report.detail.clone().unwrap_or_default();
    assert!(detail.contains("RTMS"), "{detail}");
    assert!(out.path().join("failure.png").exists());
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn zoom_waits_for_the_host_to_start() {
    let tb = testbed(|c| {
        c.zoom.host_started = false;
        c.auto_admit = Some(Duration::from_millis(300));
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let mut config = bot_config(&tb, Platform::Zoom, out.path());
    config.max_duration = Some(Duration::from_secs(2));
    let bot = tokio::spawn(run(config));
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(tb.schedule().clock_started_at_ms.is_none());
    tb.set_host_started(Platform::Zoom, true);
    let report = bot.await.unwrap();
    assert_eq!(report.state, BotState::Done, "{:#?}", report.transitions);
    let waited = report
        .transitions
        .iter()
        .find(|t| t.to == BotState::WaitingRoom)
        .expect("waited");
    assert!(
        waited
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("not started"),
        "{waited:?}"
    );
    assert!(report.counters.reloads >= 1);
    tb.shutdown().await;
}
