//! A bot that died after it started recording and is not restarted (its
//! meeting is over) never hands its recording over; the audio its launches
//! uploaded while recording is adopted here instead: each track rebuilt
//! from its last whole-file snapshot (`recordings/<bot>/launch-<n>/tracks/`)
//! and the parts uploaded every couple of seconds after it (`…/parts/`,
//! [`launches::uploaded_tracks`]), a recording row over the tracks of every
//! launch that recorded, each at its launch's offset on the meeting's
//! timeline, and `recording.completed`, so the pipeline transcribes what was
//! recorded up to about 2 s before the crash.

use mymeet_core::blob::{layout, BlobError, SharedBlobStore};
use mymeet_core::bus::messages::RecordingCompletedV1;
use mymeet_core::bus::{BusError, Envelope, SharedBus};
use mymeet_core::db::entities::bots;
use mymeet_core::db::repo::{self, RepoError};
use mymeet_core::launches;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

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
        let offsets = launches::offsets(&launches::of_bot(db, bot.id).await?);
        let Some(&(last, _)) = offsets.last() else {
            return Ok(None);
        };
        let mut tracks = Vec::new();
        let mut end_ms = 0;
        for &(launch, offset_ms) in &offsets {
            let uploaded =
                launches::uploaded_tracks(self.blobs.as_ref(), bot.id, launch, offset_ms).await?;
            end_ms = end_ms.max(uploaded.end_ms);
            tracks.extend(uploaded.tracks);
        }
        if tracks.is_empty() {
            return Ok(None);
        }
        let stored = repo::recordings::insert_if_absent(
            db,
            bot.id,
            end_ms,
            layout::recording_mixed(bot.id, last).as_str(),
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
        tracing::warn!(bot = %bot.id, recording = %recording_id, tracks = tracks.len(), end_ms,
            "adopted the uploaded audio of a bot that died while recording");
        Ok(Some(recording_id))
    }
}
