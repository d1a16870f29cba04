//! A track rebuilt from what its bot uploaded while it recorded: the last
//! whole-file snapshot (`tracks/<file>`) extended by the parts
//! (`parts/<file>/<offset>.ogg`) uploaded after it.
//!
//! The bot's track files only ever grow, and every part is the bytes it
//! appended since the last part that went through, read right after a flush
//! (whole Ogg pages). So the file is the snapshot, then each part that
//! starts at or before the end so far, minus the bytes already there. A part
//! that is missing (its upload never went through before the bot died)
//! leaves a gap: the file ends before it, since audio after a hole would be
//! placed too early. The rebuilt file is stored as the track's blob, the
//! one the rest of the system reads; reading it again finds the parts
//! already inside it, so rebuilding twice stores the same blob.

use crate::blob::{layout, BlobError, BlobKey, BlobStore};
use bytes::Bytes;
use uuid::Uuid;

/// How often the rebuild starts over when a part vanished while it was read
/// (the launch's own hand-over stored the final file and removed its parts).
const REREADS: u32 = 2;

/// One uploaded part: the track file's bytes from `offset` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The byte of the file the part starts at.
    pub offset: u64,
    /// Its bytes.
    pub bytes: Bytes,
}

/// A snapshot with its parts merged on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The file as far as it runs without a hole.
    pub bytes: Vec<u8>,
    /// The end of `bytes` when a later part starts beyond it (a part is
    /// missing there); `None` when every part was used.
    pub gap_at: Option<u64>,
    /// Parts whose bytes disagree with the bytes already in place where they
    /// overlap (never, for a file that only grows); the bytes in place win.
    pub mismatches: usize,
}

/// Merges `parts` (any order) onto `snapshot`: see the module documentation.
pub fn merge(snapshot: &[u8], parts: &[Part]) -> Merged {
    let mut order: Vec<&Part> = parts.iter().collect();
    // Offset order; of two at one offset, the longer first.
    order.sort_by(|a, b| {
        a.offset
            .cmp(&b.offset)
            .then(b.bytes.len().cmp(&a.bytes.len()))
    });
    let mut bytes = snapshot.to_vec();
    let mut mismatches = 0;
    for part in order {
        let have = bytes.len() as u64;
        if part.offset > have {
            return Merged {
                bytes,
                gap_at: Some(have),
                mismatches,
            };
        }
        let overlap = usize::try_from(have - part.offset).unwrap_or(usize::MAX);
        let Some(new) = part.bytes.get(overlap..) else {
            // Wholly inside what is already there.
            let start = usize::try_from(part.offset).unwrap_or(usize::MAX);
            if bytes.get(start..start + part.bytes.len()) != Some(&part.bytes[..]) {
                mismatches += 1;
            }
            continue;
        };
        let start = usize::try_from(part.offset).unwrap_or(usize::MAX);
        if bytes.get(start..) != Some(&part.bytes[..overlap]) {
            mismatches += 1;
        }
        bytes.extend_from_slice(new);
    }
    Merged {
        bytes,
        gap_at: None,
        mismatches,
    }
}

/// Of the parts at `offsets` (ascending), the index of the first one worth
/// reading over a snapshot of `snapshot_len` bytes: the last one starting at
/// or before the snapshot's end. The ones before it end where the next one
/// starts (the bot starts each part at the first byte not yet uploaded), so
/// the snapshot already holds them.
pub fn first_needed(offsets: &[u64], snapshot_len: u64) -> usize {
    offsets
        .iter()
        .rposition(|&o| o <= snapshot_len)
        .unwrap_or(0)
}

/// How many parts are read at once (a store's round trips, not its
/// bandwidth, bound a rebuild of many small parts).
const READS_IN_FLIGHT: usize = 16;

