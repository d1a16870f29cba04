//! `deliveries`: a report sent to one recipient over one channel, at most once.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How a report is delivered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email.
    #[sea_orm(string_value = "email")]
    Email,
}

/// Where a delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Claimed, not sent yet.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Sent; never send again.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// The last attempt failed.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// The server refused it for good (a 5xx answer); never retried.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

/// A delivery.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The report.
    pub report_id: Uuid,
    /// The address.
    pub recipient: String,
    /// The channel.
    pub channel: Channel,
    /// The stable Message-ID, the same on every attempt.
    pub message_id: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// How many attempts were made.
    pub attempts: i32,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTimeUtc>,
    /// When it was claimed.
    pub created_at: DateTimeUtc,
}

/// Relations of a delivery.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The report.
    #[sea_orm(
        belongs_to = "super::reports::Entity",
        from = "Column::ReportId",
        to = "super::reports::Column::Id",
        on_delete = "Cascade"
    )]
    Report,
}

impl Related<super::reports::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Report.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
