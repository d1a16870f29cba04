//! Parts: at most every `every`, the bytes the recorder appended to each
//! track since the last part that went through go to the blob store as
//! `recordings/<bot>/launch-<n>/parts/<file>/<offset>.ogg`, so a bot whose
//! machine dies loses at most about that much audio, and an hour-long call
//! uploads each byte about once instead of the whole file again and again.
//!
//! The track files only grow (the Ogg writer appends whole pages and never
//! seeks), and the bytes are read in the recorder's own task right after a
//! flush, so every part is a run of whole pages. The upload runs in the
//! background; while one is in flight no new one starts, and the next one
//! then simply covers more. A part that fails is not skipped: the next one
//! starts at the first byte not yet uploaded, under the same key, with the
//! bytes appended since. [`mymeet_core::launches::uploaded_tracks`] puts a
//! dead launch's tracks back together from its snapshot and parts.

use super::handover::BotIds;
use super::WiredContext;
use bytes::Bytes;
use mymeet_core::blob::layout;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// How far each track went up: the first byte of each not yet uploaded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct PartLog {
    uploaded: BTreeMap<String, u64>,
}

impl PartLog {
    /// Where the next part of `file` starts.
    pub(super) fn next_offset(&self, file: &str) -> u64 {
        self.uploaded.get(file).copied().unwrap_or(0)
    }

    /// Records that `len` bytes of `file` from `offset` went up. Only a part
    /// that starts at or before the first byte not yet uploaded moves it on.
    pub(super) fn confirm(&mut self, file: &str, offset: u64, len: u64) {
        let next = self.uploaded.entry(file.to_owned()).or_insert(0);
        if offset <= *next {
            *next = (*next).max(offset + len);
        }
    }

    /// For each `(file, length now)`, the byte range not yet uploaded, when
    /// there is one.
    pub(super) fn due(&self, sizes: &[(String, u64)]) -> Vec<(String, u64, u64)> {
        sizes
            .iter()
            .filter_map(|(file, len)| {
                let from = self.next_offset(file);
                (*len > from).then(|| (file.clone(), from, *len))
            })
            .collect()
    }
}

/// Totals of what went up as parts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct PartTotals {
    /// Parts stored.
    pub parts: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Parts whose upload failed (their bytes went up with a later one, or not at all).
    pub failed: u64,
}

/// Periodic part uploads of one launch's tracks.
pub(super) struct PartUploads {
    ctx: WiredContext,
    ids: BotIds,
    every: Duration,
    /// When the last part was read, and the last flush seen.
    last: Option<Instant>,
    last_flush: Option<Instant>,
    log: Arc<Mutex<PartLog>>,
    totals: Arc<Mutex<PartTotals>>,
    running: Option<JoinHandle<()>>,
}

impl PartUploads {
    /// Parts of `ids`' tracks, at most every `every`.
    pub(super) fn new(ctx: WiredContext, ids: BotIds, every: Duration) -> Self {
        PartUploads {
            ctx,
            ids,
            every,
            last: None,
            last_flush: None,
            log: Arc::default(),
            totals: Arc::default(),
            running: None,
        }
    }

    /// Called right after every flush: reads what was appended to each track
    /// under `out_dir` since its last part and uploads it in the background,
    /// when a part is due and the previous upload is done.
    pub(super) fn flushed(&mut self, out_dir: &Path) {
        let now = Instant::now();
        let flush_gap = self.last_flush.map(|t| now.duration_since(t));
        self.last_flush = Some(now);
        let since_part = self.last.map(|t| now.duration_since(t));
        if !part_due(since_part, flush_gap, self.every) {
            return;
        }
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            // The next flush tries again; the bytes wait, none is lost.
            return;
        }
        self.last = Some(now);
        let bot = self.ids.bot_id;
        let due = match track_sizes(out_dir) {
            Ok(sizes) => lock(&self.log).due(&sizes),
            Err(e) => {
                tracing::warn!(%bot, error = %e, "listing the recorded tracks");
                return;
            }
        };
        let mut parts = Vec::new();
        for (file, from, to) in due {
            match read_range(&out_dir.join("tracks").join(&file), from, to) {
                Ok(bytes) => parts.push((file, from, bytes)),
                Err(e) => tracing::warn!(%bot, file, error = %e, "reading a track's new bytes"),
            }
        }
        if parts.is_empty() {
            return;
        }
        let (ctx, ids) = (self.ctx.clone(), self.ids);
        let (log, totals) = (self.log.clone(), self.totals.clone());
        self.running = Some(tokio::spawn(async move {
            for (file, from, bytes) in parts {
                let len = bytes.len() as u64;
                let key = match layout::track_part(ids.bot_id, ids.launch, &file, from) {
                    Ok(key) => key,
                    Err(e) => {
                        tracing::warn!(bot = %ids.bot_id, file, error = %e, "naming a part");
                        continue;
                    }
                };
                match ctx.blobs.put(&key, bytes).await {
                    Ok(()) => {
                        lock(&log).confirm(&file, from, len);
                        let mut t = lock(&totals);
                        t.parts += 1;
                        t.bytes += len;
                    }
                    Err(e) => {
                        lock(&totals).failed += 1;
                        tracing::warn!(bot = %ids.bot_id, %key, error = %e,
                            "uploading a part; its bytes go with the next one");
                    }
                }
            }
        }));
    }

    /// Waits for an upload in flight.
    pub(super) async fn settle(&mut self) {
        if let Some(handle) = self.running.take() {
            let _ = handle.await;
        }
    }

    /// What went up so far.
    pub(super) fn totals(&self) -> PartTotals {
        *lock(&self.totals)
    }
}

