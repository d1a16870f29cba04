//! Helpers of the delivery tests: throwaway databases with a report in them,
//! an aiosmtpd server in a child process, a private CA for TLS, a small PDF.
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use mymeet_core::db::entities::reports::ReportFormat;
use mymeet_core::db::repo::{bots, meetings, recordings, reports, tenants, transcripts, users};
use mymeet_core::db::{connect_url, migrate};
use mymeet_core::domain::Platform;
use mymeet_pipeline::delivery::{Attachment, EmailMessage};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use uuid::Uuid;

/// The PostgreSQL server used unless `MYMEET_TEST_POSTGRES_URL` names another.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated database of its own for one test; PostgreSQL ones are dropped
/// when it goes out of scope.
pub struct TestDb {
    /// The connection.
    pub db: DatabaseConnection,
    _dir: Option<TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A SQLite file in a fresh temporary folder.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let db = connect_url(&url, Some(4))
            .await
            .unwrap_or_else(|e| panic!("open SQLite at {url}: {e}"));
        migrate(&db).await.expect("migrate SQLite");
        TestDb {
            db,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A new database `mymeet_test_<uuid>` on the test PostgreSQL server.
    /// Panics when the server is unreachable: the test never skips silently.
    pub async fn postgres() -> TestDb {
        let admin_url = std::env::var("MYMEET_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let admin = connect_url(&admin_url, Some(1)).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {admin_url}: {e}; start it or set \
                 MYMEET_TEST_POSTGRES_URL"
            )
        });
        let name = format!("mymeet_test_{}", Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let _ = admin.close().await;
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("MYMEET_TEST_POSTGRES_URL {admin_url} has no database part"),
        };
        let db = connect_url(&url, Some(4))
            .await
            .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
        migrate(&db).await.expect("migrate PostgreSQL");
        TestDb {
            db,
            _dir: None,
            pg: Some((admin_url, name)),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(admin) = connect_url(&admin_url, Some(1)).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = admin.execute_unprepared(&sql).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// The rows a delivery hangs off: a tenant with a user who asked for a bot,
/// the bot's recording, transcript and PDF report.
pub struct Fixture {
    /// The tenant.
    pub tenant_id: Uuid,
    /// The user who asked for the bot.
    pub requester_id: Uuid,
    /// Their address.
    pub requester_email: String,
    /// The meeting.
    pub meeting_id: Uuid,
    /// The bot.
    pub bot_id: Uuid,
    /// The PDF report.
    pub report_id: Uuid,
}

/// Creates a [`Fixture`] whose requester is `requester_email`.
pub async fn fixture(db: &DatabaseConnection, requester_email: &str) -> Fixture {
    let slug = format!("t{}", Uuid::new_v4().simple());
    let tenant = tenants::create(db, "Acme", &slug).await.expect("tenant");
    let user = users::create(db, tenant.id, requester_email, "Ann")
        .await
        .expect("user");
    let starts_at = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
    let url = format!("https://meet.google.com/{}", &slug[..11]);
    let meeting = meetings::upsert(
        db,
        meetings::NewMeeting {
            tenant_id: tenant.id,
            platform: Platform::Meet,
            meeting_url: &url,
            title: "Weekly sync",
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(30),
        },
    )
    .await
    .expect("meeting")
    .model;
    let bot = bots::create(db, meeting.id, starts_at, &[user.id])
        .await
        .expect("bot");
    let recording = recordings::insert_if_absent(db, bot.id, 60_000, "rec/mixed.ogg", &[])
        .await
        .expect("recording")
        .model;
    let transcript = transcripts::insert_if_absent(
        db,
        transcripts::NewTranscript {
            recording_id: recording.id,
            language: "en",
            language_probability: Some(0.99),
            model: "tiny.en",
        },
        &[],
    )
    .await
    .expect("transcript")
    .model;
    let report = reports::insert_if_absent(db, transcript.id, ReportFormat::Pdf, "rep/r.pdf", None)
        .await
        .expect("report")
        .model;
    Fixture {
        tenant_id: tenant.id,
        requester_id: user.id,
        requester_email: user.email,
        meeting_id: meeting.id,
        bot_id: bot.id,
        report_id: report.id,
    }
}

/// A small valid PDF with one page saying `text` (ASCII): the cross-reference
/// table's offsets are computed, so strict readers accept it.
pub fn tiny_pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 40 100 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A report email with a PDF saying `pdf_text`.
pub fn sample_message(pdf_text: &str) -> EmailMessage {
    EmailMessage {
        from: "mymeet <reports@mymeet.test>".into(),
        meeting_title: "Weekly sync".into(),
        meeting_date: NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"),
        language: "en".into(),
        html: "<h1>Weekly sync</h1><p>Ann will send the budget by Friday.</p>".into(),
        text: "Weekly sync\n\nAnn will send the budget by Friday.".into(),
        attachments: vec![Attachment {
            filename: "weekly-sync.pdf".into(),
            mime: "application/pdf".into(),
            bytes: tiny_pdf(pdf_text),
        }],
    }
}

/// How the test SMTP server secures its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerTls {
    /// Plain text.
    None,
    /// STARTTLS required before MAIL.
    Starttls,
    /// TLS from the first byte.
    Tls,
}

/// A running aiosmtpd (Debian's `python3-aiosmtpd`) storing what it accepts.
pub struct SmtpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: TempDir,
    child: Child,
}

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// What Python's email package read from it (see `smtp_server.py`).
    pub summary: Value,
    /// The bytes as received.
    pub raw: Vec<u8>,
}

