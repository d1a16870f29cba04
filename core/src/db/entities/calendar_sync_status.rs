//! `calendar_sync_status`: how the last syncs of a connection went, and when
//! the provider allows the next one (`Retry-After`, back-off).

use sea_orm::entity::prelude::*;

/// Sync health of one connection.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_sync_status")]
pub struct Model {
    /// The connection.
    #[sea_orm(primary_key, auto_increment = false)]
    pub connection_id: Uuid,
    /// When a sync last started.
    pub last_attempt_at: Option<DateTimeUtc>,
    /// When a sync last succeeded.
    pub last_success_at: Option<DateTimeUtc>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<String>,
    /// No sync before this time (the provider asked to wait, or back-off).
    pub not_before: Option<DateTimeUtc>,
    /// Failures since the last success.
    pub consecutive_failures: i32,
}

/// Relations of a sync status.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The connection.
    #[sea_orm(
        belongs_to = "super::calendar_connections::Entity",
        from = "Column::ConnectionId",
        to = "super::calendar_connections::Column::Id",
        on_delete = "Cascade"
    )]
    Connection,
}

impl Related<super::calendar_connections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Connection.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
