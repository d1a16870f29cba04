//! The finish step: what a wired bot does once its call is over, in the
//! order that loses nothing — blobs uploaded → recording row stored →
//! `recording.completed` published. (The terminal transition comes after, in
//! the observer.) Every step is idempotent, so a crash anywhere in between is
//! repaired by running the whole step again.
//!
//! A bot relaunched after a crash inside its meeting hands over every
//! launch's audio, not only its own: the recording row lists the tracks the
//! earlier launches uploaded (each under its own launch folder, rebuilt from
//! their last snapshot and parts) next to this launch's, each at its offset
//! on the meeting's timeline. Once this launch's final tracks are stored,
//! its parts are removed.

use super::error::FinishError;
use super::WiredContext;
use crate::recovery::finalize_recording;
use crate::report::BotReport;
use bytes::Bytes;
use mymeet_core::blob::{layout, BlobKey};
use mymeet_core::bus::messages::RecordingCompletedV1;
use mymeet_core::bus::Envelope;
use mymeet_core::db::entities::recordings::Track;
use mymeet_core::db::repo::recordings;
use mymeet_core::launches::{self, reassembly, Launch};
use std::path::Path;
use uuid::Uuid;

/// Which bot and meeting a recording belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BotIds {
    /// The bot.
    pub bot_id: Uuid,
    /// Its meeting.
    pub meeting_id: Uuid,
    /// Which launch of the bot this process is (1 for the first): its
    /// uploads go under `recordings/<bot>/launch-<n>/`.
    pub launch: u32,
}

/// The audio files of a finished call, relative to the output directory.
#[derive(Debug, Clone, PartialEq)]
struct RecordedAudio {
    mixed_file: String,
    duration_s: f64,
    track_files: Vec<String>,
}

/// Uploads the recording (when the bot got into the call) and `bot.json`,
/// stores the recording row once and publishes `recording.completed` —
/// again on every run, so a crash between storing and publishing is
/// repaired by running this again. Returns the recording's id, or `None`
/// when the bot never got in (nothing recorded, nothing published).
pub async fn hand_over(
    ctx: &WiredContext,
    ids: BotIds,
    out_dir: &Path,
    report: &BotReport,
) -> Result<Option<Uuid>, FinishError> {
    let audio = recorded_audio(out_dir, report).await;
    let mut uploaded = Vec::new();
    if let Some(audio) = &audio {
        for file in &audio.track_files {
            let key = layout::recording_track(ids.bot_id, ids.launch, track_name(file))?;
            upload_file(ctx, &key, &out_dir.join(file)).await?;
            uploaded.push((track_stem(file).to_owned(), key));
        }
        let mixed = layout::recording_mixed(ids.bot_id, ids.launch);
        upload_file(ctx, &mixed, &out_dir.join(&audio.mixed_file)).await?;
        // The final tracks hold every byte the parts did. Parts left behind
        // (a failed removal) are harmless: a rebuild finds them inside.
        match reassembly::remove_parts(ctx.blobs.as_ref(), ids.bot_id, ids.launch).await {
            Ok(n) => {
                tracing::debug!(bot = %ids.bot_id, launch = ids.launch, parts = n, "parts removed")
            }
            Err(e) => tracing::warn!(bot = %ids.bot_id, launch = ids.launch, error = %e,
                "removing the parts of the handed-over tracks"),
        }
    }
    let json = serde_json::to_vec_pretty(report)?;
    let key = layout::bot_report(ids.bot_id, ids.launch);
    ctx.blobs
        .put(&key, Bytes::from(json))
        .await
        .map_err(|source| FinishError::Upload {
            what: key.to_string(),
            source,
        })?;
    let Some(audio) = audio else {
        return Ok(None);
    };
    let (tracks, duration_ms) = every_launch(ctx, ids, report, &audio, uploaded).await?;
    let mixed_key = layout::recording_mixed(ids.bot_id, ids.launch);
    let stored = recordings::insert_if_absent(
        &ctx.db,
        ids.bot_id,
        duration_ms,
        mixed_key.as_str(),
        &tracks,
    )
    .await?;
    let recording_id = stored.model.id;
    ctx.bus
        .publish(&Envelope::new(&RecordingCompletedV1 {
            recording_id,
            bot_id: ids.bot_id,
            meeting_id: ids.meeting_id,
        }))
        .await?;
    tracing::info!(bot = %ids.bot_id, launch = ids.launch, recording = %recording_id,
        new = stored.created, duration_ms, tracks = tracks.len(), "recording handed over");
    Ok(Some(recording_id))
}

