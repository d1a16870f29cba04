//! `transcript_segments`: one timed utterance of a transcript.

use sea_orm::entity::prelude::*;

/// A segment.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "transcript_segments")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The transcript.
    pub transcript_id: Uuid,
    /// Position in the transcript, from 0.
    pub idx: i32,
    /// Start, milliseconds from the start of the recording.
    pub start_ms: i64,
    /// End, milliseconds from the start of the recording.
    pub end_ms: i64,
    /// Who spoke, when known.
    pub speaker: Option<String>,
    /// What was said.
    pub text: String,
    /// The recognizer's confidence, 0..1.
    pub confidence: Option<f64>,
    /// The segment's language when it differs from the transcript's.
    pub language: Option<String>,
}

/// Relations of a segment.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The transcript.
    #[sea_orm(
        belongs_to = "super::transcripts::Entity",
        from = "Column::TranscriptId",
        to = "super::transcripts::Column::Id",
        on_delete = "Cascade"
    )]
    Transcript,
}

impl Related<super::transcripts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Transcript.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
