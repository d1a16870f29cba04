//! A recording's tracks, fetched from the blob store and mixed into the one
//! signal Whisper hears — from a given second on, so that the transcription
//! of a growing or finished recording can continue where its draft ended.
//! Each track sits at its own offset on the meeting's timeline (a bot
//! relaunched after a crash records tracks that start later).

use super::StageFailure;
use crate::audio::{decode_file_from, mix_tracks_at, seconds_to_samples, AudioError};
use bytes::Bytes;
use mymeet_core::blob::{BlobKey, SharedBlobStore};
use mymeet_core::bus::HandlerError;
use std::path::{Path, PathBuf};

/// Writes the blob `key` to the file `to`.
pub(super) async fn download(
    blobs: &SharedBlobStore,
    key: &BlobKey,
    to: &Path,
) -> Result<PathBuf, HandlerError> {
    let bytes = blobs
        .get(key)
        .await
        .map_err(StageFailure::into_handler_error)?;
    tokio::fs::write(to, &bytes)
        .await
        .map_err(|e| HandlerError::Retry(format!("cannot write {}: {e}", to.display())))?;
    Ok(to.to_path_buf())
}

/// One track to mix: its blob and where it starts on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedTrack {
    /// Its audio.
    pub key: BlobKey,
    /// Seconds after the timeline's start where its first sample belongs.
    pub offset_s: f64,
}

impl PlacedTrack {
    /// A track that starts with the timeline.
    pub fn at_start(key: BlobKey) -> Self {
        PlacedTrack { key, offset_s: 0.0 }
    }
}

/// Downloads `tracks` and returns their mix from `from_s` on (16 kHz mono),
/// each track placed at its offset: sample 0 of the result is `from_s` on
/// the timeline.
pub async fn mixed_tracks_from(
    blobs: &SharedBlobStore,
    tracks: &[PlacedTrack],
    from_s: f64,
) -> Result<Vec<f32>, HandlerError> {
    let mut fetched = Vec::with_capacity(tracks.len());
    for track in tracks {
        let bytes = blobs
            .get(&track.key)
            .await
            .map_err(StageFailure::into_handler_error)?;
        fetched.push((bytes, track.offset_s));
    }
    mixed_bytes_from(fetched, from_s).await
}

/// The same mix as [`mixed_tracks_from`], of tracks already in memory
/// (`bytes`, offset in seconds).
pub(super) async fn mixed_bytes_from(
    tracks: Vec<(Bytes, f64)>,
    from_s: f64,
) -> Result<Vec<f32>, HandlerError> {
    let dir = tempfile::tempdir()
        .map_err(|e| HandlerError::Retry(format!("cannot create a temporary folder: {e}")))?;
    let mut placed = Vec::with_capacity(tracks.len());
    for (i, (bytes, offset_s)) in tracks.into_iter().enumerate() {
        let path = dir.path().join(format!("track-{i}.ogg"));
        tokio::fs::write(&path, &bytes)
            .await
            .map_err(|e| HandlerError::Retry(format!("cannot write {}: {e}", path.display())))?;
        placed.push((path, offset_s.max(0.0)));
    }
    tokio::task::spawn_blocking(move || {
        let decoded = placed
            .iter()
            .map(|(path, offset_s)| {
                // A track that starts after `from_s` is decoded whole and
                // placed later; one that started before is decoded from the
                // point that is `from_s` on the timeline.
                let start = seconds_to_samples(offset_s - from_s);
                decode_file_from(path, from_s - offset_s).map(|pcm| (start, pcm))
            })
            .collect::<Result<Vec<_>, AudioError>>()?;
        drop(dir);
        let views: Vec<(usize, &[f32])> = decoded.iter().map(|(s, p)| (*s, p.as_slice())).collect();
        Ok::<_, AudioError>(mix_tracks_at(&views))
    })
    .await
    .map_err(|e| HandlerError::Retry(format!("decoding task failed: {e}")))?
    .map_err(|e| HandlerError::Reject(e.to_string()))
}
