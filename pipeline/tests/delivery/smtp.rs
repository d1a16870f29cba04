//! Delivery over SMTP to a real aiosmtpd on loopback.

use crate::delivery_support::{
    closed_port, fixture, sample_message, Received, ServerTls, SmtpServer, TestCa, TestDb,
};
use mymeet_core::config::{Secret, SmtpConfig, SmtpTls};
use mymeet_core::db::entities::deliveries::DeliveryStatus;
use mymeet_core::db::repo::deliveries;
use mymeet_pipeline::delivery::{
    compose, deliver, DeliveryError, DeliveryOutcome, Mailer, SmtpMailer,
};
use serde_json::Value;
use std::process::Command;

/// A mailer for the plain test server on `port`.
fn plain_mailer(port: u16) -> SmtpMailer {
    SmtpMailer::from_config(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls: SmtpTls::None,
        username: None,
        password: None,
        ca_file: None,
        timeout_secs: Some(10),
    })
    .expect("SMTP config")
}

/// A mailer for a TLS test server, trusting `ca`, authenticating as `user`.
fn tls_mailer(port: u16, tls: SmtpTls, ca: Option<&TestCa>, user: &str, pass: &str) -> SmtpMailer {
    SmtpMailer::from_config(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls,
        username: Some(user.into()),
        password: Some(Secret::new(pass)),
        ca_file: ca.map(|ca| ca.ca_cert.clone()),
        timeout_secs: Some(10),
    })
    .expect("SMTP config")
}

/// The leaf parts of a received message.
fn leaves(msg: &Received) -> Vec<&Value> {
    msg.summary["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["multipart"] == false)
        .collect()
}

/// The text of the PDF, by poppler's `pdftotext`: proves the attachment is a
/// PDF a real reader opens.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, bytes).expect("write PDF");
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn email_arrives_with_subject_both_parts_pdf_and_message_id() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let server = SmtpServer::start();
    let mailer = plain_mailer(server.port);
    let message = sample_message("Budget by Friday");

    let outcome = deliver(&t.db, &mailer, f.report_id, &f.requester_email, &message)
        .await
        .unwrap_or_else(|e| panic!("deliver: {e}\n{}", server.log()));
    let DeliveryOutcome::Sent {
        delivery_id,
        message_id,
    } = outcome
    else {
        panic!("expected Sent, got {outcome:?}");
    };

    let got = server.received();
    assert_eq!(got.len(), 1, "one message at the server");
    let msg = &got[0];
    let s = &msg.summary;
    assert_eq!(s["subject"], "Meeting report: Weekly sync — 26 Nov 2026");
    assert_eq!(s["message_id"], message_id.as_str());
    assert_eq!(s["from"], "mymeet <reports@mymeet.test>");
    assert_eq!(s["to"], "ann@acme.test");
    assert_eq!(s["rcpt_tos"], serde_json::json!(["ann@acme.test"]));
    assert_eq!(s["mail_from"], "reports@mymeet.test");
    assert_eq!(s["auto_submitted"], "auto-generated");
    assert_eq!(s["content_type"], "multipart/mixed");

    let kinds: Vec<&str> = s["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| p["content_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        kinds,
        [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "application/pdf"
        ]
    );
    let parts = leaves(msg);
    let plain = parts[0]["text"]
        .as_str()
        .expect("plain text")
        .replace("\r\n", "\n");
    assert_eq!(plain.trim_end(), message.text);
    let html = parts[1]["text"]
        .as_str()
        .expect("html")
        .replace("\r\n", "\n");
    assert_eq!(html.trim_end(), message.html);
    let pdf = parts[2];
    assert_eq!(pdf["disposition"], "attachment");
    assert_eq!(pdf["filename"], "weekly-sync.pdf");
    let bytes = hex::decode(pdf["data_hex"].as_str().expect("data")).expect("hex");
    assert_eq!(
        bytes, message.attachments[0].bytes,
        "the PDF arrives intact"
    );
    assert!(pdf_text(&bytes).contains("Budget by Friday"));

    let row = deliveries::get(&t.db, delivery_id).await.expect("row");
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert_eq!(row.message_id, message_id);
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
}

