//! `calendar_events`: events synced from a connection; unique per provider id.

use sea_orm::entity::prelude::*;

/// A calendar event.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_events")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The connection it was synced from.
    pub connection_id: Uuid,
    /// The provider's id of the event (unique per connection).
    pub provider_event_id: String,
    /// Its title.
    pub title: String,
    /// Start.
    pub starts_at: DateTimeUtc,
    /// End.
    pub ends_at: DateTimeUtc,
    /// The conference link found in it, if any.
    pub meeting_url: Option<String>,
    /// The organizer's email address.
    pub organizer_email: Option<String>,
    /// Attendees as a JSON list.
    #[sea_orm(column_type = "JsonBinary")]
    pub attendees: Json,
    /// The provider's status (`confirmed`, `tentative`, `cancelled`).
    pub status: String,
    /// The provider's JSON, as received.
    #[sea_orm(column_type = "JsonBinary")]
    pub raw: Json,
    /// When it last changed here.
    pub updated_at: DateTimeUtc,
}

/// Relations of a calendar event.
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
