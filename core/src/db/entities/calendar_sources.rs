//! `calendar_sources`: one calendar of a connection, with its sync cursor
//! (Google `syncToken` or Graph `deltaLink`) and push channel.

use sea_orm::entity::prelude::*;

/// A synced calendar.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_sources")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The connection it belongs to.
    pub connection_id: Uuid,
    /// The provider's calendar id.
    pub calendar_id: String,
    /// Its display name.
    pub name: String,
    /// The incremental sync cursor; none means the next sync is a full one.
    pub cursor: Option<String>,
    /// Start of the window recurring events were expanded over.
    pub window_start: Option<DateTimeUtc>,
    /// End of that window.
    pub window_end: Option<DateTimeUtc>,
    /// The push channel (Google) or subscription (Graph) id.
    pub channel_id: Option<String>,
    /// Google's resource id of the watched calendar (needed to stop it).
    pub channel_resource_id: Option<String>,
    /// When the channel expires.
    pub channel_expires_at: Option<DateTimeUtc>,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a calendar source.
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
