//! `event_overrides`: a user's "always" or "never" for one event or a whole
//! recurring series, keyed by the provider's ids so that resyncs keep it.

use sea_orm::entity::prelude::*;

/// One override.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_overrides")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The user who decided.
    pub user_id: Uuid,
    /// The calendar connection the event comes from.
    pub connection_id: Uuid,
    /// `event` (one provider event id) or `series` (a recurring series id).
    pub scope: String,
    /// The provider's event id or recurring series id.
    pub target_id: String,
    /// `always` or `never`.
    pub decision: String,
    /// When it was set.
    pub created_at: DateTimeUtc,
}

/// Relations of an override.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    /// The connection.
    #[sea_orm(
        belongs_to = "super::calendar_connections::Entity",
        from = "Column::ConnectionId",
        to = "super::calendar_connections::Column::Id",
        on_delete = "Cascade"
    )]
    Connection,
}

impl ActiveModelBehavior for ActiveModel {}
