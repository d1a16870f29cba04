//! The report stage on the embedded stack: a stored transcript becomes one
//! report per format, however often `transcript.ready` arrives, and a
//! tenant's saved template shapes the next report.

use chrono::Utc;
use mymeet_core::blob::{BlobKey, LocalBlobStore, SharedBlobStore};
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::messages::{ReportReadyV1, TranscriptReadyV1};
use mymeet_core::bus::{Envelope, Handler, QueueSpec, RetryPolicy, SharedBus};
use mymeet_core::db::entities::reports::ReportFormat;
use mymeet_core::db::repo::{self, meetings::NewMeeting, transcripts};
use mymeet_core::db::{connect_url, migrate, Db};
use mymeet_core::domain::Platform;
use mymeet_pipeline::analysis::BuiltinEngine;
use mymeet_pipeline::render::{
    save_tenant_template, PdfEngine, PdfPrinter, Renderer, SaveTemplateError,
};
use mymeet_pipeline::stages::ReportStage;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

struct Stack {
    _dir: tempfile::TempDir,
    db: Db,
    bus: SharedBus,
    blobs: SharedBlobStore,
    stage: ReportStage,
}

async fn stack() -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite").display()
    );
    let db = connect_url(&url, None).await.unwrap();
    migrate(&db).await.unwrap();
    let bus: SharedBus = Arc::new(InProcessBus::new(
        db.clone(),
        RetryPolicy::default(),
        Duration::from_secs(5),
    ));
    bus.declare(&QueueSpec::stage("report.ready"))
        .await
        .unwrap();
    let blobs: SharedBlobStore = Arc::new(LocalBlobStore::new(dir.path().join("blobs")));
    let stage = ReportStage::new(
        db.clone(),
        blobs.clone(),
        bus.clone(),
        Arc::new(BuiltinEngine),
        Renderer::new().unwrap(),
        PdfPrinter::new(PdfEngine::default()).unwrap(),
        &[ReportFormat::Html, ReportFormat::Pdf, ReportFormat::Md],
        true,
    );
    Stack {
        _dir: dir,
        db,
        bus,
        blobs,
        stage,
    }
}

/// A tenant's meeting with a transcript of two speakers; returns (tenant, message).
async fn transcript(s: &Stack, tenant_id: Option<Uuid>) -> (Uuid, TranscriptReadyV1) {
    let tenant_id = match tenant_id {
        Some(t) => t,
        None => {
            repo::tenants::create(&s.db, "Acme", "acme")
                .await
                .unwrap()
                .id
        }
    };
    let meeting = repo::meetings::upsert(
        &s.db,
        NewMeeting {
            tenant_id,
            platform: Platform::Teams,
            meeting_url: &format!("https://teams.live.com/meet/{}", Uuid::new_v4().simple()),
            title: "Release planning",
            starts_at: Utc::now(),
            ends_at: Utc::now(),
        },
    )
    .await
    .unwrap()
    .model;
    let bot = repo::bots::create(&s.db, meeting.id, Utc::now(), &[])
        .await
        .unwrap();
    let recording = repo::recordings::insert_if_absent(&s.db, bot.id, 30_000, "r.ogg", &[])
        .await
        .unwrap()
        .model;
    let lines = [
        (
            "Alice",
            "Let's go with the March release for the mobile app.",
        ),
        ("Bob", "I'll prepare the release notes by Friday."),
        ("Alice", "We decided to drop the legacy importer."),
    ];
    let segments: Vec<transcripts::NewSegment> = lines
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| transcripts::NewSegment {
            start_ms: i as i64 * 8_000,
            end_ms: i as i64 * 8_000 + 7_000,
            speaker: Some((*speaker).into()),
            text: (*text).into(),
            confidence: Some(0.9),
            language: None,
        })
        .collect();
    let t = transcripts::insert_if_absent(
        &s.db,
        transcripts::NewTranscript {
            recording_id: recording.id,
            language: "en",
            language_probability: Some(1.0),
            model: "tiny.en",
        },
        &segments,
    )
    .await
    .unwrap()
    .model;
    (
        tenant_id,
        TranscriptReadyV1 {
            transcript_id: t.id,
            recording_id: recording.id,
        },
    )
}