#[tokio::test]
async fn russian_report_gets_a_russian_subject() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ivan@acme.test").await;
    let server = SmtpServer::start();
    let mut message = sample_message("x");
    message.language = "ru".into();
    message.meeting_title = "Планёрка".into();
    message.text = "Иван пришлёт бюджет в пятницу.".into();
    deliver(
        &t.db,
        &plain_mailer(server.port),
        f.report_id,
        &f.requester_email,
        &message,
    )
    .await
    .expect("deliver");
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].summary["subject"],
        "Отчёт о встрече: Планёрка — 26 ноября 2026"
    );
    let plain = leaves(&got[0])[0]["text"]
        .as_str()
        .expect("text")
        .trim_end()
        .to_owned();
    assert_eq!(plain, "Иван пришлёт бюджет в пятницу.");
}

#[tokio::test]
async fn the_same_delivery_twice_is_one_message() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let server = SmtpServer::start();
    let mailer = plain_mailer(server.port);
    let message = sample_message("once");
    let first = deliver(&t.db, &mailer, f.report_id, "ann@acme.test", &message)
        .await
        .expect("first");
    // The same recipient spelled differently is the same delivery.
    let second = deliver(&t.db, &mailer, f.report_id, " Ann@ACME.test ", &message)
        .await
        .expect("second");
    let (
        DeliveryOutcome::Sent {
            delivery_id,
            message_id,
        },
        DeliveryOutcome::AlreadySent {
            delivery_id: again,
            message_id: same,
        },
    ) = (&first, &second)
    else {
        panic!("expected Sent then AlreadySent, got {first:?}, {second:?}");
    };
    assert_eq!(delivery_id, again);
    assert_eq!(message_id, same);
    assert_eq!(server.received().len(), 1, "one message at the server");
    assert_eq!(
        deliveries::list_for_report(&t.db, f.report_id)
            .await
            .expect("rows")
            .len(),
        1
    );
}

/// The worker sent, marked the row sent and died before acknowledging the bus
/// message; the message comes back to a fresh worker (new mailer, new pool).
#[tokio::test]
async fn killed_between_send_and_ack_still_one_message_on_postgres() {
    let t = TestDb::postgres().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let server = SmtpServer::start();
    let message = sample_message("exactly once");
    {
        let first_worker = plain_mailer(server.port);
        let outcome = deliver(
            &t.db,
            &first_worker,
            f.report_id,
            &f.requester_email,
            &message,
        )
        .await
        .expect("first worker");
        assert!(
            matches!(outcome, DeliveryOutcome::Sent { .. }),
            "{outcome:?}"
        );
    }
    let restarted = plain_mailer(server.port);
    for _ in 0..2 {
        let outcome = deliver(&t.db, &restarted, f.report_id, &f.requester_email, &message)
            .await
            .expect("redelivered");
        assert!(
            matches!(outcome, DeliveryOutcome::AlreadySent { .. }),
            "{outcome:?}"
        );
    }
    assert_eq!(server.received().len(), 1, "still exactly one email");
    let rows = deliveries::list_for_report(&t.db, f.report_id)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, DeliveryStatus::Sent);
    assert_eq!(rows[0].attempts, 1);
}

