//! Delivery into the outbox folder (the embedded default).

use crate::delivery_support::{fixture, sample_message, TestDb};
use mymeet_core::config::Config;
use mymeet_core::db::entities::deliveries::{Channel, DeliveryStatus};
use mymeet_core::db::repo::deliveries;
use mymeet_pipeline::delivery::{
    compose, deliver, mailer_from_config, stable_message_id, DeliveryOutcome, Mailer, OutboxMailer,
};
use std::collections::BTreeMap;
use std::path::Path;

/// The `.eml` files in `dir` and their contents (temporary files excluded).
fn eml_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read the outbox")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read file"))
        })
        .collect()
}

#[tokio::test]
async fn outbox_writes_one_eml_per_delivery_and_nothing_on_repeat() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let outbox_dir = dir.path().join("outbox");
    let mailer = OutboxMailer::new(&outbox_dir);
    let message = sample_message("outbox");

    let mut ids = Vec::new();
    for to in ["ann@acme.test", "bob@acme.test"] {
        match deliver(&t.db, &mailer, f.report_id, to, &message).await {
            Ok(DeliveryOutcome::Sent { message_id, .. }) => ids.push(message_id),
            other => panic!("expected Sent, got {other:?}"),
        }
    }
    let files = eml_files(&outbox_dir);
    assert_eq!(files.len(), 2, "{:?}", files.keys());
    for id in &ids {
        let name = format!("{}.eml", id.trim_start_matches('<').trim_end_matches('>'));
        let raw = String::from_utf8(
            files
                .get(&name)
                .unwrap_or_else(|| panic!("{name} missing"))
                .clone(),
        )
        .expect("ASCII message");
        assert!(raw.contains(&format!("Message-ID: {id}\r\n")), "{raw}");
        assert!(raw.contains("Content-Type: application/pdf"), "{raw}");
        assert!(
            raw.contains("Subject: Meeting report: Weekly sync"),
            "{raw}"
        );
    }
    assert!(raw_contains(&files, "To: ann@acme.test\r\n"));
    assert!(raw_contains(&files, "To: bob@acme.test\r\n"));

    for to in ["ann@acme.test", "bob@acme.test"] {
        let again = deliver(&t.db, &mailer, f.report_id, to, &message)
            .await
            .expect("again");
        assert!(
            matches!(again, DeliveryOutcome::AlreadySent { .. }),
            "{again:?}"
        );
    }
    assert_eq!(
        eml_files(&outbox_dir),
        files,
        "nothing new, nothing changed"
    );
}

fn raw_contains(files: &BTreeMap<String, Vec<u8>>, needle: &str) -> bool {
    files
        .values()
        .any(|raw| String::from_utf8_lossy(raw).contains(needle))
}

/// A crash after the file was written and before the row was marked: the
/// retry finds the file (named by the stable Message-ID) and writes nothing.
#[tokio::test]
async fn outbox_has_no_window_after_a_crash() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mailer = OutboxMailer::new(dir.path());
    let message = sample_message("crash");
    let id = stable_message_id(f.report_id, &f.requester_email, &message.from);
    let row = deliveries::claim(&t.db, f.report_id, &f.requester_email, Channel::Email, &id)
        .await
        .expect("claim")
        .model;
    let email = compose(&message, &row.recipient, &row.message_id).expect("compose");
    mailer.send(&email).await.expect("written before the crash");
    let before = eml_files(dir.path());
    assert_eq!(before.len(), 1);

    let outcome = deliver(&t.db, &mailer, f.report_id, &f.requester_email, &message)
        .await
        .expect("retry");
    assert!(
        matches!(outcome, DeliveryOutcome::Sent { .. }),
        "{outcome:?}"
    );
    assert_eq!(eml_files(dir.path()), before, "the retry wrote nothing");
    let row = deliveries::get(&t.db, row.id).await.expect("row");
    assert_eq!(row.status, DeliveryStatus::Sent);
    assert!(mailer.path_of(&row.message_id).is_file());
}

#[tokio::test]
async fn embedded_default_uses_the_outbox() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let config = Config {
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    let mailer = mailer_from_config(&config).expect("mailer");
    assert_eq!(
        mailer.describe(),
        format!("outbox {}", dir.path().join("outbox").display())
    );

    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    deliver(
        &t.db,
        mailer.as_ref(),
        f.report_id,
        &f.requester_email,
        &sample_message("x"),
    )
    .await
    .expect("deliver");
    assert_eq!(eml_files(&dir.path().join("outbox")).len(), 1);
}
