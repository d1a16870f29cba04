//! The whole loop through the real binary: `mymeet demo` runs a testbed
//! meeting, a bot records it in Chromium, the pipeline transcribes it with
//! Whisper, renders the report and emails it. Once on the embedded defaults
//! (SQLite, in-process bus, outbox folder), once on PostgreSQL, RabbitMQ and
//! a real SMTP server (Debian's aiosmtpd).

use mymeet_core::bus::rabbitmq::RabbitBus;
use mymeet_core::bus::{Bus, QueueSpec, RetryPolicy};
use sea_orm::ConnectionTrait;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Instant;
use uuid::Uuid;

/// Words that the participants really say (JFK's quote and a LibriVox line).
const SPOKEN: [&str; 2] = ["country", "selfish"];

fn speech_dir() -> PathBuf {
    PathBuf::from(std::env::var("MYMEET_TEST_SPEECH_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/speech").to_owned()
    }))
}

fn models_dir() -> String {
    std::env::var("MYMEET_MODELS_DIR").unwrap_or_else(|_| "/var/tmp/mymeet-models".into())
}

/// Short voices for a meeting of about 20 s: Alice says JFK's quote (11 s),
/// Bob and Carol a LibriVox line each (3 s).
fn short_voices(dir: &Path) -> PathBuf {
    let voices = dir.join("voices");
    std::fs::create_dir_all(&voices).unwrap();
    let speech = speech_dir();
    for (file, source) in [
        ("alice.opus", "jfk/jfk.flac"),
        ("bob.opus", "pocketsphinx/librivox-0890.flac"),
        ("carol.opus", "pocketsphinx/librivox-0930.flac"),
    ] {
        let status = Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-i"])
            .arg(speech.join(source))
            .args(["-c:a", "libopus"])
            .arg(voices.join(file))
            .status()
            .expect("ffmpeg runs (scripts/setup installs it)");
        assert!(status.success(), "ffmpeg failed on {source}");
    }
    voices
}

/// Runs `mymeet demo` with extra environment and returns its output.
fn demo(dir: &Path, env: &[(&str, String)]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mymeet"))
        .arg("demo")
        .arg("--voices")
        .arg(short_voices(dir))
        .arg("--out")
        .arg(dir.join("run"))
        .args(["--timeout", "300"])
        .env("MYMEET_MODELS_DIR", models_dir())
        // Whisper's matrix work on one thread: the suite runs tests side by side.
        .env("MYMEET_TRANSCRIPTION__THREADS", "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(dir)
        .output()
        .expect("mymeet runs");
    assert!(
        out.status.success(),
        "mymeet demo failed\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The path the demo printed for a report format (`report      pdf   PATH`).
fn report_path(stdout: &str, extension: &str) -> PathBuf {
    stdout
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("report") && words.next() == Some(extension))
                .then(|| PathBuf::from(words.collect::<Vec<_>>().join(" ")))
        })
        .unwrap_or_else(|| panic!("no {extension} report in:\n{stdout}"))
}

