//! `recording.progress` → the recording's transcript draft, while the call
//! goes on (see [`crate::live`]).
//!
//! Each message names the tracks recorded so far. The stage reads each as
//! far as its uploads reach (the last whole-file snapshot and the parts
//! since, [`track_so_far`]), decodes them from where the draft ends, finds
//! the last pause the VAD trusts, and transcribes the speech before it as a
//! continuation of the draft. A
//! progress message is a hint: one that finds too little new speech, or that
//! fails, is acknowledged and forgotten — the next one, or the final
//! `recording.completed`, covers the same audio.
//!
//! The draft notes the tracks it was made from. A bot relaunched after a
//! crash uploads new tracks under a new launch folder, whose time 0 is its
//! own recording start: a draft from the earlier launch names tracks the
//! message does not, so it is dropped and the draft starts over on the new
//! launch's tracks (the final stage then checks the draft against the
//! recording's tracks and offsets, see `TranscriptionStage`).

use super::recording_audio::mixed_bytes_from;
use super::transcription::on_transcriber;
use super::StageFailure;
use crate::audio::{samples_to_seconds, SAMPLE_RATE};
use crate::live::{settled_cut, speech_before, LivePolicy, TranscriptDraft};
use crate::transcribe::{TranscribeError, Transcriber};
use crate::transcript::Transcript;
use async_trait::async_trait;
use mymeet_core::blob::{layout, BlobKey, SharedBlobStore};
use mymeet_core::bus::messages::RecordingProgressV1;
use mymeet_core::bus::{Envelope, Handler, HandlerError};
use mymeet_core::launches::track_so_far;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The live half of the transcription stage; shares its loaded model.
pub struct LiveTranscriptionStage {
    blobs: SharedBlobStore,
    transcriber: Arc<Mutex<Transcriber>>,
    model_name: String,
    policy: LivePolicy,
}

/// What one progress message did to the draft.
#[derive(Debug, PartialEq)]
enum Step {
    /// Transcribed up to a new point.
    Extended { through_s: f64, segments: usize },
    /// Too little settled speech yet, or none of it new.
    Waiting,
}

impl LiveTranscriptionStage {
    pub(super) fn new(
        blobs: SharedBlobStore,
        transcriber: Arc<Mutex<Transcriber>>,
        model_name: String,
        policy: LivePolicy,
    ) -> Self {
        LiveTranscriptionStage {
            blobs,
            transcriber,
            model_name,
            policy,
        }
    }

    async fn advance(&self, msg: &RecordingProgressV1) -> Result<Step, HandlerError> {
        let mut draft = match load_draft(&self.blobs, msg.bot_id).await {
            Some(d)
                if d.model == self.model_name
                    && d.drawn_from_within(|t| msg.tracks.iter().any(|m| m == t)) =>
            {
                d
            }
            _ => TranscriptDraft::new(self.model_name.clone()),
        };
        let keys = msg
            .tracks
            .iter()
            .map(BlobKey::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| HandlerError::Reject(format!("progress names a bad blob key: {e}")))?;
        if keys.is_empty() {
            return Ok(Step::Waiting);
        }
        // Each track as far as its uploads reach: the bot's last whole-file
        // snapshot and the parts it uploaded since (it snapshots ever more
        // rarely as the call grows). One launch's tracks all start with its
        // recording.
        let mut tracks = Vec::with_capacity(keys.len());
        for key in &keys {
            let bytes = track_so_far(self.blobs.as_ref(), msg.bot_id, key)
                .await
                .map_err(StageFailure::into_handler_error)?;
            if let Some(bytes) = bytes {
                tracks.push((bytes, 0.0));
            }
        }
        if tracks.is_empty() {
            return Ok(Step::Waiting);
        }
        let pcm = mixed_bytes_from(tracks, draft.through_s).await?;
        if samples_to_seconds(pcm.len()) < self.policy.min_speech_s {
            return Ok(Step::Waiting);
        }
        let policy = self.policy.clone();
        let context = draft.continuation();
        let part = on_transcriber(&self.transcriber, move |t| {
            transcribe_settled(t, &pcm, &policy, &context)
        })
        .await?
        .map_err(|e| HandlerError::Retry(format!("bot {}: {e}", msg.bot_id)))?;
        let Some((part, cut)) = part else {
            return Ok(Step::Waiting);
        };
        let through_s = draft.through_s + samples_to_seconds(cut);
        let segments = part.segments.len();
        draft.extend(part, through_s);
        draft.tracks.clone_from(&msg.tracks);
        let json = serde_json::to_vec(&draft)
            .map_err(|e| HandlerError::Retry(format!("serializing the draft: {e}")))?;
        self.blobs
            .put(&layout::transcript_draft(msg.bot_id), json.into())
            .await
            .map_err(StageFailure::into_handler_error)?;
        Ok(Step::Extended {
            through_s,
            segments,
        })
    }
}

/// Transcribes the speech of `pcm` before its settled cut; `None` while
/// there is too little of it.
fn transcribe_settled(
    transcriber: &mut Transcriber,
    pcm: &[f32],
    policy: &LivePolicy,
    context: &crate::transcribe::Continuation,
) -> Result<Option<(Transcript, usize)>, TranscribeError> {
    // Without a VAD there is no pause to trust: the whole recording waits for the end.
    let Some(regions) = transcriber.speech_regions(pcm)? else {
        return Ok(None);
    };
    let Some(cut) = settled_cut(&regions, pcm.len(), policy) else {
        return Ok(None);
    };
    let speech = speech_before(&regions, cut);
    // Silence alone is settled at once (nothing to decode); speech waits
    // until there is enough of it to be worth an encoder window.
    if speech > 0 && (speech as f64) < policy.min_speech_s * f64::from(SAMPLE_RATE) {
        return Ok(None);
    }
    let before: Vec<_> = regions.into_iter().filter(|r| r.end <= cut).collect();
    let part =
        transcriber.transcribe_speech(&pcm[..cut], Some(&before), context, &mut |_, _| {})?;
    Ok(Some((part, cut)))
}

/// The draft stored for `bot_id`; `None` when there is none or it cannot be
/// read (a draft is a cache: the recording is then transcribed whole).
pub(super) async fn load_draft(blobs: &SharedBlobStore, bot_id: Uuid) -> Option<TranscriptDraft> {
    let bytes = blobs.get(&layout::transcript_draft(bot_id)).await.ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(draft) => Some(draft),
        Err(e) => {
            tracing::warn!(bot = %bot_id, error = %e, "ignoring an unreadable transcript draft");
            None
        }
    }
}

#[async_trait]
impl Handler for LiveTranscriptionStage {
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let msg: RecordingProgressV1 = envelope
            .decode()
            .map_err(StageFailure::into_handler_error)?;
        let started = std::time::Instant::now();
        match self.advance(&msg).await {
            Ok(Step::Extended {
                through_s,
                segments,
            }) => {
                tracing::info!(bot = %msg.bot_id, through_s, segments, recorded_s = msg.recorded_s,
                    seconds = started.elapsed().as_secs_f64(), "live transcript extended");
            }
            Ok(Step::Waiting) => {
                tracing::debug!(bot = %msg.bot_id, recorded_s = msg.recorded_s, "no settled speech to transcribe yet");
            }
            // A hint that failed is dropped: the final message covers its audio.
            Err(e) => {
                tracing::warn!(bot = %msg.bot_id, error = ?e, "live transcription skipped");
            }
        }
        Ok(())
    }
}
