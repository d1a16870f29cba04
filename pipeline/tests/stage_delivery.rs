//! The delivery stage under a crash: a worker that dies after the SMTP
//! server accepted the email (and the delivery row says so) but before it
//! acknowledged the bus message. The restarted worker gets the message again
//! and must not send a second email.

#[path = "delivery/support.rs"]
mod support;

use async_trait::async_trait;
use chrono::Utc;
use mymeet_core::blob::{layout, BlobStore, LocalBlobStore, SharedBlobStore};
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::messages::ReportReadyV1;
use mymeet_core::bus::{
    consume, Bus, Envelope, Handler, HandlerError, QueueSpec, RetryPolicy, SharedBus,
};
use mymeet_core::config::{EmailConfig, SmtpConfig};
use mymeet_core::db::entities::deliveries::DeliveryStatus;
use mymeet_core::db::entities::reports::ReportFormat;
use mymeet_core::db::repo::{self, meetings::NewMeeting, transcripts::NewTranscript};
use mymeet_core::db::{connect_url, migrate, Db};
use mymeet_core::domain::Platform;
use mymeet_pipeline::delivery::SmtpMailer;
use mymeet_pipeline::render::{sample_report, Renderer};
use mymeet_pipeline::stages::DeliveryStage;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{tiny_pdf, SmtpServer};
use tokio::sync::mpsc;
use uuid::Uuid;

/// How long an in-process delivery stays hidden without renewal.
const LEASE: Duration = Duration::from_secs(1);
const QUEUE: &str = "report.ready";

/// Runs the real stage, reports that it finished, then never acks: the
/// process is about to die.
struct DiesBeforeAck {
    stage: DeliveryStage,
    finished: mpsc::UnboundedSender<Result<(), String>>,
}

#[async_trait]
impl Handler for DiesBeforeAck {
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let outcome = self.stage.handle(envelope).await;
        let _ = self.finished.send(outcome.map_err(|e| format!("{e:?}")));
        std::future::pending().await
    }
}

/// One worker process: its own connections, bus and stage.
async fn worker(url: &str, blobs: &Path, smtp_port: u16) -> (Db, Arc<InProcessBus>, DeliveryStage) {
    let db = connect_url(url, None).await.expect("database");
    let bus = Arc::new(InProcessBus::new(db.clone(), RetryPolicy::default(), LEASE));
    bus.declare(&QueueSpec::stage(QUEUE))
        .await
        .expect("declare");
    let smtp: SmtpConfig = serde_json::from_value(serde_json::json!({
        "host": "127.0.0.1", "port": smtp_port, "tls": "none",
    }))
    .expect("SMTP settings");
    let email = EmailConfig {
        smtp: Some(smtp.clone()),
        ..EmailConfig::default()
    };
    let stage = DeliveryStage::new(
        db.clone(),
        Arc::new(LocalBlobStore::new(blobs)) as SharedBlobStore,
        Box::new(SmtpMailer::from_config(&smtp).expect("mailer")),
        email,
        Renderer::new().expect("templates"),
    );
    (db, bus, stage)
}

/// A meeting with a rendered report (JSON and PDF blobs) whose requester is
/// `ann@example.com`; returns the HTML-less report id to announce.
async fn rendered_report(db: &Db, blobs: &Path) -> (Uuid, Uuid) {
    let store = LocalBlobStore::new(blobs);
    let tenant = repo::tenants::create(db, "Acme", "acme").await.unwrap();
    let ann = repo::users::create(db, tenant.id, "ann@example.com", "Ann")
        .await
        .unwrap();
    let meeting = repo::meetings::upsert(
        db,
        NewMeeting {
            tenant_id: tenant.id,
            platform: Platform::Meet,
            meeting_url: "https://meet.google.com/abc-defg-hij",
            title: "Weekly sync",
            starts_at: Utc::now(),
            ends_at: Utc::now(),
        },
    )
    .await
    .unwrap()
    .model;
    let bot = repo::bots::create(db, meeting.id, Utc::now(), &[ann.id])
        .await
        .unwrap();
    let recording = repo::recordings::insert_if_absent(db, bot.id, 60_000, "r.ogg", &[])
        .await
        .unwrap()
        .model;
    let transcript = repo::transcripts::insert_if_absent(
        db,
        NewTranscript {
            recording_id: recording.id,
            language: "en",
            language_probability: Some(1.0),
            model: "tiny.en",
        },
        &[],
    )
    .await
    .unwrap()
    .model;
    let files = [
        (
            ReportFormat::Json,
            "json",
            serde_json::to_vec(&sample_report()).unwrap(),
        ),
        (ReportFormat::Pdf, "pdf", tiny_pdf("Weekly sync report")),
    ];
    let mut first = None;
    for (format, extension, bytes) in files {
        let key = layout::report_file(transcript.id, "report", extension).unwrap();
        store.put(&key, bytes.into()).await.unwrap();
        let row = repo::reports::insert_if_absent(db, transcript.id, format, key.as_str(), None)
            .await
            .unwrap()
            .model;
        first.get_or_insert(row.id);
    }
    (first.unwrap(), transcript.id)
}

#[test]
fn a_worker_killed_between_send_and_ack_leaves_one_email() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite").display()
    );
    let blobs = dir.path().join("blobs");
    let smtp = SmtpServer::start();

    // The first worker: sends, records the delivery, dies before the ack.
    let doomed = tokio::runtime::Runtime::new().unwrap();
    let (report_id, outcome) = doomed.block_on(async {
        let db = connect_url(&url, None).await.unwrap();
        migrate(&db).await.unwrap();
        let (report_id, transcript_id) = rendered_report(&db, &blobs).await;
        let (_db, bus, stage) = worker(&url, &blobs, smtp.port).await;
        bus.publish(&Envelope::new(&ReportReadyV1 {
            report_id,
            transcript_id,
        }))
        .await
        .unwrap();
        let (finished, mut finished_rx) = mpsc::unbounded_channel();
        let handler = Arc::new(DiesBeforeAck { stage, finished });
        tokio::spawn(consume(
            bus as SharedBus,
            QueueSpec::stage(QUEUE),
            handler,
            1,
            std::future::pending::<()>(),
        ));
        let outcome = tokio::time::timeout(Duration::from_secs(60), finished_rx.recv())
            .await
            .expect("the first worker handled the message")
            .expect("outcome");
        (report_id, outcome)
    });
    assert_eq!(outcome, Ok(()), "the first worker's delivery failed");
    // The process dies: every task stops, lease renewals included.
    doomed.shutdown_background();
    assert_eq!(smtp.received().len(), 1, "the first worker sent the email");

    // The restarted worker gets the message again once the lease lapses.
    let restarted = tokio::runtime::Runtime::new().unwrap();
    restarted.block_on(async {
        let (db, bus, stage) = worker(&url, &blobs, smtp.port).await;
        let consumer = tokio::spawn(consume(
            bus.clone() as SharedBus,
            QueueSpec::stage(QUEUE),
            Arc::new(stage),
            1,
            std::future::pending::<()>(),
        ));
        let deadline = Instant::now() + Duration::from_secs(30);
        while bus.depth(QUEUE).await.unwrap() > 0 {
            assert!(
                Instant::now() < deadline,
                "the redelivered message was never acked"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        consumer.abort();
        let deliveries = repo::deliveries::list_for_report(&db, report_id)
            .await
            .unwrap();
        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0].status, DeliveryStatus::Sent);
        assert_eq!(deliveries[0].recipient, "ann@example.com");
    });
    let received = smtp.received();
    assert_eq!(received.len(), 1, "a second email was sent: {received:#?}");
}
