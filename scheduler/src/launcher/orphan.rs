//! A bot that died after it started recording and is not restarted (its
//! meeting is over) never hands its recording over; the audio it uploaded
//! while recording (`recordings/<bot>/tracks/`) is adopted here instead:
//! a recording row over those tracks and `recording.completed`, so the
//! pipeline transcribes what was recorded up to the crash.

use mymeet_core::blob::{layout, BlobError, SharedBlobStore};
use mymeet_core::bus::messages::RecordingCompletedV1;
use mymeet_core::bus::{BusError, Envelope, SharedBus};
use mymeet_core::db::entities::bots;
use mymeet_core::db::entities::recordings::Track;
use mymeet_core::db::repo::{self, RepoError};
use mymeet_core::domain::BotState;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Opus in Ogg counts granule positions at 48 kHz.
const OPUS_RATE: f64 = 48_000.0;

/// Where orphaned recordings are found and announced.
#[derive(Clone)]
pub struct OrphanRecordings {
    /// The blob store the bots upload to.
    pub blobs: SharedBlobStore,
    /// The bus `recording.completed` goes to.
    pub bus: SharedBus,
}

/// Why an orphaned recording could not be adopted (the next tick tries again).
#[derive(Debug, thiserror::Error)]
pub enum OrphanError {
    /// Listing or reading the uploaded tracks failed.
    #[error("reading the uploaded tracks: {0}")]
    Blob(#[from] BlobError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] RepoError),
    /// Publishing `recording.completed` failed.
    #[error("announcing the recording: {0}")]
    Bus(#[from] BusError),
}

impl OrphanRecordings {
    /// Adopts what `bot` uploaded, when it had started recording and left
    /// tracks behind; stores the recording row once and publishes
    /// `recording.completed` (again on every call, so a crash between the
    /// two is repaired by calling again). Returns the recording's id.
    pub async fn adopt(
        &self,
        db: &DatabaseConnection,
        bot: &bots::Model,
    ) -> Result<Option<Uuid>, OrphanError> {
        let recorded = repo::bots::history(db, bot.id)
            .await?
            .iter()
            .any(|t| t.to_state == BotState::Recording.as_str());
        if !recorded {
            return Ok(None);
        }
        let prefix = format!("{}tracks/", layout::recording_prefix(bot.id));
        let mut tracks = Vec::new();
        let mut duration_s: f64 = 0.0;
        for key in self.blobs.list(&prefix).await? {
            let name = key.as_str().rsplit('/').next().unwrap_or_default();
            let Some(stem) = name.strip_suffix(".ogg") else {
                continue;
            };
            let bytes = self.blobs.get(&key).await?;
            let Some(seconds) = ogg_end_seconds(&bytes).filter(|s| *s > 0.0) else {
                continue;
            };
            duration_s = duration_s.max(seconds);
            tracks.push(Track {
                name: stem.to_owned(),
                blob_key: key.to_string(),
                speaker: None,
            });
        }
        if tracks.is_empty() {
            return Ok(None);
        }
        let stored = repo::recordings::insert_if_absent(
            db,
            bot.id,
            (duration_s * 1000.0).round() as i64,
            layout::recording_mixed(bot.id).as_str(),
            &tracks,
        )
        .await?;
        let recording_id = stored.model.id;
        self.bus
            .publish(&Envelope::new(&RecordingCompletedV1 {
                recording_id,
                bot_id: bot.id,
                meeting_id: bot.meeting_id,
            }))
            .await?;
        tracing::warn!(bot = %bot.id, recording = %recording_id, tracks = tracks.len(), duration_s,
            "adopted the uploaded audio of a bot that died while recording");
        Ok(Some(recording_id))
    }
}

/// The end of an Ogg stream in seconds: the granule position of its last
/// whole page (a live upload may end inside a page).
fn ogg_end_seconds(bytes: &[u8]) -> Option<f64> {
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