async fn html_of(s: &Stack, transcript_id: Uuid) -> String {
    let reports = repo::reports::list_for_transcript(&s.db, transcript_id)
        .await
        .unwrap();
    let html = reports
        .iter()
        .find(|r| r.format == ReportFormat::Html)
        .expect("an HTML report");
    let bytes = s
        .blobs
        .get(&BlobKey::new(html.blob_key.clone()).unwrap())
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redelivered_transcript_gets_one_report_per_format() {
    let s = stack().await;
    let (_, ready) = transcript(&s, None).await;
    let msg = Envelope::new(&ready);
    s.stage.handle(&msg).await.unwrap();
    s.stage.handle(&msg).await.unwrap();

    let reports = repo::reports::list_for_transcript(&s.db, ready.transcript_id)
        .await
        .unwrap();
    let mut formats: Vec<_> = reports.iter().map(|r| r.format).collect();
    formats.sort_by_key(|f| format!("{f:?}"));
    assert_eq!(
        formats,
        vec![
            ReportFormat::Html,
            ReportFormat::Json,
            ReportFormat::Md,
            ReportFormat::Pdf
        ]
    );
    for r in &reports {
        let bytes = s
            .blobs
            .get(&BlobKey::new(r.blob_key.clone()).unwrap())
            .await
            .unwrap();
        assert!(!bytes.is_empty(), "{:?} is empty", r.format);
        if r.format == ReportFormat::Pdf {
            assert!(bytes.starts_with(b"%PDF-"));
        }
    }
    let html = html_of(&s, ready.transcript_id).await;
    assert!(html.contains("release notes"), "the transcript's words");
    assert!(html.contains("Bob"), "the action item's owner");

    // Both deliveries announced the same report.
    let mut sub = s
        .bus
        .subscribe(&QueueSpec::stage("report.ready"))
        .await
        .unwrap();
    let mut announced = Vec::new();
    for _ in 0..2 {
        let d = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("report.ready published")
            .unwrap();
        announced.push(d.envelope.decode::<ReportReadyV1>().unwrap().report_id);
        d.ack().await.unwrap();
    }
    assert_eq!(announced[0], announced[1]);
    s.stage.printer().close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_template_is_refused_and_a_saved_one_shapes_the_next_report() {
    let s = stack().await;
    let (tenant, first) = transcript(&s, None).await;
    s.stage.handle(&Envelope::new(&first)).await.unwrap();
    assert!(!html_of(&s, first.transcript_id)
        .await
        .contains("ACME REPORT"));

    let broken = "<h1>{{meeting.title}}</h1>\n{{#each action_items}}\n<p>{{text}}</p>\n";
    match save_tenant_template(&s.db, tenant, "summary", broken).await {
        Err(SaveTemplateError::Invalid { source, .. }) => {
            assert!(source.line.is_some(), "no position in {source}");
        }
        other => panic!("a broken template was not refused: {other:?}"),
    }
    let good =
        "<h1>ACME REPORT: {{meeting.title}}</h1>\n{{#each action_items}}<p>{{text}}</p>{{/each}}";
    save_tenant_template(&s.db, tenant, "summary", good)
        .await
        .expect("a valid template is saved");

    let (_, second) = transcript(&s, Some(tenant)).await;
    s.stage.handle(&Envelope::new(&second)).await.unwrap();
    let html = html_of(&s, second.transcript_id).await;
    assert!(html.contains("ACME REPORT: Release planning"), "{html}");
    assert!(html.contains("release notes"), "{html}");
    s.stage.printer().close().await;
}
