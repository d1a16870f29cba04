//! `recordings`: what a bot captured; at most one per bot.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One recorded track (one remote participant's audio).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// A name unique within the recording.
    pub name: String,
    /// Where its audio is in blob storage.
    pub blob_key: String,
    /// Who spoke on it, when known.
    #[serde(default)]
    pub speaker: Option<String>,
    /// Where it starts on the meeting's timeline: milliseconds after the
    /// recording of the bot's first launch that recorded started (a launch
    /// after a crash starts later). 0 in rows stored before launches.
    #[serde(default)]
    pub offset_ms: i64,
}

/// A recording.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recordings")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The bot that recorded it (unique).
    #[sea_orm(unique)]
    pub bot_id: Uuid,
    /// Length in milliseconds, from the first track's start to the last one's end.
    pub duration_ms: i64,
    /// Where the mixed audio of the last launch is in blob storage.
    pub mixed_blob_key: String,
    /// The per-participant tracks, a JSON list of [`Track`].
    #[sea_orm(column_type = "JsonBinary")]
    pub tracks: Json,
    /// When it was stored.
    pub created_at: DateTimeUtc,
}

impl Model {
    /// The tracks, decoded.
    pub fn tracks(&self) -> Result<Vec<Track>, serde_json::Error> {
        serde_json::from_value(self.tracks.clone())
    }
}

/// Relations of a recording.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The bot.
    #[sea_orm(
        belongs_to = "super::bots::Entity",
        from = "Column::BotId",
        to = "super::bots::Column::Id",
        on_delete = "Cascade"
    )]
    Bot,
    /// Its transcript.
    #[sea_orm(has_one = "super::transcripts::Entity")]
    Transcript,
}

impl Related<super::bots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Bot.def()
    }
}

impl Related<super::transcripts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Transcript.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_track_stored_before_offsets_starts_at_zero() {
        let old = serde_json::json!([
            {"name": "track-1", "blob_key": "recordings/b/tracks/track-1.ogg", "speaker": null},
            {"name": "track-2", "blob_key": "recordings/b/tracks/track-2.ogg"}
        ]);
        let tracks: Vec<Track> = serde_json::from_value(old).unwrap();
        assert_eq!(tracks.len(), 2);
        assert!(tracks.iter().all(|t| t.offset_ms == 0), "{tracks:?}");
        assert_eq!(tracks[1].blob_key, "recordings/b/tracks/track-2.ogg");
        let new = Track {
            name: "launch-2-track-1".into(),
            blob_key: "recordings/b/launch-2/tracks/track-1.ogg".into(),
            speaker: None,
            offset_ms: 95_000,
        };
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["offset_ms"], 95_000);
        assert_eq!(serde_json::from_value::<Track>(json).unwrap(), new);
    }
}