impl SmtpServer {
    /// A plain server without authentication.
    pub fn start() -> SmtpServer {
        SmtpServer::start_with(ServerTls::None, None, None)
    }

    /// A server with `tls` (using `ca`'s server certificate) and, when
    /// given, required AUTH with `user:password`.
    pub fn start_with(tls: ServerTls, ca: Option<&TestCa>, auth: Option<&str>) -> SmtpServer {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = dir.path().join("mail");
        std::fs::create_dir(&store).expect("mail folder");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/delivery/smtp_server.py");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(script).arg(&store);
        match tls {
            ServerTls::None => {}
            ServerTls::Starttls | ServerTls::Tls => {
                let ca = ca.expect("a TLS server needs certificates");
                cmd.arg("--tls")
                    .arg(if tls == ServerTls::Tls {
                        "tls"
                    } else {
                        "starttls"
                    })
                    .arg("--cert")
                    .arg(&ca.server_cert)
                    .arg("--key")
                    .arg(&ca.server_key);
            }
        }
        if let Some(auth) = auth {
            cmd.arg("--auth").arg(auth);
        }
        let stderr = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start /usr/bin/python3 (Debian's python3-aiosmtpd must be installed)");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok());
        match (read, port) {
            (Ok(_), Some(port)) => SmtpServer { port, dir, child },
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                let log =
                    std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
                panic!("the test SMTP server did not start (stdout {line:?}):\n{log}");
            }
        }
    }

    /// What the server accepted so far.
    pub fn received(&self) -> Vec<Received> {
        let store = self.dir.path().join("mail");
        let mut out = Vec::new();
        let mut names: Vec<PathBuf> = std::fs::read_dir(&store)
            .expect("read the mail folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        for json in names {
            let summary: Value =
                serde_json::from_slice(&std::fs::read(&json).expect("read summary")).expect("JSON");
            let raw = std::fs::read(json.with_extension("eml")).expect("read message");
            out.push(Received { summary, raw });
        }
        out
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    port
}

/// A private CA and a server certificate it signed for `127.0.0.1` and
/// `localhost`, made with the `openssl` command.
pub struct TestCa {
    /// The CA certificate (PEM), for `email.smtp.ca_file`.
    pub ca_cert: PathBuf,
    /// The server's certificate (PEM).
    pub server_cert: PathBuf,
    /// The server's private key (PEM).
    pub server_key: PathBuf,
    _dir: TempDir,
}

impl TestCa {
    /// Makes the CA and the server certificate.
    pub fn new() -> TestCa {
        let dir = tempfile::tempdir().expect("temporary folder");
        let p = |name: &str| dir.path().join(name);
        let ext = p("server.ext");
        std::fs::write(
            &ext,
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=serverAuth\n\
             subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .expect("write extensions");
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            dir.path(),
            &[
                &["req", "-x509"],
                &ec[..],
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=mymeet test CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ],
            ]
            .concat(),
        );
        openssl(
            dir.path(),
            &[
                &["req"],
                &ec[..],
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=localhost",
                ],
            ]
            .concat(),
        );
        openssl(
            dir.path(),
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
        TestCa {
            ca_cert: p("ca.pem"),
            server_cert: p("server.pem"),
            server_key: p("server.key"),
            _dir: dir,
        }
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Polls `f` until it returns `Some` or `secs` pass.
pub fn wait_until<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
