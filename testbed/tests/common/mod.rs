//! Shared pieces of the testbed's browser tests: speech clips, Chromium, a tiny HTTP client.
#![allow(dead_code)]

use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use mymeet_testbed::{ParticipantSpec, RunningTestbed, Testbed, TestbedConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

/// Where the shared real speech lives: `$MYMEET_TEST_SPEECH_DIR` (scripts/test
/// sets it), else `shared/data/speech` beside the checkout.
pub fn speech_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var("MYMEET_TEST_SPEECH_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/speech").to_owned()
    }))
}

/// Cuts `secs` seconds of a real speech clip into `out` (keeps tests to a few seconds).
fn cut(src: &str, secs: f64, out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(speech_dir().join(src))
        .args(["-t", &secs.to_string()])
        .arg(out)
        .status()
        .unwrap_or_else(|e| {
            panic!("ffmpeg is needed ({e}); install it with scripts/setup (apt-get install ffmpeg)")
        });
    assert!(status.success(), "ffmpeg could not cut {src}");
}

/// Two participants: Alice says 2.5 s of JFK, Bob 2.5 s of a LibriVox reading.
pub fn participants(dir: &Path) -> Vec<ParticipantSpec> {
    let alice = dir.join("alice.wav");
    let bob = dir.join("bob.flac");
    cut("jfk/jfk.flac", 2.5, &alice);
    cut("pocketsphinx/librivox-0880.flac", 2.5, &bob);
    vec![
        ParticipantSpec {
            name: "Alice".into(),
            audio: alice,
        },
        ParticipantSpec {
            name: "Bob".into(),
            audio: bob,
        },
    ]
}

/// A testbed with the two participants and a short lead-in.
pub async fn start_testbed(dir: &Path, tweak: impl FnOnce(&mut TestbedConfig)) -> RunningTestbed {
    let mut config = TestbedConfig::new(participants(dir));
    config.lead_in = Duration::from_millis(1500);
    tweak(&mut config);
    Testbed::start(config).await.expect("testbed starts")
}

/// Headless Chromium with a fresh profile and fake media devices.
pub struct Chromium {
    pub browser: Browser,
    handler: JoinHandle<()>,
}

impl Chromium {
    pub async fn launch(profile: &Path) -> Self {
        assert!(
            Path::new("/usr/bin/chromium").exists(),
            "Chromium is needed at /usr/bin/chromium; install it with scripts/setup (apt-get install chromium)"
        );
        let config = BrowserConfig::builder()
            .chrome_executable("/usr/bin/chromium")
            .new_headless_mode()
            .no_sandbox()
            .user_data_dir(profile)
            .arg("disable-gpu")
            .arg("use-fake-ui-for-media-stream")
            .arg("use-fake-device-for-media-stream")
            .arg(("autoplay-policy", "no-user-gesture-required"))
            .arg("disable-background-networking")
            .arg(("lang", "en-US"))
            .build()
            .expect("browser config");
        let (browser, mut handler) = Browser::launch(config).await.expect("chromium launches");
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Self { browser, handler }
    }

    /// A page that records every RTCPeerConnection and remote track, as a bot's wrapper does.
    pub async fn open(&self, url: &str) -> Page {
        let page = self
            .browser
            .new_page("about:blank")
            .await
            .expect("new page");
        page.evaluate_on_new_document(WRAPPER)
            .await
            .expect("init script");
        page.goto(url).await.expect("navigates");
        page
    }

    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
    }
}

const WRAPPER: &str = r#"
(() => {
  const Orig = window.RTCPeerConnection;
  window.__pcs = [];
  window.__tracks = new Set();
  window.RTCPeerConnection = class extends Orig {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
      this.addEventListener('track', (e) => { if (e.track.kind === 'audio') window.__tracks.add(e.track.id); });
    }
  };
})();
"#;

