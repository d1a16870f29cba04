//! Whole-file snapshots while recording: at most every `every`, the
//! flushed tracks (`tracks/*.ogg`, and `recording.ogg` once it exists) go to
//! the blob store whole, under the keys the hand-over stores the final files
//! at, and at most every `progress_every` one that went through is announced
//! with `recording.progress`, so the transcription stage can transcribe the
//! call while it goes on (it reads whole files).
//!
//! These are not what bounds the audio a killed bot loses: the parts are
//! (`part_upload.rs`, every couple of seconds, only the new bytes). A
//! snapshot only needs to be as frequent as the progress it announces.
//!
//! The files are read in the recorder's own task, right after a flush, so a
//! snapshot holds whole Ogg pages; the upload itself runs in the background
//! and never holds the recording loop up. A snapshot is skipped while the
//! previous upload still runs.

use super::handover::{track_name, BotIds};
use super::WiredContext;
use bytes::Bytes;
use mymeet_core::blob::{layout, BlobKey};
use mymeet_core::bus::messages::RecordingProgressV1;
use mymeet_core::bus::Envelope;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Periodic whole-file snapshots of one bot's flushed files.
pub(super) struct LiveUpload {
    ctx: WiredContext,
    ids: BotIds,
    every: Duration,
    last: Option<Instant>,
    running: Option<JoinHandle<()>>,
    progress_every: Duration,
    /// When recording started (the first flush) and progress was last announced.
    started: Option<Instant>,
    last_progress: Option<Instant>,
}

impl LiveUpload {
    /// Uploads for `ids` at most every `every`, announced at most every `progress_every`.
    pub(super) fn new(
        ctx: WiredContext,
        ids: BotIds,
        every: Duration,
        progress_every: Duration,
    ) -> Self {
        LiveUpload {
            ctx,
            ids,
            every,
            last: None,
            running: None,
            progress_every,
            started: None,
            last_progress: None,
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
        let now = Instant::now();
        self.last = Some(now);
        let started = *self.started.get_or_insert(now);
        let bot = self.ids.bot_id;
        let files = match snapshot(self.ids, out_dir) {
            Ok(files) => files,
            Err(e) => {
                tracing::warn!(%bot, error = %e, "reading flushed files");
                return;
            }
        };
        let announce = self
            .last_progress
            .map_or(now.duration_since(started), |t| now.duration_since(t))
            >= self.progress_every;
        let progress = announce.then(|| {
            self.last_progress = Some(now);
            RecordingProgressV1 {
                bot_id: bot,
                meeting_id: self.ids.meeting_id,
                tracks: files
                    .iter()
                    .map(|(key, _)| key.to_string())
                    .filter(|key| key.contains("/tracks/"))
                    .collect(),
                recorded_s: now.duration_since(started).as_secs_f64(),
            }
        });
        let ctx = self.ctx.clone();
        self.running = Some(tokio::spawn(async move {
            let mut uploaded = true;
            for (key, bytes) in files {
                if let Err(e) = ctx.blobs.put(&key, bytes).await {
                    tracing::warn!(%bot, %key, error = %e, "uploading flushed audio");
                    uploaded = false;
                }
            }
            // Announced only once every track is up, so the stage reads whole files.
            if let Some(progress) = progress.filter(|p| uploaded && !p.tracks.is_empty()) {
                if let Err(e) = ctx.bus.publish(&Envelope::new(&progress)).await {
                    tracing::warn!(%bot, error = %e, "announcing recording progress");
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

/// The bytes of every flushed audio file under `out_dir`, with their keys
/// in this launch's folder.
fn snapshot(ids: BotIds, out_dir: &Path) -> std::io::Result<Vec<(BlobKey, Bytes)>> {
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
            let Ok(key) = layout::recording_track(ids.bot_id, ids.launch, track_name(name)) else {
                continue;
            };
            files.push((key, Bytes::from(std::fs::read(&path)?)));
        }
    }
    let mixed = out_dir.join("recording.ogg");
    if mixed.is_file() {
        files.push((
            layout::recording_mixed(ids.bot_id, ids.launch),
            Bytes::from(std::fs::read(&mixed)?),
        ));
    }
    Ok(files)
}
