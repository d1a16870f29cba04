//! Shared pieces of the rendering tests: hand-built reports, a local HTTP
//! server that counts connections, and text extraction from PDF and DOCX.

use chrono::{DateTime, NaiveDate, Utc};
use mymeet_pipeline::analysis::{
    ActionItem, Highlight, MeetingInfo, MeetingReport, SpeakerStats, Topic,
};
use mymeet_pipeline::transcript::Segment;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A report whose transcript, title and names are hostile: markup, a
/// handlebars expression and an image from `http://127.0.0.1:{port}/`.
pub fn hostile_report(port: u16, language: &str) -> MeetingReport {
    let img = format!("<img src=\"http://127.0.0.1:{port}/pixel.png\">");
    let segment = |start: f64, speaker: &str, text: &str| Segment {
        start,
        end: start + 4.0,
        speaker: Some(speaker.to_owned()),
        text: text.to_owned(),
        confidence: 0.9,
        language: language.to_owned(),
    };
    MeetingReport {
        meeting: MeetingInfo {
            title: "Quarterly <b>budget</b> review {{engine}}".into(),
            started_at: DateTime::<Utc>::from_timestamp(1_764_165_900, 0).expect("valid time"),
            duration_secs: 3723.5,
            platform: Some("meet".into()),
            meeting_url: Some(format!("http://127.0.0.1:{port}/meeting")),
            language: language.into(),
        },
        summary: vec!["The team reviewed the marmalade budget <script>alert(2)</script>.".into()],
        key_points: vec![Highlight {
            text: format!("Spending on gooseberries stays flat {img}"),
            speaker: Some("<i>Alice</i>".into()),
            at_secs: 12.0,
        }],
        action_items: vec![ActionItem {
            text: "Send the <u>zeppelin</u> forecast".into(),
            owner: Some("Bob & Co".into()),
            due: NaiveDate::from_ymd_opt(2026, 11, 28),
            at_secs: 62.5,
        }],
        decisions: vec![Highlight {
            text: "We keep the harpsichord vendor".into(),
            speaker: None,
            at_secs: 300.0,
        }],
        open_questions: vec![Highlight {
            text: "Who audits the lighthouse?".into(),
            speaker: Some("Bob & Co".into()),
            at_secs: 3700.0,
        }],
        topics: vec![Topic {
            title: "Budget".into(),
            start_secs: 0.0,
            end_secs: 3723.5,
        }],
        speakers: vec![
            SpeakerStats {
                name: "<i>Alice</i>".into(),
                talk_secs: 2000.0,
                share: 0.625,
                words: 4100,
                words_per_minute: 123.4,
            },
            SpeakerStats {
                name: "Bob & Co".into(),
                talk_secs: 1200.0,
                share: 0.375,
                words: 2000,
                words_per_minute: 100.0,
            },
        ],
        segments: vec![
            segment(
                0.0,
                "<i>Alice</i>",
                "<script>alert(1)</script> welcome to the platypus meeting",
            ),
            segment(
                5.0,
                "Bob & Co",
                "{{title}} {{{meeting.title}}} and {{> header}} stay text",
            ),
            segment(
                10.0,
                "<i>Alice</i>",
                &format!("look at this chart {img} please"),
            ),
            segment(3725.0, "Bob & Co", "thanks everyone for the walrus update"),
        ],
        engine: "builtin".into(),
    }
}

/// The words of the hostile transcript a reader must find in every format.
pub const TRANSCRIPT_WORDS: [&str; 4] = ["platypus", "welcome", "walrus", "chart"];

/// A local HTTP server on a free loopback port that counts every
/// connection it accepts and answers each with a tiny 200.
pub struct CountingServer {
    /// Its port.
    pub port: u16,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl CountingServer {
    /// Starts the server.
    pub async fn start() -> CountingServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = [0u8; 2048];
                    let _ = stream.read(&mut buf).await;
                    let _ = stream
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        CountingServer { port, hits, task }
    }

    /// Connections accepted so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for CountingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The text of a PDF, by poppler's `pdftotext`.
pub fn pdf_text(pdf: &[u8]) -> String {
    assert!(
        pdf.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        &pdf[..pdf.len().min(16)]
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// One part of a DOCX (a zip), e.g. `word/document.xml`.
pub fn docx_part(docx: &[u8], name: &str) -> String {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("the DOCX is a valid zip");
    let mut part = archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name} in the DOCX: {e}"));
    let mut text = String::new();
    part.read_to_string(&mut text).expect("UTF-8 XML");
    text
}
