//! `recording.completed` → transcript → `transcript.ready`.
//!
//! Per-speaker tracks are transcribed one by one and labelled with their
//! speaker; otherwise the tracks are mixed here (or, for a recording without
//! tracks, its mixed file is read) and get speakers from the bot's timeline.
//! Every track sits at its offset on the meeting's timeline (a bot relaunched
//! after a crash records tracks that start later), and each launch's speaker
//! timeline is shifted by its launch's offset.
//! What the live half already drafted during the call is not transcribed
//! again: only the tail after the draft is. The
//! transcript is stored once per recording: a redelivered message finds it
//! and only publishes `transcript.ready` again (the next stage is idempotent
//! too), so a crash between storing and publishing loses nothing.

use super::live_transcription::{load_draft, LiveTranscriptionStage};
use super::recording_audio::{download, mixed_tracks_from, PlacedTrack};
use super::StageFailure;
use crate::live::{LivePolicy, TranscriptDraft};
use crate::speakers::{assign_by_timeline, timeline_from_bot_json};
use crate::transcribe::{TranscribeError, Transcriber};
use crate::transcript::{Segment, Transcript};
use async_trait::async_trait;
use mymeet_core::blob::{layout, BlobError, BlobKey, SharedBlobStore};
use mymeet_core::bus::messages::{RecordingCompletedV1, TranscriptReadyV1};
use mymeet_core::bus::{Envelope, Handler, HandlerError, SharedBus};
use mymeet_core::db::entities::recordings::{self, Track};
use mymeet_core::db::repo::{self, transcripts::NewSegment, transcripts::NewTranscript};
use mymeet_core::db::Db;
use std::path::Path;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Progress of one recording: `(recording, seconds of speech done, total)`.
pub type TranscriptionProgress = Arc<dyn Fn(Uuid, f64, f64) + Send + Sync>;

/// The transcription stage: one loaded model serves every message.
pub struct TranscriptionStage {
    db: Db,
    blobs: SharedBlobStore,
    bus: SharedBus,
    // Whisper decoding is CPU-bound and mutates its caches: one recording at
    // a time per loaded model, on a blocking thread.
    transcriber: Arc<Mutex<Transcriber>>,
    model_name: String,
    progress: Option<TranscriptionProgress>,
}

impl TranscriptionStage {
    /// A stage over the given stores with a loaded transcriber; `model_name`
    /// is recorded with every transcript.
    pub fn new(
        db: Db,
        blobs: SharedBlobStore,
        bus: SharedBus,
        transcriber: Transcriber,
        model_name: impl Into<String>,
    ) -> Self {
        Self {
            db,
            blobs,
            bus,
            transcriber: Arc::new(Mutex::new(transcriber)),
            model_name: model_name.into(),
            progress: None,
        }
    }

    /// Reports decoding progress (the demo's progress bar).
    pub fn with_progress(mut self, progress: TranscriptionProgress) -> Self {
        self.progress = Some(progress);
        self
    }

    async fn publish_ready(
        &self,
        transcript_id: Uuid,
        recording_id: Uuid,
    ) -> Result<(), HandlerError> {
        let ready = TranscriptReadyV1 {
            transcript_id,
            recording_id,
        };
        self.bus
            .publish(&Envelope::new(&ready))
            .await
            .map_err(StageFailure::into_handler_error)
    }