/// The documented window: the server accepted the message but the worker died
/// before `mark_sent`. The retry sends again — the same Message-ID, so that
/// receivers deduplicate — and then the row is sent for good.
#[tokio::test]
async fn crash_before_mark_sent_resends_with_the_same_message_id() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let server = SmtpServer::start();
    let mailer = plain_mailer(server.port);
    let message = sample_message("window");
    // What the dying worker did: claim, send, and nothing after.
    let id = mymeet_pipeline::delivery::stable_message_id(
        f.report_id,
        &f.requester_email,
        &message.from,
    );
    let row = deliveries::claim(
        &t.db,
        f.report_id,
        &f.requester_email,
        mymeet_core::db::entities::deliveries::Channel::Email,
        &id,
    )
    .await
    .expect("claim")
    .model;
    let email = compose(&message, &row.recipient, &row.message_id).expect("compose");
    mailer.send(&email).await.expect("first send");

    let outcome = deliver(&t.db, &mailer, f.report_id, &f.requester_email, &message)
        .await
        .expect("retry");
    assert!(
        matches!(outcome, DeliveryOutcome::Sent { .. }),
        "{outcome:?}"
    );
    let got = server.received();
    assert_eq!(got.len(), 2, "SMTP cannot tell; the window is real");
    assert_eq!(got[0].summary["message_id"], got[1].summary["message_id"]);
    assert_eq!(got[0].summary["message_id"], row.message_id.as_str());
    let again = deliver(&t.db, &mailer, f.report_id, &f.requester_email, &message)
        .await
        .expect("after");
    assert!(matches!(again, DeliveryOutcome::AlreadySent { .. }));
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_5xx_answer_is_permanent_and_recorded() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let mut server = SmtpServer::start();
    let mailer = plain_mailer(server.port);
    let message = sample_message("x");
    let err = deliver(
        &t.db,
        &mailer,
        f.report_id,
        "reject-bob@acme.test",
        &message,
    )
    .await
    .expect_err("the server refuses the recipient");
    let DeliveryError::Permanent {
        delivery_id,
        answer,
    } = &err
    else {
        panic!("expected Permanent, got {err:?}");
    };
    assert!(!err.is_retryable());
    assert!(answer.contains("550"), "{answer}");
    assert!(
        answer.contains("Recipient address rejected: User unknown"),
        "{answer}"
    );
    let row = deliveries::get(&t.db, *delivery_id).await.expect("row");
    assert_eq!(row.status, DeliveryStatus::Rejected);
    assert_eq!(row.attempts, 1);
    assert_eq!(row.last_error.as_deref(), Some(answer.as_str()));
    assert!(server.received().is_empty());

    // A redelivered message does not try again: with the server gone it is
    // still the same permanent answer, not a connection error.
    drop(std::mem::replace(&mut server, SmtpServer::start()));
    let again = deliver(
        &t.db,
        &mailer,
        f.report_id,
        "reject-bob@acme.test",
        &message,
    )
    .await
    .expect_err("still rejected");
    assert!(
        matches!(&again, DeliveryError::Permanent { answer: a, .. } if a == answer),
        "{again:?}"
    );
    assert_eq!(
        deliveries::get(&t.db, *delivery_id)
            .await
            .expect("row")
            .attempts,
        1
    );
}

#[tokio::test]
async fn a_4xx_answer_is_transient() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let server = SmtpServer::start();
    let err = deliver(
        &t.db,
        &plain_mailer(server.port),
        f.report_id,
        "later-carl@acme.test",
        &sample_message("x"),
    )
    .await
    .expect_err("the server defers");
    let DeliveryError::Transient { delivery_id, error } = &err else {
        panic!("expected Transient, got {err:?}");
    };
    assert!(err.is_retryable());
    assert!(error.contains("451"), "{error}");
    let row = deliveries::get(&t.db, *delivery_id).await.expect("row");
    assert_eq!(row.status, DeliveryStatus::Failed);
    assert_eq!(row.last_error.as_deref(), Some(error.as_str()));
}

#[tokio::test]
async fn connection_refused_is_transient_and_a_retry_sends_it() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let message = sample_message("retry");
    let err = deliver(
        &t.db,
        &plain_mailer(closed_port()),
        f.report_id,
        &f.requester_email,
        &message,
    )
    .await
    .expect_err("nobody listens");
    let DeliveryError::Transient { delivery_id, .. } = &err else {
        panic!("expected Transient, got {err:?}");
    };
    let failed = deliveries::get(&t.db, *delivery_id).await.expect("row");
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(failed.attempts, 1);

    let server = SmtpServer::start();
    let outcome = deliver(
        &t.db,
        &plain_mailer(server.port),
        f.report_id,
        &f.requester_email,
        &message,
    )
    .await
    .expect("the retry");
    assert_eq!(
        outcome,
        DeliveryOutcome::Sent {
            delivery_id: *delivery_id,
            message_id: failed.message_id.clone()
        }
    );
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].summary["message_id"], failed.message_id.as_str());
    let sent = deliveries::get(&t.db, *delivery_id).await.expect("row");
    assert_eq!((sent.status, sent.attempts), (DeliveryStatus::Sent, 2));
}

