//! The transcription stage on the embedded stack: a recording in the blob
//! store becomes one transcript with speakers, however often its
//! `recording.completed` message arrives.

mod whisper_support;

use chrono::Utc;
use mymeet_core::blob::{layout, BlobStore, LocalBlobStore};
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::messages::{RecordingCompletedV1, TranscriptReadyV1};
use mymeet_core::bus::{Envelope, Handler, HandlerError, QueueSpec, RetryPolicy, SharedBus};
use mymeet_core::db::repo::{self, meetings::NewMeeting};
use mymeet_core::db::{self as coredb, Db};
use mymeet_core::domain::Platform;
use mymeet_pipeline::stages::TranscriptionStage;
use mymeet_pipeline::transcribe::Transcriber;
use mymeet_pipeline::whisper::TranscribeOptions;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

struct Stack {
    _dir: tempfile::TempDir,
    db: Db,
    bus: SharedBus,
    blobs: Arc<LocalBlobStore>,
}

async fn stack() -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite").display()
    );
    let db = coredb::connect_url(&url, None).await.unwrap();
    coredb::migrate(&db).await.unwrap();
    let bus: SharedBus = Arc::new(InProcessBus::new(
        db.clone(),
        RetryPolicy::default(),
        Duration::from_secs(5),
    ));
    bus.declare(&QueueSpec::stage("transcript.ready"))
        .await
        .unwrap();
    let blobs = Arc::new(LocalBlobStore::new(dir.path().join("blobs")));
    Stack {
        _dir: dir,
        db,
        bus,
        blobs,
    }
}

/// A tenant, a meeting and a bot with a recording whose audio is `audio`.
async fn recording_of(s: &Stack, audio: &[u8], bot_json: Option<&str>) -> (Uuid, Uuid, Uuid) {
    let tenant = repo::tenants::create(&s.db, "Acme", &format!("acme-{}", Uuid::new_v4()))
        .await
        .unwrap();
    let meeting = repo::meetings::upsert(
        &s.db,
        NewMeeting {
            tenant_id: tenant.id,
            platform: Platform::Meet,
            meeting_url: &format!("https://meet.google.com/{}", Uuid::new_v4()),
            title: "Weekly sync",
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
    let key = layout::recording_mixed(bot.id);
    s.blobs.put(&key, audio.to_vec().into()).await.unwrap();
    if let Some(json) = bot_json {
        s.blobs
            .put(&layout::bot_report(bot.id), json.as_bytes().to_vec().into())
            .await
            .unwrap();
    }
    let recording = repo::recordings::insert_if_absent(&s.db, bot.id, 11_000, key.as_str(), &[])
        .await
        .unwrap()
        .model;
    (recording.id, bot.id, meeting.id)
}

/// `pocketsphinx/librivox-0870` (7.1 s) then `jfk` (11 s), as Ogg/Opus.
fn two_speakers_ogg(s: &Stack) -> Vec<u8> {
    let speech = whisper_support::speech_dir();
    let out = s._dir.path().join("two.ogg");
    let status = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(speech.join("pocketsphinx/librivox-0870.flac"))
        .arg("-i")
        .arg(speech.join("jfk/jfk.flac"))
        .args([
            "-filter_complex",
            "[0:a][1:a]concat=n=2:v=0:a=1",
            "-c:a",
            "libopus",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

fn stage(s: &Stack) -> TranscriptionStage {
    let mut options = TranscribeOptions::default();
    options.search.beam_size = 1;
    whisper_support::model_dir("tiny.en");
    whisper_support::model_dir("silero-vad");
    let transcriber = Transcriber::load(&whisper_support::store(), "tiny.en", true, options)
        .expect("tiny.en and silero-vad are installed");
    TranscriptionStage::new(
        s.db.clone(),
        s.blobs.clone(),
        s.bus.clone(),
        transcriber,
        "tiny.en",
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redelivered_recording_gets_one_transcript_with_timeline_speakers() {
    let s = stack().await;
    // Alice reads for 7.1 s, then Bob says the JFK quote: one Opus file,
    // like the bot's mixed recording.
    let audio = two_speakers_ogg(&s);
    let bot_json = r#"{"speakers":[{"name":"Alice","from_s":0.0,"to_s":7.1},{"name":"Bob","from_s":7.1,"to_s":18.1}]}"#;
    let (recording_id, bot_id, meeting_id) = recording_of(&s, &audio, Some(bot_json)).await;
    let stage = stage(&s);
    let msg = Envelope::new(&RecordingCompletedV1 {
        recording_id,
        bot_id,
        meeting_id,
    });
    stage.handle(&msg).await.unwrap();
    stage.handle(&msg).await.unwrap();

    let transcript = repo::transcripts::for_recording(&s.db, recording_id)
        .await
        .unwrap()
        .expect("a transcript");
    assert_eq!(transcript.model, "tiny.en");
    assert_eq!(transcript.language, "en");
    let segments = repo::transcripts::segments(&s.db, transcript.id)
        .await
        .unwrap();
    let text = segments
        .iter()
        .map(|s| s.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("dashwood"), "{text}");
    assert!(text.contains("ask not what your country"), "{text}");
    let speakers: Vec<_> = segments.iter().map(|s| s.speaker.as_deref()).collect();
    assert_eq!(
        speakers.first().copied().flatten(),
        Some("Alice"),
        "{speakers:?}"
    );
    assert_eq!(
        speakers.last().copied().flatten(),
        Some("Bob"),
        "{speakers:?}"
    );

    // Both deliveries announced the same transcript; none made a second one.
    let mut sub = s
        .bus
        .subscribe(&QueueSpec::stage("transcript.ready"))
        .await
        .unwrap();
    for _ in 0..2 {
        let d = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .expect("transcript.ready published")
            .unwrap();
        let ready: TranscriptReadyV1 = d.envelope.decode().unwrap();
        assert_eq!(ready.transcript_id, transcript.id);
        d.ack().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_audio_is_dead_lettered_with_the_recording_named() {
    let s = stack().await;
    let (recording_id, bot_id, meeting_id) =
        recording_of(&s, b"OggS this is not really an ogg file", None).await;
    let err = stage(&s)
        .handle(&Envelope::new(&RecordingCompletedV1 {
            recording_id,
            bot_id,
            meeting_id,
        }))
        .await
        .unwrap_err();
    match err {
        HandlerError::Reject(message) => {
            assert!(message.contains(&recording_id.to_string()), "{message}")
        }
        HandlerError::Retry(message) => panic!("a broken file was retried: {message}"),
    }
    assert!(repo::transcripts::for_recording(&s.db, recording_id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_recording_is_rejected() {
    let s = stack().await;
    let err = stage(&s)
        .handle(&Envelope::new(&RecordingCompletedV1 {
            recording_id: Uuid::new_v4(),
            bot_id: Uuid::new_v4(),
            meeting_id: Uuid::new_v4(),
        }))
        .await
        .unwrap_err();
    assert!(matches!(err, HandlerError::Reject(_)), "{err:?}");
}
