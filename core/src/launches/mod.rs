//! The launches of a bot and what each one recorded.
//!
//! The launcher restarts a bot that crashed inside its meeting, so one bot
//! may join its meeting several times. Launch `n` is the `n`-th stored
//! transition into `launching` (the count the launcher hands the process it
//! starts); its recording started at its first transition into `recording`.
//! Each launch uploads under its own blob folder
//! ([`layout::launch_prefix`]), and each of its tracks sits on the
//! meeting's timeline at the launch's offset: the time from the first
//! recording launch's start to its own.
//!
//! While it records, a launch uploads what its recorder appended to each
//! track every couple of seconds as numbered parts, next to less frequent
//! whole-file snapshots; [`uploaded_tracks`] rebuilds each track of a launch
//! that died from the two ([`reassembly`]), and [`track_so_far`] reads a
//! track that is still being recorded the same way, storing nothing.

pub mod reassembly;

use crate::blob::{layout, BlobError, BlobKey, BlobStore};
use crate::db::entities::bot_transitions;
use crate::db::entities::recordings::Track;
use crate::db::repo::{self, RepoError};
use crate::domain::BotState;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Opus in Ogg counts granule positions at 48 kHz.
const OPUS_RATE: f64 = 48_000.0;

/// One launch of a bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// 1 for the first launch.
    pub number: u32,
    /// When it started recording (its first transition into `recording`).
    pub recording_started_at: Option<DateTime<Utc>>,
}

/// The launches in a bot's stored history, oldest first.
pub fn from_history(history: &[bot_transitions::Model]) -> Vec<Launch> {
    let mut launches: Vec<Launch> = Vec::new();
    for t in history {
        if t.to_state == BotState::Launching.as_str() {
            launches.push(Launch {
                number: u32::try_from(launches.len() + 1).unwrap_or(u32::MAX),
                recording_started_at: None,
            });
        } else if t.to_state == BotState::Recording.as_str() {
            if let Some(current) = launches.last_mut() {
                current.recording_started_at.get_or_insert(t.at);
            }
        }
    }
    launches
}

/// The launches of bot `bot_id`, oldest first.
pub async fn of_bot(db: &impl ConnectionTrait, bot_id: Uuid) -> Result<Vec<Launch>, RepoError> {
    Ok(from_history(&repo::bots::history(db, bot_id).await?))
}

/// The launches that recorded, each with its offset in milliseconds after
/// the earliest recording start among them (whose offset is 0).
pub fn offsets(launches: &[Launch]) -> Vec<(u32, i64)> {
    let Some(origin) = launches.iter().filter_map(|l| l.recording_started_at).min() else {
        return Vec::new();
    };
    launches
        .iter()
        .filter_map(|l| {
            let at = l.recording_started_at?;
            Some((l.number, (at - origin).num_milliseconds()))
        })
        .collect()
}

/// The name of a launch's track in a recording row: `launch-<n>-<stem>`,
/// unique across launches (every launch numbers its slots from the start).
pub fn track_name(launch: u32, stem: &str) -> String {
    format!("launch-{launch}-{stem}")
}

/// What one launch left in blob storage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UploadedTracks {
    /// Its tracks that hold audio, at the launch's offset.
    pub tracks: Vec<Track>,
    /// Where the longest of them ends, in milliseconds on the meeting's timeline.
    pub end_ms: i64,
}

/// The `.ogg` tracks launch `launch` of `bot_id` uploaded, each placed at
/// `offset_ms`; a track without a whole page of audio is left out. A track
/// with parts beyond its last whole-file snapshot (or with parts only) is
/// rebuilt from them first and stored as its whole-file blob
/// ([`reassembly::reassemble_track`]), so every caller — the next launch's
/// hand-over, the launcher adopting a dead bot's audio — reads whole files
/// and a second call finds the same blobs.
pub async fn uploaded_tracks(
    blobs: &dyn BlobStore,
    bot_id: Uuid,
    launch: u32,
    offset_ms: i64,
) -> Result<UploadedTracks, BlobError> {
    let mut files: BTreeMap<String, Vec<(u64, BlobKey)>> = BTreeMap::new();
    for key in blobs
        .list(&layout::launch_tracks_prefix(bot_id, launch))
        .await?
    {
        let name = key.as_str().rsplit('/').next().unwrap_or_default();
        files.entry(name.to_owned()).or_default();
    }
    for key in blobs
        .list(&layout::launch_parts_prefix(bot_id, launch))
        .await?
    {
        if let Some((file, offset)) = layout::part_of(bot_id, launch, key.as_str()) {
            files.entry(file).or_default().push((offset, key));
        }
    }
    let mut found = UploadedTracks::default();
    for (file, mut parts) in files {
        let Some(stem) = file.strip_suffix(".ogg") else {
            continue;
        };
        parts.sort();
        let Some(bytes) =
            reassembly::reassemble_track(blobs, bot_id, launch, &file, &parts).await?
        else {
            continue;
        };
        let Some(seconds) = ogg_end_seconds(&bytes).filter(|s| *s > 0.0) else {
            continue;
        };
        found.end_ms = found
            .end_ms
            .max(offset_ms + (seconds * 1000.0).round() as i64);
        found.tracks.push(Track {
            name: track_name(launch, stem),
            blob_key: layout::recording_track(bot_id, launch, &file)?.to_string(),
            speaker: None,
            offset_ms,
        });
    }
    Ok(found)
}