#[tokio::test]
async fn starttls_with_auth() {
    let ca = TestCa::new();
    let server = SmtpServer::start_with(ServerTls::Starttls, Some(&ca), Some("mymeet:s3cret"));
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let mailer = tls_mailer(
        server.port,
        SmtpTls::Starttls,
        Some(&ca),
        "mymeet",
        "s3cret",
    );
    deliver(
        &t.db,
        &mailer,
        f.report_id,
        &f.requester_email,
        &sample_message("tls"),
    )
    .await
    .unwrap_or_else(|e| panic!("deliver: {e}\n{}", server.log()));
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].summary["tls"], true);
    assert_eq!(got[0].summary["authenticated"], true);

    // A wrong password is the server's 535: permanent.
    let wrong = tls_mailer(server.port, SmtpTls::Starttls, Some(&ca), "mymeet", "nope");
    let err = deliver(
        &t.db,
        &wrong,
        f.report_id,
        "bob@acme.test",
        &sample_message("tls"),
    )
    .await
    .expect_err("bad credentials");
    assert!(
        matches!(&err, DeliveryError::Permanent { answer, .. } if answer.contains("535")),
        "{err:?}"
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn tls_from_the_first_byte_with_auth() {
    let ca = TestCa::new();
    let server = SmtpServer::start_with(ServerTls::Tls, Some(&ca), Some("mymeet:s3cret"));
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let mailer = tls_mailer(server.port, SmtpTls::Tls, Some(&ca), "mymeet", "s3cret");
    deliver(
        &t.db,
        &mailer,
        f.report_id,
        &f.requester_email,
        &sample_message("tls"),
    )
    .await
    .unwrap_or_else(|e| panic!("deliver: {e}\n{}", server.log()));
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].summary["tls"], true);
    assert_eq!(got[0].summary["authenticated"], true);
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let ca = TestCa::new();
    let server = SmtpServer::start_with(ServerTls::Tls, Some(&ca), None);
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    // Only the public web PKI is trusted: the private CA's certificate is not.
    let mailer = SmtpMailer::from_config(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(server.port),
        tls: SmtpTls::Tls,
        username: None,
        password: None,
        ca_file: None,
        timeout_secs: Some(10),
    })
    .expect("config");
    let err = deliver(
        &t.db,
        &mailer,
        f.report_id,
        &f.requester_email,
        &sample_message("x"),
    )
    .await
    .expect_err("untrusted certificate");
    assert!(matches!(err, DeliveryError::Transient { .. }), "{err:?}");
    assert!(server.received().is_empty());
}

/// A server that greets and then never answers: lettre times out only the
/// connect, so the mailer's own deadline must end the conversation.
#[tokio::test]
async fn a_server_that_stops_answering_is_transient() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let stall = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().expect("accept");
        sock.write_all(b"220 stalled.test ESMTP\r\n")
            .expect("greet");
        // Hold the connection open, silent, until the client gives up.
        let mut buf = [0u8; 1024];
        while matches!(std::io::Read::read(&mut sock, &mut buf), Ok(n) if n > 0) {}
    });
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let mailer = SmtpMailer::from_config(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls: SmtpTls::None,
        username: None,
        password: None,
        ca_file: None,
        timeout_secs: Some(1),
    })
    .expect("config");
    let started = std::time::Instant::now();
    let err = deliver(
        &t.db,
        &mailer,
        f.report_id,
        &f.requester_email,
        &sample_message("x"),
    )
    .await
    .expect_err("no answer");
    assert!(
        matches!(&err, DeliveryError::Transient { error, .. } if error.contains("no answer")),
        "{err:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    drop(mailer);
    stall.join().expect("stalling server");
}