/// Track `file` of launch `launch` of `bot_id`, as whole as its uploads
/// make it: the snapshot extended by the parts at `parts` (offset, key;
/// ascending). When the parts add bytes the result is stored as the track's
/// blob first. `None` when nothing of it was uploaded.
pub async fn reassemble_track(
    blobs: &dyn BlobStore,
    bot_id: Uuid,
    launch: u32,
    file: &str,
    parts: &[(u64, BlobKey)],
) -> Result<Option<Bytes>, BlobError> {
    let key = layout::recording_track(bot_id, launch, file)?;
    let (snapshot_len, bytes) = assemble(blobs, bot_id, launch, file, parts).await?;
    let Some(bytes) = bytes else {
        return Ok(None);
    };
    if bytes.len() > snapshot_len {
        blobs.put(&key, bytes.clone()).await?;
        tracing::info!(%bot_id, launch, file, snapshot = snapshot_len, bytes = bytes.len(),
            parts = parts.len(), "track rebuilt from its uploaded parts");
    }
    Ok(Some(bytes))
}

/// The snapshot's length, and the snapshot with the parts merged on
/// (`None` when neither exists), in memory: [`reassemble_track`] without
/// the store, which a reader of a track still being recorded uses
/// ([`super::track_so_far`]) so that it can never race the bot's own
/// hand-over.
pub(crate) async fn assemble(
    blobs: &dyn BlobStore,
    bot_id: Uuid,
    launch: u32,
    file: &str,
    parts: &[(u64, BlobKey)],
) -> Result<(usize, Option<Bytes>), BlobError> {
    let key = layout::recording_track(bot_id, launch, file)?;
    let mut rereads = 0;
    'read: loop {
        let snapshot = read_if_there(blobs, &key).await?.unwrap_or_default();
        let offsets: Vec<u64> = parts.iter().map(|(o, _)| *o).collect();
        let wanted = &parts[first_needed(&offsets, snapshot.len() as u64)..];
        // `None` for a part that is gone.
        let mut fetched: Vec<Option<Bytes>> = Vec::with_capacity(wanted.len());
        for batch in wanted.chunks(READS_IN_FLIGHT) {
            let reads = batch
                .iter()
                .map(|(_, part_key)| read_if_there(blobs, part_key));
            fetched.extend(futures::future::try_join_all(reads).await?);
        }
        let mut read = Vec::new();
        let mut end = snapshot.len() as u64;
        for ((offset, _), bytes) in wanted.iter().zip(fetched) {
            if *offset > end {
                // Past a hole: nothing after it can be placed.
                break;
            }
            match bytes {
                Some(bytes) => {
                    end = end.max(offset + bytes.len() as u64);
                    read.push(Part {
                        offset: *offset,
                        bytes,
                    });
                }
                // The launch's own hand-over stored the final file and
                // removed its parts meanwhile: read the final file.
                None if rereads < REREADS => {
                    rereads += 1;
                    continue 'read;
                }
                None => break,
            }
        }
        let merged = merge(&snapshot, &read);
        if merged.mismatches > 0 {
            tracing::warn!(%bot_id, launch, file, mismatches = merged.mismatches,
                "uploaded parts disagree with the track's snapshot; the snapshot's bytes kept");
        }
        if let Some(at) = merged.gap_at {
            tracing::warn!(%bot_id, launch, file, at,
                "a part of the track was never uploaded; the track ends before it");
        }
        let snapshot_len = snapshot.len();
        let bytes = if merged.bytes.len() > snapshot_len {
            Some(Bytes::from(merged.bytes))
        } else {
            (!snapshot.is_empty()).then_some(snapshot)
        };
        return Ok((snapshot_len, bytes));
    }
}

