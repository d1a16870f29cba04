//! Helpers shared by the bot's tests: the test speech, a tiny static page
//! server, ffmpeg decoding and per-window energy; `rows` for the wired
//! tests' database rows.
#![allow(dead_code)]

pub mod rows;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A file under shared/data/speech (or `MYMEET_TEST_SPEECH_DIR`).
pub fn speech(rel: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var("MYMEET_TEST_SPEECH_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/speech").to_owned()
    }))
    .join(rel);
    assert!(
        path.exists(),
        "missing test speech {} (see shared/data/speech/README)",
        path.display()
    );
    path
}

/// Seconds ffmpeg decodes from Ogg `bytes`; panics unless they decode cleanly.
pub fn decoded_seconds(bytes: &[u8]) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("x.ogg");
    std::fs::write(&file, bytes).expect("write the Ogg file");
    decode(&file, 16_000).len() as f64 / 16_000.0
}

/// Serves `html` for every GET on 127.0.0.1 (a secure context, unlike `data:`).
pub fn serve_page(html: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let html = html.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let mut out = &stream;
                let _ = write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                    html.len(),
                    html
                );
            });
        }
    });
    format!("http://{addr}/meeting")
}

/// Fails with install advice unless `tool` runs.
pub fn require(tool: &str) {
    let ok = Command::new(tool)
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{tool} is required: install it with scripts/setup (apt-get install {tool})"
    );
}

/// Decodes `file` to mono f32 samples at `rate` Hz with the ffmpeg CLI;
/// panics with ffmpeg's message when the file does not decode cleanly.
pub fn decode(file: &Path, rate: u32) -> Vec<f32> {
    require("ffmpeg");
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-xerror", "-i"])
        .arg(file)
        .args(["-ac", "1", "-ar", &rate.to_string(), "-f", "f32le", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{} does not decode cleanly: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// RMS level in dBFS of each `window_s` window.
pub fn window_db(samples: &[f32], rate: u32, window_s: f64) -> Vec<f64> {
    let n = ((rate as f64) * window_s) as usize;
    samples
        .chunks(n.max(1))
        .map(|w| {
            let ms = w.iter().map(|s| (*s as f64) * (*s as f64)).sum::<f64>() / w.len() as f64;
            10.0 * (ms.max(1e-12)).log10()
        })
        .collect()
}

/// The bot's `bot.json`.
pub fn bot_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("bot.json")).expect("bot.json written");
    serde_json::from_str(&text).expect("bot.json is JSON")
}