/// Track `key` of `bot_id` (a launch track, [`layout::recording_track`]) as
/// far as its uploads reach now: its last whole-file snapshot with the parts
/// uploaded since merged on, in memory (nothing is stored).
/// `None` when nothing of it is uploaded yet or `key` is no launch track.
pub async fn track_so_far(
    blobs: &dyn BlobStore,
    bot_id: Uuid,
    key: &BlobKey,
) -> Result<Option<bytes::Bytes>, BlobError> {
    let Some((launch, file)) = layout::track_of(bot_id, key.as_str()) else {
        return Ok(None);
    };
    let mut parts: Vec<(u64, BlobKey)> = blobs
        .list(&layout::track_parts_prefix(bot_id, launch, &file)?)
        .await?
        .into_iter()
        .filter_map(|k| {
            layout::part_of(bot_id, launch, k.as_str())
                .filter(|(f, _)| *f == file)
                .map(|(_, offset)| (offset, k))
        })
        .collect();
    parts.sort();
    Ok(reassembly::assemble(blobs, bot_id, launch, &file, &parts)
        .await?
        .1)
}

/// The end of an Ogg stream in seconds: the granule position of its last
/// whole page (a live upload may end inside a page).
pub fn ogg_end_seconds(bytes: &[u8]) -> Option<f64> {
    // A page header: "OggS", version 0, flags, 8-byte granule, serial,
    // sequence, CRC, segment count, then the segment table.
    let mut end = bytes.len();
    while let Some(at) = bytes[..end].windows(4).rposition(|w| w == b"OggS") {
        let header = &bytes[at..];
        if header.len() >= 27 && header[4] == 0 {
            let segments = usize::from(header[26]);
            let body: usize = header
                .get(27..27 + segments)
                .map(|table| table.iter().map(|&b| usize::from(b)).sum())
                .unwrap_or(usize::MAX);
            let whole = 27usize
                .checked_add(segments)
                .and_then(|n| n.checked_add(body))
                .is_some_and(|n| n <= header.len());
            let granule = i64::from_le_bytes(header[6..14].try_into().ok()?);
            if whole && granule >= 0 {
                return Some(granule as f64 / OPUS_RATE);
            }
        }
        end = at;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn step(to: BotState, at_s: i64) -> bot_transitions::Model {
        bot_transitions::Model {
            id: Uuid::now_v7(),
            bot_id: Uuid::nil(),
            from_state: String::new(),
            to_state: to.as_str().to_owned(),
            reason: None,
            detail: None,
            at: Utc.timestamp_opt(1_700_000_000 + at_s, 0).unwrap(),
        }
    }

    #[test]
    fn launches_are_counted_and_timed_from_the_history() {
        use BotState::*;
        let history = [
            step(Launching, 0),
            step(Joining, 2),
            step(Recording, 5),
            // Crashed at 100 s, restarted, admitted again at 135 s.
            step(Launching, 101),
            step(Joining, 104),
            step(WaitingRoom, 106),
            step(Recording, 135),
            // Crashed again before it got in.
            step(Launching, 200),
            step(Joining, 203),
            step(Failed, 260),
        ];
        let launches = from_history(&history);
        let numbers: Vec<u32> = launches.iter().map(|l| l.number).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
        assert_eq!(launches[2].recording_started_at, None);
        assert_eq!(offsets(&launches), vec![(1, 0), (2, 130_000)]);
        // A first launch that never got in: the second one is the origin.
        let late = [step(Launching, 0), step(Launching, 50), step(Recording, 70)];
        assert_eq!(offsets(&from_history(&late)), vec![(2, 0)]);
        assert!(offsets(&from_history(&[step(Launching, 0)])).is_empty());
    }

    fn page(granule: i64, body: &[u8]) -> Vec<u8> {
        let mut p = b"OggS".to_vec();
        p.extend([0, 0]);
        p.extend(granule.to_le_bytes());
        p.extend([0; 12]);
        p.push(1);
        p.push(body.len() as u8);
        p.extend(body);
        p
    }

    #[test]
    fn the_end_is_the_last_whole_pages_granule() {
        let mut stream = page(0, b"head");
        stream.extend(page(48_000, b"one second"));
        stream.extend(page(96_000, b"two seconds"));
        assert_eq!(ogg_end_seconds(&stream), Some(2.0));
        // Cut inside the last page: the one before it counts.
        let cut = &stream[..stream.len() - 3];
        assert_eq!(ogg_end_seconds(cut), Some(1.0));
        assert_eq!(ogg_end_seconds(b"not ogg at all"), None);
    }
}
