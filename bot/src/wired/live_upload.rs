//! Uploads while recording: at most every `every`, what the recorder has
//! flushed so far (`tracks/*.ogg`, and `recording.ogg` once it exists) goes to
//! the blob store, so a bot whose machine dies loses at most that much.
//!
//! The files are read in the recorder's own task, right after a flush, so a
//! snapshot holds whole Ogg pages; the upload itself runs in the background
//! and never holds the recording loop up. A snapshot is skipped while the
//! previous upload still runs.

use super::handover::track_name;
use super::WiredContext;
use bytes::Bytes;
use mymeet_core::blob::{layout, BlobKey};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Periodic uploads of one bot's flushed files.
pub(super) struct LiveUpload {
    ctx: WiredContext,
    bot_id: Uuid,
    every: Duration,
    last: Option<Instant>,
    running: Option<JoinHandle<()>>,
}

impl LiveUpload {
    /// Uploads for `bot_id` at most every `every`.
    pub(super) fn new(ctx: WiredContext, bot_id: Uuid, every: Duration) -> Self {
        LiveUpload {
            ctx,
            bot_id,
            every,
            last: None,
            running: None,
        }
    }

    /// Called after every flush: starts an upload of `out_dir` when one is due.
    pub(super) fn flushed(&mut self, out_dir: &Path) {
        if self.last.is_some_and(|t| t.elapsed() < self.every) {
            return;
        }
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.last = Some(Instant::now());
        let files = match snapshot(self.bot_id, out_dir) {
            Ok(files) => files,
            Err(e) => {
                tracing::warn!(bot = %self.bot_id, error = %e, "reading flushed files");
                return;
            }
        };
        let blobs = self.ctx.blobs.clone();
        let bot = self.bot_id;
        self.running = Some(tokio::spawn(async move {
            for (key, bytes) in files {
                if let Err(e) = blobs.put(&key, bytes).await {
                    tracing::warn!(%bot, %key, error = %e, "uploading flushed audio");
                }
            }
        }));
    }

    /// Waits for an upload in flight, so that it cannot land after (and
    /// overwrite) the final files.
    pub(super) async fn settle(&mut self) {
        if let Some(handle) = self.running.take() {
            let _ = handle.await;
        }
    }
}

/// The bytes of every flushed audio file under `out_dir`, with their keys.
fn snapshot(bot_id: Uuid, out_dir: &Path) -> std::io::Result<Vec<(BlobKey, Bytes)>> {
    let mut files = Vec::new();
    let tracks = out_dir.join("tracks");
    if tracks.is_dir() {
        let mut paths: Vec<_> = std::fs::read_dir(&tracks)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "ogg"))
            .collect();
        paths.sort();
        for path in paths {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Ok(key) = layout::recording_track(bot_id, track_name(name)) else {
                continue;
            };
            files.push((key, Bytes::from(std::fs::read(&path)?)));
        }
    }
    let mixed = out_dir.join("recording.ogg");
    if mixed.is_file() {
        files.push((
            layout::recording_mixed(bot_id),
            Bytes::from(std::fs::read(&mixed)?),
        ));
    }
    Ok(files)
}