/// Whether a part goes at this flush: the first one, and then whenever
/// waiting for the next flush (expected about as far off as the last one
/// was) would leave more than `every` between two parts. With flushes every
/// second that is every other one; with a slower loop, every one. The next
/// gap is taken as 90 % of the last so that a flush a few milliseconds late
/// does not send a part at every flush of a loop that keeps time.
fn part_due(since_part: Option<Duration>, flush_gap: Option<Duration>, every: Duration) -> bool {
    match since_part {
        None => true,
        Some(since) => since + flush_gap.unwrap_or_default().mul_f64(0.9) > every,
    }
}

/// A poisoned lock still holds plain numbers worth reading.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every `tracks/*.ogg` under `out_dir` with its length now, by name.
fn track_sizes(out_dir: &Path) -> std::io::Result<Vec<(String, u64)>> {
    let dir = out_dir.join("tracks");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.ends_with(".ogg") {
            sizes.push((name, entry.metadata()?.len()));
        }
    }
    sizes.sort();
    Ok(sizes)
}

/// Bytes `from..to` of `path`.
fn read_range(path: &Path, from: u64, to: u64) -> std::io::Result<Bytes> {
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::with_capacity(usize::try_from(to - from).unwrap_or(0));
    file.take(to - from).read_to_end(&mut bytes)?;
    Ok(Bytes::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(list: &[(&str, u64)]) -> Vec<(String, u64)> {
        list.iter().map(|(f, n)| ((*f).to_owned(), *n)).collect()
    }

    #[test]
    fn each_part_starts_at_the_first_byte_not_yet_uploaded() {
        let mut log = PartLog::default();
        let due = log.due(&sizes(&[("track-1.ogg", 300), ("track-2.ogg", 0)]));
        assert_eq!(due, vec![("track-1.ogg".to_owned(), 0, 300)]);
        log.confirm("track-1.ogg", 0, 300);
        assert_eq!(log.next_offset("track-1.ogg"), 300);
        // Nothing new, nothing due.
        assert!(log.due(&sizes(&[("track-1.ogg", 300)])).is_empty());
        let due = log.due(&sizes(&[("track-1.ogg", 420), ("track-2.ogg", 90)]));
        assert_eq!(
            due,
            vec![
                ("track-1.ogg".to_owned(), 300, 420),
                ("track-2.ogg".to_owned(), 0, 90)
            ]
        );
    }

    #[test]
    fn a_failed_part_is_sent_again_with_what_came_after_it() {
        let mut log = PartLog::default();
        log.confirm("track-1.ogg", 0, 100);
        // The part 100..250 fails: nothing confirmed, the next one starts at 100.
        let due = log.due(&sizes(&[("track-1.ogg", 400)]));
        assert_eq!(due, vec![("track-1.ogg".to_owned(), 100, 400)]);
        log.confirm("track-1.ogg", 100, 300);
        assert_eq!(log.next_offset("track-1.ogg"), 400);
    }

    #[test]
    fn a_stale_or_detached_confirmation_moves_nothing_back_or_past_a_hole() {
        let mut log = PartLog::default();
        log.confirm("t.ogg", 0, 500);
        log.confirm("t.ogg", 0, 100);
        assert_eq!(log.next_offset("t.ogg"), 500);
        // A part beyond the uploaded end would leave a hole: not counted.
        log.confirm("t.ogg", 600, 50);
        assert_eq!(log.next_offset("t.ogg"), 500);
    }

    #[test]
    fn parts_never_wait_for_a_flush_that_comes_too_late() {
        let s = Duration::from_millis;
        let every = s(2000);
        assert!(part_due(None, None, every));
        // Flushes every second: every other flush, a few ms either way.
        assert!(!part_due(Some(s(1000)), Some(s(1000)), every));
        assert!(!part_due(Some(s(1020)), Some(s(1020)), every));
        assert!(part_due(
            Some(s(2000) + Duration::from_micros(1)),
            Some(s(1000)),
            every
        ));
        assert!(part_due(Some(s(1990)), Some(s(990)), every));
        // A loop that flushes every 1.25 s: the next flush would be 2.5 s
        // after the last part, so this one goes.
        assert!(part_due(Some(s(1250)), Some(s(1250)), every));
        // Early in a slow stretch, no gap known yet: by time alone.
        assert!(!part_due(Some(s(1000)), None, every));
        assert!(part_due(Some(s(2001)), None, every));
    }

    #[test]
    fn ranges_are_read_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.ogg");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(&read_range(&path, 3, 7).unwrap()[..], b"3456");
        assert_eq!(&read_range(&path, 8, 10).unwrap()[..], b"89");
        std::fs::create_dir(dir.path().join("tracks")).unwrap();
        std::fs::write(dir.path().join("tracks/track-2.ogg"), b"abc").unwrap();
        std::fs::write(dir.path().join("tracks/track-1.ogg"), b"a").unwrap();
        std::fs::write(dir.path().join("tracks/notes.txt"), b"x").unwrap();
        assert_eq!(
            track_sizes(dir.path()).unwrap(),
            sizes(&[("track-1.ogg", 1), ("track-2.ogg", 3)])
        );
        assert!(track_sizes(&dir.path().join("none")).unwrap().is_empty());
    }
}
