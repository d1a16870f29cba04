//! Recordings: at most one per bot.

use super::{new_id, now, Claimed, RepoError, Result};
use crate::db::entities::recordings::{self, Track};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

/// Stores the recording of `bot_id`, or returns the one already stored
/// (a redelivered "recording finished" message stores nothing twice).
pub async fn insert_if_absent(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
    duration_ms: i64,
    mixed_blob_key: &str,
    tracks: &[Track],
) -> Result<Claimed<recordings::Model>> {
    let tracks = serde_json::to_value(tracks).map_err(|e| RepoError::Corrupt {
        what: "recording tracks",
        message: e.to_string(),
    })?;
    let inserted = recordings::Entity::insert(recordings::ActiveModel {
        id: Set(new_id()),
        bot_id: Set(bot_id),
        duration_ms: Set(duration_ms),
        mixed_blob_key: Set(mixed_blob_key.to_owned()),
        tracks: Set(tracks),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(recordings::Column::BotId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let model = for_bot(db, bot_id)
        .await?
        .ok_or_else(|| RepoError::not_found("recording of bot", bot_id))?;
    Ok(Claimed {
        model,
        created: inserted == 1,
    })
}

/// The recording `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<recordings::Model> {
    recordings::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("recording", id))
}

/// The recording of a bot, if stored.
pub async fn for_bot(db: &impl ConnectionTrait, bot_id: Uuid) -> Result<Option<recordings::Model>> {
    Ok(recordings::Entity::find()
        .filter(recordings::Column::BotId.eq(bot_id))
        .one(db)
        .await?)
}

/// The decoded tracks of a recording.
pub fn tracks(recording: &recordings::Model) -> Result<Vec<Track>> {
    recording.tracks().map_err(|e| RepoError::Corrupt {
        what: "recording tracks",
        message: format!("recording {}: {e}", recording.id),
    })
}
