//! Whole-file snapshots and `recording.progress` while recording.
//!
//! Every `progress_every` the bot announces the tracks recorded so far, so
//! the transcription stage can transcribe the call while it goes on. The
//! stage reads each track as far as its uploads reach: the last whole-file
//! snapshot (`tracks/*.ogg`, and `recording.ogg` once it exists, under the
//! keys the hand-over stores the final files at) with the parts uploaded
//! since merged on (`part_upload.rs`, every couple of seconds, only the new
//! bytes; `mymeet_core::launches::track_so_far`).
//!
//! A snapshot only bounds how many parts a reader merges, so snapshots
//! thin out as the call grows: at least `every` apart, and only once the
//! recording has grown by an eighth since the last one. The bytes uploaded
//! for a call of length T are then about nine times the final files, not
//! T / `every` / 2 times (0.9 GB per track for an hour at one snapshot
//! every 30 s), and a reader merges at most T / 8 of parts.
//!
//! These are not what bounds the audio a killed bot loses: the parts are.
//! The files are read in the recorder's own task, right after a flush, so a
//! snapshot holds whole Ogg pages; the upload itself runs in the background
//! and never holds the recording loop up. Nothing new starts while the
//! previous upload or announcement still runs.

use super::handover::{track_name, BotIds};
use super::WiredContext;
use bytes::Bytes;
use mymeet_core::blob::{layout, BlobKey};
use mymeet_core::bus::messages::RecordingProgressV1;
use mymeet_core::bus::Envelope;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// A new snapshot once the recording has grown by this fraction (1 / n) since the last one.
const SNAPSHOT_GROWTH: u32 = 8;

/// Thinning whole-file snapshots of one bot's flushed files, and its progress announcements.
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
    /// Snapshots for `ids` at least `every` apart (and thinning out), announcements every `progress_every`.
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

    /// Called after every flush: starts a snapshot of `out_dir`, an
    /// announcement, or both, when one is due.
    pub(super) fn flushed(&mut self, out_dir: &Path) {
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let now = Instant::now();
        let started = *self.started.get_or_insert(now);
        let recorded = now.duration_since(started);
        let snapshot_due = snapshot_due(
            self.last.map(|t| now.duration_since(t)),
            recorded,
            self.every,
        );
        let progress_due = self
            .last_progress
            .map_or(recorded, |t| now.duration_since(t))
            >= self.progress_every;
        if !snapshot_due && !progress_due {
            return;
        }
        let bot = self.ids.bot_id;
        let tracks = match track_files(self.ids, out_dir) {
            Ok(tracks) => tracks,
            Err(e) => {
                tracing::warn!(%bot, error = %e, "listing the tracks");
                return;
            }
        };
        let files = if snapshot_due {
            self.last = Some(now);
            match snapshot(self.ids, &tracks, out_dir) {
                Ok(files) => files,
                Err(e) => {
                    tracing::warn!(%bot, error = %e, "reading flushed files");
                    return;
                }
            }
        } else {
            Vec::new()
        };
        let progress = progress_due.then(|| {
            self.last_progress = Some(now);
            RecordingProgressV1 {
                bot_id: bot,
                meeting_id: self.ids.meeting_id,
                tracks: tracks.iter().map(|(key, _)| key.to_string()).collect(),
                recorded_s: recorded.as_secs_f64(),
            }
        });
        let ctx = self.ctx.clone();
        self.running = Some(tokio::spawn(async move {
            for (key, bytes) in files {
                if let Err(e) = ctx.blobs.put(&key, bytes).await {
                    tracing::warn!(%bot, %key, error = %e, "uploading flushed audio");
                }
            }
            if let Some(progress) = progress.filter(|p| !p.tracks.is_empty()) {
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

/// Whether a snapshot is due `since_last` the last one (`None`: there was
/// none) after `recorded` of recording: at least `every` apart, and once the
/// recording grew by 1 / [`SNAPSHOT_GROWTH`].
fn snapshot_due(since_last: Option<Duration>, recorded: Duration, every: Duration) -> bool {
    since_last.is_none_or(|since| since >= every.max(recorded / SNAPSHOT_GROWTH))
}

/// The flushed track files under `out_dir` (sorted), with their keys in
/// this launch's folder.
fn track_files(ids: BotIds, out_dir: &Path) -> std::io::Result<Vec<(BlobKey, PathBuf)>> {
    let tracks = out_dir.join("tracks");
    if !tracks.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<_> = std::fs::read_dir(&tracks)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ogg"))
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let key = layout::recording_track(ids.bot_id, ids.launch, track_name(name)).ok()?;
            Some((key, path))
        })
        .collect())
}

/// The bytes of `tracks` ([`track_files`]) and of `out_dir`'s mixed file
/// once it exists, with their keys in this launch's folder.
fn snapshot(
    ids: BotIds,
    tracks: &[(BlobKey, PathBuf)],
    out_dir: &Path,
) -> std::io::Result<Vec<(BlobKey, Bytes)>> {
    let mut files = Vec::new();
    for (key, path) in tracks {
        files.push((key.clone(), Bytes::from(std::fs::read(path)?)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_thin_out_as_the_call_grows() {
        let every = Duration::from_secs(30);
        let secs = Duration::from_secs;
        assert!(snapshot_due(None, secs(1), every));
        assert!(!snapshot_due(Some(secs(29)), secs(200), every));
        assert!(snapshot_due(Some(secs(30)), secs(200), every));
        // An hour in, the next one waits for 450 s more.
        assert!(!snapshot_due(Some(secs(449)), secs(3600), every));
        assert!(snapshot_due(Some(secs(450)), secs(3600), every));

        // Over a two-hour call, flushed every second: the bytes uploaded
        // (the sum of the snapshots' lengths, in seconds of audio) stay
        // within ten times the final file's, and so do the parts a reader
        // merges at any time (at most an eighth of the call, plus `every`).
        let (mut last, mut uploaded, mut worst_gap) = (None::<u64>, 0u64, 0u64);
        for t in 1..=7200u64 {
            if snapshot_due(last.map(|l| secs(t - l)), secs(t), every) {
                uploaded += t;
                last = Some(t);
            }
            worst_gap = worst_gap.max(t - last.unwrap_or(0));
        }
        assert!(
            uploaded <= 10 * 7200,
            "{uploaded} s uploaded for a 7200 s call"
        );
        assert!(worst_gap <= 7200 / 8 + 30, "{worst_gap}");
    }
}
