//! `reports`: a rendered report of a transcript; one per (transcript, format).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The file format of a report.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// HTML.
    #[sea_orm(string_value = "html")]
    Html,
    /// PDF.
    #[sea_orm(string_value = "pdf")]
    Pdf,
    /// Word.
    #[sea_orm(string_value = "docx")]
    Docx,
    /// Markdown.
    #[sea_orm(string_value = "md")]
    Md,
    /// JSON.
    #[sea_orm(string_value = "json")]
    Json,
}

/// A report.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The transcript it reports on.
    pub transcript_id: Uuid,
    /// Its format (unique per transcript).
    pub format: ReportFormat,
    /// Where the file is in blob storage.
    pub blob_key: String,
    /// The template it was rendered with.
    pub template_id: Option<Uuid>,
    /// When it was stored.
    pub created_at: DateTimeUtc,
}

/// Relations of a report.
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
    /// The template.
    #[sea_orm(
        belongs_to = "super::report_templates::Entity",
        from = "Column::TemplateId",
        to = "super::report_templates::Column::Id",
        on_delete = "SetNull"
    )]
    Template,
    /// Its deliveries.
    #[sea_orm(has_many = "super::deliveries::Entity")]
    Deliveries,
}

impl Related<super::transcripts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Transcript.def()
    }
}

impl Related<super::report_templates::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Template.def()
    }
}

impl Related<super::deliveries::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deliveries.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
