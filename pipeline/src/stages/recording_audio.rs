//! A recording's tracks, fetched from the blob store and mixed into the one
//! signal Whisper hears — from a given second on, so that the transcription
//! of a growing or finished recording can continue where its draft ended.

use super::StageFailure;
use crate::audio::{decode_file_from, mix_tracks, AudioError};
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

/// Downloads `tracks` and returns their mix from `from_s` on (16 kHz mono).
pub(super) async fn mixed_tracks_from(
    blobs: &SharedBlobStore,
    tracks: &[BlobKey],
    from_s: f64,
) -> Result<Vec<f32>, HandlerError> {
    let dir = tempfile::tempdir()
        .map_err(|e| HandlerError::Retry(format!("cannot create a temporary folder: {e}")))?;
    let mut paths = Vec::with_capacity(tracks.len());
    for (i, key) in tracks.iter().enumerate() {
        paths.push(download(blobs, key, &dir.path().join(format!("track-{i}.ogg"))).await?);
    }
    tokio::task::spawn_blocking(move || {
        let decoded = paths
            .iter()
            .map(|p| decode_file_from(p, from_s))
            .collect::<Result<Vec<_>, AudioError>>()?;
        drop(dir);
        Ok::<_, AudioError>(mix_tracks(&decoded))
    })
    .await
    .map_err(|e| HandlerError::Retry(format!("decoding task failed: {e}")))?
    .map_err(|e| HandlerError::Reject(e.to_string()))
}
