//! `users`: a person of a tenant; email unique per tenant.

use sea_orm::entity::prelude::*;

/// A user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// Email address, lower-cased; unique per tenant.
    pub email: String,
    /// Display name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// Relations of a user.
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
    /// Their calendar connections.
    #[sea_orm(has_many = "super::calendar_connections::Entity")]
    CalendarConnections,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::calendar_connections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CalendarConnections.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