    /// Transcribes the recording's audio: per-speaker tracks when every track
    /// knows its speaker, else the mixed track with the bot's timeline.
    async fn transcribe(&self, recording: &recordings::Model) -> Result<Transcript, HandlerError> {
        let tracks = recording.tracks().map_err(|e| {
            HandlerError::Reject(format!(
                "recording {}: unreadable track list: {e}",
                recording.id
            ))
        })?;
        let per_speaker = !tracks.is_empty() && tracks.iter().all(|t| t.speaker.is_some());
        let dir = tempfile::tempdir()
            .map_err(|e| HandlerError::Retry(format!("cannot create a temporary folder: {e}")))?;
        if per_speaker {
            let mut parts = Vec::with_capacity(tracks.len());
            for (i, track) in tracks.iter().enumerate() {
                let path = self
                    .download(&track.blob_key, &dir.path().join(format!("track-{i}.ogg")))
                    .await?;
                let mut part = self.run_whisper(recording.id, &path).await?;
                let speaker = track.speaker.clone();
                let offset_s = track.offset_ms as f64 / 1000.0;
                part.duration += offset_s;
                part.segments.iter_mut().for_each(|s| {
                    s.speaker.clone_from(&speaker);
                    s.start += offset_s;
                    s.end += offset_s;
                });
                parts.push(part);
            }
            Ok(merge_tracks(parts))
        } else {
            let mut transcript = if tracks.is_empty() {
                let path = self
                    .download(&recording.mixed_blob_key, &dir.path().join("recording.ogg"))
                    .await?;
                self.run_whisper(recording.id, &path).await?
            } else {
                self.transcribe_mixed_tracks(recording, &tracks)
                    .await
                    .map_err(|e| match e {
                        HandlerError::Reject(m) => {
                            HandlerError::Reject(format!("recording {}: {m}", recording.id))
                        }
                        retry => retry,
                    })?
            };
            let timeline = self.speaker_timeline(recording, &tracks).await?;
            assign_by_timeline(&mut transcript.segments, &timeline);
            Ok(transcript)
        }
    }

    async fn download(&self, key: &str, to: &Path) -> Result<std::path::PathBuf, HandlerError> {
        let key = BlobKey::new(key)
            .map_err(|e| HandlerError::Reject(format!("recording names a bad blob key: {e}")))?;
        download(&self.blobs, &key, to).await
    }

    /// The speaker timeline of every launch whose audio the recording holds,
    /// each shifted by its launch's offset; a launch without `bot.json` (one
    /// that crashed) adds none.
    async fn speaker_timeline(
        &self,
        recording: &recordings::Model,
        tracks: &[Track],
    ) -> Result<Vec<crate::speakers::SpeakerTurn>, HandlerError> {
        let bot_id = recording.bot_id;
        let placed: Vec<(&str, i64)> = if tracks.is_empty() {
            vec![(recording.mixed_blob_key.as_str(), 0)]
        } else {
            tracks
                .iter()
                .map(|t| (t.blob_key.as_str(), t.offset_ms))
                .collect()
        };
        let mut reports: Vec<(BlobKey, i64)> = Vec::new();
        for (key, offset_ms) in placed {
            // Keys from before launches had folders: the bot's one bot.json.
            let report = match layout::launch_of(bot_id, key) {
                Some(launch) => layout::bot_report(bot_id, launch),
                None => layout::legacy_bot_report(bot_id),
            };
            if !reports.iter().any(|(k, _)| *k == report) {
                reports.push((report, offset_ms));
            }
        }
        let mut timeline = Vec::new();
        for (key, offset_ms) in reports {
            let turns = match self.blobs.get(&key).await {
                Ok(bytes) => timeline_from_bot_json(&bytes).map_err(|e| {
                    HandlerError::Reject(format!("bot {bot_id}: unreadable {key}: {e}"))
                })?,
                Err(BlobError::NotFound(_)) => continue,
                Err(e) => return Err(e.into_handler_error()),
            };
            let offset_s = offset_ms as f64 / 1000.0;
            timeline.extend(turns.into_iter().map(|mut t| {
                t.start += offset_s;
                t.end += offset_s;
                t
            }));
        }
        timeline.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(timeline)
    }

    async fn run_whisper(
        &self,
        recording_id: Uuid,
        path: &Path,
    ) -> Result<Transcript, HandlerError> {
        let path = path.to_path_buf();
        self.run_reported(recording_id, move |t, report| {
            t.transcribe_file(&path, report)
        })
        .await
    }

    /// Runs `job` on the model with this stage's progress reporting.
    async fn run_reported(
        &self,
        recording_id: Uuid,
        job: impl FnOnce(
                &mut Transcriber,
                &mut dyn FnMut(f64, f64),
            ) -> Result<Transcript, TranscribeError>
            + Send
            + 'static,
    ) -> Result<Transcript, HandlerError> {
        let progress = self.progress.clone();
        on_transcriber(&self.transcriber, move |transcriber| {
            let mut report = |done: f64, total: f64| {
                if let Some(p) = &progress {
                    p(recording_id, done, total);
                }
            };
            job(transcriber, &mut report)
        })
        .await?
        .map_err(|e| classify(recording_id, e))
    }