/// Evaluates a JS function body's value.
pub async fn js(page: &Page, function: &str) -> Value {
    page.evaluate_function(function)
        .await
        .unwrap_or_else(|e| panic!("evaluating {function}: {e}"))
        .into_value()
        .unwrap_or(Value::Null)
}

/// Polls a JS predicate until it is true; panics with `what` and the page text otherwise.
pub async fn wait_for(page: &Page, predicate: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let function = format!("() => Boolean({predicate})");
    loop {
        if let Ok(r) = page.evaluate_function(function.as_str()).await {
            if r.into_value::<bool>().unwrap_or(false) {
                return;
            }
        }
        if Instant::now() > deadline {
            let text = js(page, "() => document.body ? document.body.innerText : ''").await;
            panic!("timed out waiting for {what}; page text: {text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `text` is rendered (visible text, not hidden screens).
pub async fn wait_text(page: &Page, text: &str) {
    let quoted = serde_json::to_string(text).expect("json string");
    wait_for(
        page,
        &format!("document.body && document.body.innerText.includes({quoted})"),
        text,
    )
    .await;
}

/// Whether `text` is rendered now.
pub async fn has_text(page: &Page, text: &str) -> bool {
    let quoted = serde_json::to_string(text).expect("json string");
    js(
        page,
        &format!("() => document.body.innerText.includes({quoted})"),
    )
    .await
        == Value::Bool(true)
}

/// Clicks the first element matching `selector`.
pub async fn click(page: &Page, selector: &str) {
    page.find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
}

/// Types into the first element matching `selector`.
pub async fn type_into(page: &Page, selector: &str, text: &str) {
    let el = page
        .find_element(selector)
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"));
    el.click().await.expect("focus");
    el.type_str(text).await.expect("typing");
}

/// Received audio as the page's own peer connections report it.
#[derive(Debug, serde::Deserialize)]
pub struct AudioStats {
    pub tracks: u64,
    pub packets: u64,
    pub bytes: u64,
    pub energy: f64,
}

pub async fn audio_stats(page: &Page) -> AudioStats {
    let v = js(
        page,
        r#"async () => {
        let packets = 0, bytes = 0, energy = 0;
        for (const pc of window.__pcs) {
          const stats = await pc.getStats();
          stats.forEach((r) => {
            if (r.type === 'inbound-rtp' && r.kind === 'audio') {
              packets += r.packetsReceived || 0; bytes += r.bytesReceived || 0; energy += r.totalAudioEnergy || 0;
            }
          });
        }
        return { tracks: window.__tracks.size, packets, bytes, energy };
      }"#,
    )
    .await;
    serde_json::from_value(v).expect("stats shape")
}

/// A minimal HTTP/1.1 client for the control API: returns status and body.
pub async fn http(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("connects");
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.expect("writes");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("reads");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// `GET` a control route as JSON.
pub async fn control_get(testbed: &RunningTestbed, route: &str) -> Value {
    let (status, body) = http("GET", &format!("{}{route}", testbed.control_url()), None).await;
    assert_eq!(status, 200, "GET {route}: {body}");
    serde_json::from_str(&body).expect("json")
}

/// `POST` a control route with a JSON body.
pub async fn control_post(testbed: &RunningTestbed, route: &str, body: &str) -> Value {
    let (status, text) = http(
        "POST",
        &format!("{}{route}", testbed.control_url()),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "POST {route}: {text}");
    serde_json::from_str(&text).expect("json")
}

/// Waits until the control API shows a lobby guest with `name`.
pub async fn wait_lobby(testbed: &RunningTestbed, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state = control_get(testbed, "/state").await;
        let found = state["lobby"]
            .as_array()
            .is_some_and(|l| l.iter().any(|g| g["name"] == name));
        if found {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never reached the lobby: {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sleeps until a UNIX-ms instant.
pub async fn sleep_until_ms(at_ms: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    if at_ms > now {
        tokio::time::sleep(Duration::from_millis(at_ms - now)).await;
    }
}

pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn profile(dir: &Path) -> PathBuf {
    dir.join("profile")
}
