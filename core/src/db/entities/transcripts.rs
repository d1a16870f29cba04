//! `transcripts`: the text of a recording; at most one per recording.

use sea_orm::entity::prelude::*;

/// A transcript.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "transcripts")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The recording (unique: redelivered work finds the existing transcript).
    #[sea_orm(unique)]
    pub recording_id: Uuid,
    /// The detected (or configured) language, e.g. `en`.
    pub language: String,
    /// The detector's confidence in `language`.
    pub language_probability: Option<f64>,
    /// The model that wrote it, e.g. `whisper-tiny.en`.
    pub model: String,
    /// When it was stored.
    pub created_at: DateTimeUtc,
}

/// Relations of a transcript.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The recording.
    #[sea_orm(
        belongs_to = "super::recordings::Entity",
        from = "Column::RecordingId",
        to = "super::recordings::Column::Id",
        on_delete = "Cascade"
    )]
    Recording,
    /// Its segments.
    #[sea_orm(has_many = "super::transcript_segments::Entity")]
    Segments,
    /// Its reports.
    #[sea_orm(has_many = "super::reports::Entity")]
    Reports,
}

impl Related<super::recordings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Recording.def()
    }
}

impl Related<super::transcript_segments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Segments.def()
    }
}

impl Related<super::reports::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Reports.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