/// Blob `key` (a snapshot or a part); `None` when it is not there.
async fn read_if_there(blobs: &dyn BlobStore, key: &BlobKey) -> Result<Option<Bytes>, BlobError> {
    match blobs.get(key).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(BlobError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Removes every part launch `launch` of `bot_id` uploaded (once its final
/// files are stored, they hold them all); returns how many there were.
pub async fn remove_parts(
    blobs: &dyn BlobStore,
    bot_id: Uuid,
    launch: u32,
) -> Result<usize, BlobError> {
    let keys = blobs
        .list(&layout::launch_parts_prefix(bot_id, launch))
        .await?;
    for key in &keys {
        blobs.delete(key).await?;
    }
    Ok(keys.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` bytes of a file whose byte `i` is `i % 251`, from `offset`.
    fn part(offset: u64, len: usize) -> Part {
        Part {
            offset,
            bytes: file(offset as usize + len)
                .split_off(offset as usize)
                .into(),
        }
    }

    fn file(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn parts_extend_a_snapshot_in_offset_order() {
        let merged = merge(&file(100), &[part(150, 50), part(100, 50), part(200, 7)]);
        assert_eq!(merged.bytes, file(207));
        assert_eq!((merged.gap_at, merged.mismatches), (None, 0));
        // No snapshot at all: the parts alone.
        let merged = merge(&[], &[part(0, 10), part(10, 30)]);
        assert_eq!(merged.bytes, file(40));
    }

    #[test]
    fn parts_overlapping_the_snapshot_add_only_their_new_bytes() {
        // Parts uploaded before the snapshot was taken, one straddling its end.
        let parts = [part(0, 60), part(60, 60), part(120, 60), part(180, 20)];
        let merged = merge(&file(150), &parts);
        assert_eq!(merged.bytes, file(200));
        assert_eq!((merged.gap_at, merged.mismatches), (None, 0));
        // A snapshot newer than every part: nothing to add.
        let merged = merge(&file(300), &parts);
        assert_eq!(merged.bytes, file(300));
        // Two versions of one part (an upload retried with more bytes).
        let merged = merge(&file(100), &[part(100, 20), part(100, 80)]);
        assert_eq!(merged.bytes, file(180));
    }

    #[test]
    fn a_missing_part_ends_the_file_until_it_is_filled() {
        let later = [part(0, 100), part(150, 50)];
        let merged = merge(&[], &later);
        assert_eq!(merged.bytes, file(100));
        assert_eq!(merged.gap_at, Some(100));
        // The failed upload went through on the next tick, from its first
        // byte not yet uploaded: the hole is filled.
        let filled = [part(0, 100), part(150, 50), part(100, 50)];
        let merged = merge(&[], &filled);
        assert_eq!(merged.bytes, file(200));
        assert_eq!(merged.gap_at, None);
        // Nothing from byte 0: nothing at all.
        let merged = merge(&[], &[part(50, 50)]);
        assert!(merged.bytes.is_empty());
        assert_eq!(merged.gap_at, Some(0));
    }

    #[test]
    fn merging_the_result_again_changes_nothing() {
        let parts = [part(0, 64), part(64, 64), part(128, 64)];
        let once = merge(&file(100), &parts);
        let twice = merge(&once.bytes, &parts);
        assert_eq!(twice, once);
    }

    #[test]
    fn bytes_that_disagree_are_counted_and_the_snapshots_kept() {
        let mut wrong = part(80, 40);
        let mut bytes = wrong.bytes.to_vec();
        bytes[0] ^= 0xff;
        wrong.bytes = bytes.into();
        let merged = merge(&file(100), &[wrong]);
        assert_eq!(merged.mismatches, 1);
        assert_eq!(&merged.bytes[..100], &file(100)[..]);
        assert_eq!(&merged.bytes[100..], &file(120)[100..]);
    }

    #[test]
    fn only_the_parts_past_the_snapshot_are_read() {
        let offsets = [0, 100, 200, 300];
        assert_eq!(first_needed(&offsets, 0), 0);
        assert_eq!(first_needed(&offsets, 150), 1);
        assert_eq!(first_needed(&offsets, 200), 2);
        assert_eq!(first_needed(&offsets, 1000), 3);
        assert_eq!(first_needed(&[], 10), 0);
        // Parts that start after the snapshot's end (a hole): from the first.
        assert_eq!(first_needed(&[500, 600], 100), 0);
    }
}