/// The tracks of every launch that recorded — the earlier ones' from blob
/// storage, this one's as just `uploaded` (stem, key) — each at its launch's
/// offset, and the length of the whole span in milliseconds.
async fn every_launch(
    ctx: &WiredContext,
    ids: BotIds,
    report: &BotReport,
    audio: &RecordedAudio,
    uploaded: Vec<(String, BlobKey)>,
) -> Result<(Vec<Track>, i64), FinishError> {
    let mut all = launches::of_bot(&ctx.db, ids.bot_id).await?;
    // This launch counts even when the database missed its step into
    // `recording` (a failed write is only logged): bot.json has the time.
    match all.iter_mut().find(|l| l.number == ids.launch) {
        Some(this) => {
            if this.recording_started_at.is_none() {
                this.recording_started_at = report.recording_started_at;
            }
        }
        None => all.push(Launch {
            number: ids.launch,
            recording_started_at: report.recording_started_at,
        }),
    }
    let offsets = launches::offsets(&all);
    let own_offset = offsets
        .iter()
        .find(|(n, _)| *n == ids.launch)
        .map_or(0, |(_, offset)| *offset);
    let mut tracks = Vec::new();
    let mut end_ms = own_offset + (audio.duration_s * 1000.0).round() as i64;
    for &(launch, offset_ms) in offsets.iter().filter(|(n, _)| *n < ids.launch) {
        let earlier = launches::uploaded_tracks(ctx.blobs.as_ref(), ids.bot_id, launch, offset_ms)
            .await
            .map_err(|source| FinishError::EarlierLaunch { launch, source })?;
        end_ms = end_ms.max(earlier.end_ms);
        tracks.extend(earlier.tracks);
    }
    tracks.extend(uploaded.into_iter().map(|(stem, key)| Track {
        name: launches::track_name(ids.launch, &stem),
        blob_key: key.to_string(),
        speaker: None,
        offset_ms: own_offset,
    }));
    Ok((tracks, end_ms))
}

/// The finished recording, or one rebuilt from the tracks when the bot was
/// in the call but finalizing failed; `None` when it never got in.
async fn recorded_audio(out_dir: &Path, report: &BotReport) -> Option<RecordedAudio> {
    if let Some(rec) = &report.recording {
        return Some(RecordedAudio {
            mixed_file: rec.file.clone(),
            duration_s: rec.duration_s,
            track_files: rec.tracks.iter().map(|t| t.file.clone()).collect(),
        });
    }
    report.recording_started_at?;
    match finalize_recording(out_dir).await {
        Ok(rec) => Some(RecordedAudio {
            mixed_file: rec.file,
            duration_s: rec.duration_s,
            track_files: rec.tracks.into_iter().map(|t| t.file).collect(),
        }),
        Err(e) => {
            tracing::warn!(error = %e, "the bot was in the call but no audio could be rebuilt");
            None
        }
    }
}

async fn upload_file(ctx: &WiredContext, key: &BlobKey, path: &Path) -> Result<(), FinishError> {
    ctx.blobs
        .put_file(key, path)
        .await
        .map_err(|source| FinishError::Upload {
            what: path.display().to_string(),
            source,
        })
}

/// `tracks/track-1.ogg` → `track-1.ogg`, the name under the launch's `tracks/` blobs.
pub(super) fn track_name(file: &str) -> &str {
    file.rsplit('/').next().unwrap_or(file)
}

/// `tracks/track-1.ogg` → `track-1`.
fn track_stem(file: &str) -> &str {
    let name = track_name(file);
    name.strip_suffix(".ogg").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_names_drop_the_folder_and_extension() {
        assert_eq!(track_name("tracks/track-1.ogg"), "track-1.ogg");
        assert_eq!(track_stem("tracks/track-1.ogg"), "track-1");
        assert_eq!(track_name("recording.ogg"), "recording.ogg");
    }
}