/// The text of a PDF, by poppler's `pdftotext`.
fn pdf_text(pdf: &[u8], scratch: &Path) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let path = scratch.join(format!("{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    assert!(out.status.success(), "pdftotext rejected the PDF");
    String::from_utf8_lossy(&out.stdout).to_lowercase()
}

/// The text of a DOCX's main document part.
fn docx_text(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("DOCX is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("Heading1"), "the DOCX has no real headings");
    xml.to_lowercase()
}

fn assert_spoken_words(what: &str, text: &str) {
    for word in SPOKEN {
        assert!(text.contains(word), "{what} lacks {word:?}:\n{text}");
    }
}

#[test]
fn the_demo_ends_with_one_email_in_the_outbox_on_the_embedded_stack() {
    let dir = tempfile::tempdir().unwrap();
    let out = demo(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);

    let pdf = std::fs::read(report_path(&stdout, "pdf")).unwrap();
    assert_spoken_words("the PDF", &pdf_text(&pdf, dir.path()));
    let docx = std::fs::read(report_path(&stdout, "docx")).unwrap();
    assert_spoken_words("the DOCX", &docx_text(&docx));
    let html = std::fs::read_to_string(report_path(&stdout, "html")).unwrap();
    assert_spoken_words("the HTML", &html.to_lowercase());

    let emails: Vec<_> = std::fs::read_dir(dir.path().join("run/outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(emails.len(), 1, "{emails:?}");
    let eml = std::fs::read_to_string(&emails[0]).unwrap();
    assert!(
        eml.contains("Subject: Meeting report: mymeet demo call"),
        "{eml}"
    );
    assert!(eml.contains("To: you@example.com"), "{eml}");
    assert!(eml.contains("Content-Type: application/pdf"), "{eml}");
}

/// aiosmtpd on a free port, storing each message as JSON (see
/// `pipeline/tests/delivery/smtp_server.py`).
struct SmtpServer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl SmtpServer {
    fn start(dir: PathBuf) -> SmtpServer {
        std::fs::create_dir_all(&dir).unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/pipeline/tests/delivery/smtp_server.py"
        );
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(&dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("Debian's python3 with python3-aiosmtpd (scripts/setup)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server said {line:?}"));
        SmtpServer { child, port, dir }
    }

    fn messages(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                out.push(serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap());
            }
        }
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The decoded bytes of the message part of MIME type `mime`.
fn attachment(message: &serde_json::Value, mime: &str) -> Vec<u8> {
    let part = message["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == mime)
        .unwrap_or_else(|| panic!("no {mime} part in {message}"));
    assert_eq!(part["disposition"], "attachment");
    unhex(part["data_hex"].as_str().unwrap())
}

const RABBIT_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[test]
fn the_demo_emails_one_report_through_postgres_rabbitmq_and_smtp() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db_name = format!("mymeet_test_{}", Uuid::new_v4().simple());
    let admin = runtime.block_on(async {
        let admin = mymeet_core::db::connect_url(PG_ADMIN_URL, Some(1))
            .await
            .expect("this test needs PostgreSQL on 127.0.0.1:5432 (trust auth)");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{db_name}\""))
            .await
            .unwrap();
        admin
    });
    let exchange = format!("test.mymeet.{}", Uuid::new_v4().simple());
    let prefix = format!("{exchange}.");
    let smtp = SmtpServer::start(dir.path().join("smtp"));

    let started = Instant::now();
    let out = demo(
        dir.path(),
        &[
            (
                "MYMEET_DATABASE__URL",
                format!("postgres://postgres@127.0.0.1:5432/{db_name}"),
            ),
            ("MYMEET_BUS__URL", RABBIT_URL.into()),
            ("MYMEET_BUS__EXCHANGE", exchange.clone()),
            ("MYMEET_BUS__QUEUE_PREFIX", prefix.clone()),
            ("MYMEET_EMAIL__SMTP__HOST", "127.0.0.1".into()),
            ("MYMEET_EMAIL__SMTP__PORT", smtp.port.to_string()),
            ("MYMEET_EMAIL__SMTP__TLS", "none".into()),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("through 127.0.0.1"),
        "the email did not go through SMTP:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("demo on PostgreSQL + RabbitMQ took {:?}", started.elapsed());

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "exactly one email: {messages:#?}");
    let message = &messages[0];
    assert_eq!(message["rcpt_tos"], serde_json::json!(["you@example.com"]));
    assert!(
        message["subject"]
            .as_str()
            .unwrap()
            .starts_with("Meeting report: mymeet demo call"),
        "{message}"
    );
    let pdf = attachment(message, "application/pdf");
    assert_spoken_words("the emailed PDF", &pdf_text(&pdf, dir.path()));
    let docx = attachment(
        message,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    assert_spoken_words("the emailed DOCX", &docx_text(&docx));

    runtime.block_on(async {
        let _ = admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"
            ))
            .await;
        if let Ok(bus) = RabbitBus::connect(RABBIT_URL, &exchange, 1, RetryPolicy::default()).await
        {
            for queue in QueueSpec::pipeline_stages() {
                let _ = bus.remove(&queue.prefixed(&prefix)).await;
            }
            let _ = bus.delete_exchange().await;
        }
    });
}