    /// The stage's live half over the same model: `recording.progress` →
    /// the recording's draft (see [`crate::live`]).
    pub fn live(&self, policy: LivePolicy) -> LiveTranscriptionStage {
        LiveTranscriptionStage::new(
            self.blobs.clone(),
            self.transcriber.clone(),
            self.model_name.clone(),
            policy,
        )
    }

    /// The draft the live half left for `bot_id`, when this model wrote it.
    async fn usable_draft(&self, bot_id: Uuid) -> Option<TranscriptDraft> {
        let draft = load_draft(&self.blobs, bot_id).await?;
        (draft.model == self.model_name).then_some(draft)
    }

    /// The tracks mixed here at their offsets (the bot's own mix is not
    /// needed), continued from the live draft when there is one this model
    /// wrote over tracks of this recording that start at its time 0: then
    /// only the tail after it is decoded and transcribed now.
    ///
    /// A draft is made on one launch's tracks, on that launch's timeline;
    /// only the first recording launch's timeline is the meeting's. A draft
    /// from a later launch (tracks at an offset) or from tracks the
    /// recording does not list is not continued: the recording is then
    /// transcribed whole, which is slower, never wrong.
    async fn transcribe_mixed_tracks(
        &self,
        recording: &recordings::Model,
        tracks: &[Track],
    ) -> Result<Transcript, HandlerError> {
        let duration_s = recording.duration_ms as f64 / 1000.0;
        let draft = self
            .usable_draft(recording.bot_id)
            .await
            .filter(|d| d.through_s <= duration_s + 1.0)
            .filter(|d| {
                d.drawn_from_within(|key| {
                    tracks.iter().any(|t| t.blob_key == key && t.offset_ms == 0)
                })
            })
            .unwrap_or_else(|| TranscriptDraft::new(self.model_name.clone()));
        let keys = tracks
            .iter()
            .map(|t| {
                BlobKey::new(&t.blob_key).map(|key| PlacedTrack {
                    key,
                    offset_s: t.offset_ms as f64 / 1000.0,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| HandlerError::Reject(format!("recording names a bad blob key: {e}")))?;
        let tail = mixed_tracks_from(&self.blobs, &keys, draft.through_s).await?;
        if draft.through_s > 0.0 {
            tracing::info!(recording = %recording.id, draft_s = draft.through_s,
                tail_s = tail.len() as f64 / f64::from(crate::audio::SAMPLE_RATE),
                segments = draft.segments.len(), "continuing the live draft");
        }
        let context = draft.continuation();
        let rest = self
            .run_reported(recording.id, move |t, report| {
                let regions = t.speech_regions(&tail)?;
                t.transcribe_speech(&tail, regions.as_deref(), &context, report)
            })
            .await?;
        Ok(draft.finish(rest))
    }
}

/// Runs `job` with the loaded model on a blocking thread (decoding is
/// CPU-bound and mutates the model's caches: one job at a time per model).
pub(super) async fn on_transcriber<T: Send + 'static>(
    transcriber: &Arc<Mutex<Transcriber>>,
    job: impl FnOnce(&mut Transcriber) -> T + Send + 'static,
) -> Result<T, HandlerError> {
    let transcriber = transcriber.clone();
    tokio::task::spawn_blocking(move || {
        let mut transcriber = transcriber
            .lock()
            .map_err(|_| HandlerError::Retry("a previous transcription panicked".into()))?;
        Ok(job(&mut transcriber))
    })
    .await
    .map_err(|e| HandlerError::Retry(format!("transcription task failed: {e}")))?
}

/// A broken audio file never decodes: dead-letter it with the reason.
fn classify(recording_id: Uuid, error: TranscribeError) -> HandlerError {
    let message = format!("recording {recording_id}: {error}");
    match error {
        TranscribeError::Audio(_) => HandlerError::Reject(message),
        _ => HandlerError::Retry(message),
    }
}

/// One transcript from per-track transcripts, segments in time order.
fn merge_tracks(parts: Vec<Transcript>) -> Transcript {
    let duration = parts.iter().map(|p| p.duration).fold(0.0, f64::max);
    // The recording's language is the one most speech was in.
    let mut by_language: Vec<(String, f32, usize)> = Vec::new();
    for p in &parts {
        match by_language.iter_mut().find(|(l, ..)| *l == p.language) {
            Some(entry) => entry.2 += p.segments.len(),
            None => {
                by_language.push((p.language.clone(), p.language_probability, p.segments.len()))
            }
        }
    }
    let (language, language_probability) = by_language
        .iter()
        .max_by_key(|(.., n)| *n)
        .map(|(l, p, _)| (l.clone(), *p))
        .unwrap_or_else(|| ("en".into(), 0.0));
    let mut segments: Vec<Segment> = parts.into_iter().flat_map(|p| p.segments).collect();
    segments.sort_by(|a, b| a.start.total_cmp(&b.start));
    Transcript {
        language,
        language_probability,
        duration,
        segments,
    }
}

fn to_rows(transcript: &Transcript) -> Vec<NewSegment> {
    transcript
        .segments
        .iter()
        .map(|s| NewSegment {
            start_ms: (s.start * 1000.0).round() as i64,
            end_ms: (s.end * 1000.0).round() as i64,
            speaker: s.speaker.clone(),
            text: s.text.clone(),
            confidence: Some(f64::from(s.confidence)),
            language: (s.language != transcript.language).then(|| s.language.clone()),
        })
        .collect()
}

#[async_trait]
impl Handler for TranscriptionStage {
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let msg: RecordingCompletedV1 = envelope
            .decode()
            .map_err(StageFailure::into_handler_error)?;
        if let Some(done) = repo::transcripts::for_recording(&self.db, msg.recording_id)
            .await
            .map_err(StageFailure::into_handler_error)?
        {
            tracing::info!(recording = %msg.recording_id, transcript = %done.id, "already transcribed; publishing again");
            return self.publish_ready(done.id, msg.recording_id).await;
        }
        let recording = repo::recordings::get(&self.db, msg.recording_id)
            .await
            .map_err(StageFailure::into_handler_error)?;
        let started = std::time::Instant::now();
        let transcript = self.transcribe(&recording).await?;
        let stored = repo::transcripts::insert_if_absent(
            &self.db,
            NewTranscript {
                recording_id: recording.id,
                language: &transcript.language,
                language_probability: Some(f64::from(transcript.language_probability)),
                model: &self.model_name,
            },
            &to_rows(&transcript),
        )
        .await
        .map_err(StageFailure::into_handler_error)?;
        tracing::info!(
            recording = %recording.id,
            transcript = %stored.model.id,
            segments = transcript.segments.len(),
            language = %transcript.language,
            seconds = started.elapsed().as_secs_f64(),
            "transcribed"
        );
        self.publish_ready(stored.model.id, recording.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: f64, speaker: &str) -> Segment {
        Segment {
            start,
            end: start + 1.0,
            speaker: Some(speaker.into()),
            text: format!("{speaker} at {start}"),
            confidence: 0.9,
            language: "en".into(),
        }
    }

    #[test]
    fn merged_tracks_are_in_time_order_with_the_majority_language() {
        let a = Transcript {
            language: "en".into(),
            language_probability: 0.9,
            duration: 10.0,
            segments: vec![seg(0.0, "A"), seg(5.0, "A")],
        };
        let b = Transcript {
            language: "ru".into(),
            language_probability: 0.8,
            duration: 12.0,
            segments: vec![seg(2.0, "B")],
        };
        let merged = merge_tracks(vec![a, b]);
        let starts: Vec<f64> = merged.segments.iter().map(|s| s.start).collect();
        assert_eq!(starts, vec![0.0, 2.0, 5.0]);
        assert_eq!(merged.language, "en");
        assert_eq!(merged.duration, 12.0);
    }
}
