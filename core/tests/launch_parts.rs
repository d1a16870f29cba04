//! A dead launch's tracks rebuilt from its last whole-file snapshot and the
//! parts it uploaded every couple of seconds: real Ogg Opus (made by
//! ffmpeg) cut at page boundaries the way the bot cuts it, on the local
//! store and an object store, decoded by ffmpeg afterwards.

use async_trait::async_trait;
use bytes::Bytes;
use mymeet_core::blob::{
    layout, BlobError, BlobKey, BlobStore, LocalBlobStore, ObjectBlobStore, SharedBlobStore,
};
use mymeet_core::launches::{self, reassembly};
use object_store::memory::InMemory;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// `seconds` of a sine as Ogg Opus, with ffmpeg's default pages (about 1 s each is too
/// coarse: `-page_duration` makes them 100 ms, close to the bot's flushes).
fn opus(seconds: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.ogg");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args(["-ac", "1", "-ar", "48000", "-c:a", "libopus"])
        .args(["-page_duration", "100000"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

/// Where each Ogg page starts, and the end.
fn page_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at + 27 <= bytes.len() {
        assert_eq!(&bytes[at..at + 4], b"OggS", "a page at {at}");
        let segments = usize::from(bytes[at + 26]);
        let body: usize = bytes[at + 27..at + 27 + segments]
            .iter()
            .map(|&b| usize::from(b))
            .sum();
        starts.push(at);
        at += 27 + segments + body;
    }
    assert_eq!(at, bytes.len());
    starts.push(at);
    starts
}

/// The file cut at page boundaries into `n` runs: (offset, bytes).
fn runs(file: &[u8], n: usize) -> Vec<(u64, Vec<u8>)> {
    let starts = page_starts(file);
    let pages = starts.len() - 1;
    (0..n)
        .map(|i| {
            let (a, b) = (starts[i * pages / n], starts[(i + 1) * pages / n]);
            (a as u64, file[a..b].to_vec())
        })
        .collect()
}

/// Seconds ffmpeg decodes from `bytes`; panics unless it decodes cleanly.
fn decoded_seconds(bytes: &[u8]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.ogg");
    std::fs::write(&file, bytes).unwrap();
    decode(&file)
}

fn decode(file: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-xerror", "-i"])
        .arg(file)
        .args(["-ac", "1", "-ar", "16000", "-f", "f32le", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "does not decode cleanly: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout.len() as f64 / 4.0 / 16_000.0
}

fn stores() -> Vec<(SharedBlobStore, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    vec![
        (Arc::new(LocalBlobStore::new(dir.path())), Some(dir)),
        (
            Arc::new(ObjectBlobStore::new(
                Arc::new(InMemory::new()),
                "bucket-prefix",
            )),
            None,
        ),
    ]
}

async fn put_part(
    blobs: &dyn BlobStore,
    bot: Uuid,
    launch: u32,
    file: &str,
    part: &(u64, Vec<u8>),
) {
    let key = layout::track_part(bot, launch, file, part.0).unwrap();
    blobs.put(&key, Bytes::from(part.1.clone())).await.unwrap();
}

/// A snapshot taken mid-call and parts on both sides of it (one straddling
/// its end), plus a second track with parts only: both rebuilt whole, stored
/// where tracks live, decoding cleanly; a second rebuild stores the same.
#[tokio::test]
async fn snapshot_and_parts_make_the_whole_track_once() {
    let (first, second) = (opus(6), opus(4));
    for (blobs, _dir) in stores() {
        let bot = Uuid::new_v4();
        let parts = runs(&first, 6);
        // The snapshot ends inside the fourth part.
        let cut = page_starts(&first)[page_starts(&first).len() * 7 / 12];
        assert!(parts[3].0 < cut as u64 && cut as u64 > parts[2].0 + parts[2].1.len() as u64 - 1);
        let snapshot = layout::recording_track(bot, 1, "track-1.ogg").unwrap();
        blobs
            .put(&snapshot, Bytes::from(first[..cut].to_vec()))
            .await
            .unwrap();
        for part in &parts {
            put_part(blobs.as_ref(), bot, 1, "track-1.ogg", part).await;
        }
        for part in &runs(&second, 3) {
            put_part(blobs.as_ref(), bot, 1, "track-2.ogg", part).await;
        }

        let found = launches::uploaded_tracks(blobs.as_ref(), bot, 1, 2_000)
            .await
            .unwrap();
        let keys: Vec<&str> = found.tracks.iter().map(|t| t.blob_key.as_str()).collect();
        let second_key = layout::recording_track(bot, 1, "track-2.ogg").unwrap();
        assert_eq!(keys, vec![snapshot.as_str(), second_key.as_str()]);
        assert!(found.tracks.iter().all(|t| t.offset_ms == 2_000));
        assert_eq!(found.tracks[1].name, "launch-1-track-2");
        assert!((found.end_ms - 8_000).abs() <= 30, "{} ms", found.end_ms);
        let rebuilt = blobs.get(&snapshot).await.unwrap();
        assert_eq!(rebuilt, first, "track 1 byte for byte");
        assert_eq!(blobs.get(&second_key).await.unwrap(), second);
        assert!((decoded_seconds(&rebuilt) - 6.0).abs() <= 0.05);

        // Again (an adoption that crashed after storing, run once more).
        let again = launches::uploaded_tracks(blobs.as_ref(), bot, 1, 2_000)
            .await
            .unwrap();
        assert_eq!(again, found);
        assert_eq!(blobs.get(&snapshot).await.unwrap(), first);

        // The hand-over's clean-up: parts gone, tracks kept and unchanged.
        let removed = reassembly::remove_parts(blobs.as_ref(), bot, 1)
            .await
            .unwrap();
        assert_eq!(removed, 9);
        assert!(blobs
            .list(&layout::launch_parts_prefix(bot, 1))
            .await
            .unwrap()
            .is_empty());
        let after = launches::uploaded_tracks(blobs.as_ref(), bot, 1, 2_000)
            .await
            .unwrap();
        assert_eq!(after, found);
    }
}

/// A track still being recorded, read as the live transcription reads it:
/// the snapshot with the parts since merged on, in memory; nothing is
/// stored, and a track with parts only (no snapshot yet) reads whole too.
#[tokio::test]
async fn a_track_so_far_merges_its_parts_without_storing() {
    let file = opus(6);
    for (blobs, _dir) in stores() {
        let bot = Uuid::new_v4();
        let key = layout::recording_track(bot, 2, "track-1.ogg").unwrap();
        assert_eq!(
            launches::track_so_far(blobs.as_ref(), bot, &key)
                .await
                .unwrap(),
            None,
            "nothing uploaded yet"
        );
        let parts = runs(&file, 6);
        for part in &parts[..4] {
            put_part(blobs.as_ref(), bot, 2, "track-1.ogg", part).await;
        }
        let four = parts[4].0 as usize;
        let so_far = launches::track_so_far(blobs.as_ref(), bot, &key)
            .await
            .unwrap()
            .expect("parts only");
        assert_eq!(so_far, file[..four], "the first four parts");
        assert!(!blobs.exists(&key).await.unwrap(), "nothing stored");

        // A snapshot of the first half, and the rest of the parts.
        let cut = page_starts(&file)[page_starts(&file).len() / 2];
        blobs
            .put(&key, Bytes::from(file[..cut].to_vec()))
            .await
            .unwrap();
        for part in &parts[4..] {
            put_part(blobs.as_ref(), bot, 2, "track-1.ogg", part).await;
        }
        let whole = launches::track_so_far(blobs.as_ref(), bot, &key)
            .await
            .unwrap()
            .expect("snapshot and parts");
        assert_eq!(whole, file, "byte for byte");
        assert!((decoded_seconds(&whole) - 6.0).abs() <= 0.05);
        assert_eq!(
            blobs.get(&key).await.unwrap(),
            file[..cut],
            "the snapshot is left as it was"
        );
        // Another bot's key, or one that is no track, reads nothing.
        let mixed = layout::recording_mixed(bot, 2);
        assert_eq!(
            launches::track_so_far(blobs.as_ref(), bot, &mixed)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            launches::track_so_far(blobs.as_ref(), Uuid::new_v4(), &key)
                .await
                .unwrap(),
            None
        );
    }
}

/// A part whose upload never went through: the track ends before it (and
/// decodes cleanly); once a later upload fills the hole, the next rebuild
/// gives the whole track.
#[tokio::test]
async fn a_hole_ends_the_track_until_it_is_filled() {
    let file = opus(5);
    for (blobs, _dir) in stores() {
        let bot = Uuid::new_v4();
        let parts = runs(&file, 5);
        for (i, part) in parts.iter().enumerate() {
            if i != 2 {
                put_part(blobs.as_ref(), bot, 3, "track-1.ogg", part).await;
            }
        }
        let found = launches::uploaded_tracks(blobs.as_ref(), bot, 3, 0)
            .await
            .unwrap();
        assert_eq!(found.tracks.len(), 1);
        let key = layout::recording_track(bot, 3, "track-1.ogg").unwrap();
        let short = blobs.get(&key).await.unwrap();
        assert_eq!(short.len() as u64, parts[2].0, "ends where the hole starts");
        let short_s = decoded_seconds(&short);
        assert!((short_s - 2.0).abs() <= 0.15, "{short_s} s");
        assert!((found.end_ms as f64 - short_s * 1000.0).abs() <= 30.0);

        put_part(blobs.as_ref(), bot, 3, "track-1.ogg", &parts[2]).await;
        launches::uploaded_tracks(blobs.as_ref(), bot, 3, 0)
            .await
            .unwrap();
        assert_eq!(blobs.get(&key).await.unwrap(), file);
        // Nothing of byte 0 on: nothing to adopt.
        let other = Uuid::new_v4();
        put_part(blobs.as_ref(), other, 1, "track-1.ogg", &parts[1]).await;
        let none = launches::uploaded_tracks(blobs.as_ref(), other, 1, 0)
            .await
            .unwrap();
        assert!(none.tracks.is_empty());
        assert!(!blobs
            .exists(&layout::recording_track(other, 1, "track-1.ogg").unwrap())
            .await
            .unwrap());
    }
}

/// A retried part: the first try was stored although the bot saw it fail,
/// the second one (same offset, more bytes) replaced it; and a snapshot
/// newer than every part is left as it is, not written again.
#[tokio::test]
async fn a_retried_part_and_a_newer_snapshot() {
    let file = opus(4);
    let dir = tempfile::tempdir().unwrap();
    let blobs = LocalBlobStore::new(dir.path());
    let bot = Uuid::new_v4();
    let starts = page_starts(&file);
    let (a, b) = (starts[10], starts[20]);
    put_part(&blobs, bot, 1, "track-1.ogg", &(0, file[..a].to_vec())).await;
    put_part(
        &blobs,
        bot,
        1,
        "track-1.ogg",
        &(a as u64, file[a..b].to_vec()),
    )
    .await;
    put_part(
        &blobs,
        bot,
        1,
        "track-1.ogg",
        &(a as u64, file[a..].to_vec()),
    )
    .await;
    launches::uploaded_tracks(&blobs, bot, 1, 0).await.unwrap();
    let key = layout::recording_track(bot, 1, "track-1.ogg").unwrap();
    assert_eq!(blobs.get(&key).await.unwrap(), file);

    // The final file of a launch that handed over, its parts still there.
    let path = blobs.path_of(&key);
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    launches::uploaded_tracks(&blobs, bot, 1, 0).await.unwrap();
    let after = std::fs::metadata(&path).unwrap().modified().unwrap();
    assert_eq!(before, after, "a whole snapshot is not written again");
}

/// A store whose parts vanish after the first one was read, the way they do
/// when the launch's own hand-over stores the final track and removes its
/// parts while a rebuild runs: the rebuild must not store what it read so
/// far over the final track.
struct HandOverMidway {
    inner: LocalBlobStore,
    final_track: (BlobKey, Bytes),
    bot: Uuid,
    reads: AtomicUsize,
}

#[async_trait]
impl BlobStore for HandOverMidway {
    async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        self.inner.put(key, bytes).await
    }
    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<(), BlobError> {
        self.inner.put_file(key, path).await
    }
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        if layout::part_of(self.bot, 1, key.as_str()).is_some()
            && self.reads.fetch_add(1, Ordering::SeqCst) == 1
        {
            let (track, bytes) = &self.final_track;
            self.inner.put(track, bytes.clone()).await?;
            reassembly::remove_parts(&self.inner, self.bot, 1).await?;
        }
        self.inner.get(key).await
    }
    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        self.inner.exists(key).await
    }
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        self.inner.delete(key).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<BlobKey>, BlobError> {
        self.inner.list(prefix).await
    }
}

#[tokio::test]
async fn parts_removed_during_a_rebuild_leave_the_final_track_alone() {
    let file = opus(3);
    let dir = tempfile::tempdir().unwrap();
    let bot = Uuid::new_v4();
    let key = layout::recording_track(bot, 1, "track-1.ogg").unwrap();
    let store = HandOverMidway {
        inner: LocalBlobStore::new(dir.path()),
        final_track: (key.clone(), Bytes::from(file.clone())),
        bot,
        reads: AtomicUsize::new(0),
    };
    let parts = runs(&file, 3);
    store
        .put(&key, Bytes::from(parts[0].1.clone()))
        .await
        .unwrap();
    for part in &parts {
        put_part(&store, bot, 1, "track-1.ogg", part).await;
    }
    let found = launches::uploaded_tracks(&store, bot, 1, 0).await.unwrap();
    assert_eq!(found.tracks.len(), 1);
    assert!(
        store.reads.load(Ordering::SeqCst) >= 2,
        "the parts were read"
    );
    assert_eq!(store.get(&key).await.unwrap(), file);
    assert!((decoded_seconds(&file) - 3.0).abs() <= 0.05);
}
