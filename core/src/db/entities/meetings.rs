//! `meetings`: one real call, unique per (tenant, normalized URL, start).

use crate::domain::Platform;
use sea_orm::entity::prelude::*;

/// A meeting.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// `meet`, `teams` or `zoom` (see [`Platform`]).
    pub platform: String,
    /// The normalized join URL.
    pub meeting_url: String,
    /// Its title.
    pub title: String,
    /// Scheduled start.
    pub starts_at: DateTimeUtc,
    /// Scheduled end.
    pub ends_at: DateTimeUtc,
}

impl Model {
    /// The platform, parsed; `None` for a name this build does not know.
    pub fn platform(&self) -> Option<Platform> {
        self.platform.parse().ok()
    }
}

/// Relations of a meeting.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tenant.
    #[sea_orm(
        belongs_to = "super::tenants::Entity",
        from = "Column::TenantId",
        to = "super::tenants::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// Its bots.
    #[sea_orm(has_many = "super::bots::Entity")]
    Bots,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::bots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Bots.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
