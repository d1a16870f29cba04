//! `api_keys`: keys for the HTTP API, stored as a SHA-256 hash, never in clear.

use sea_orm::entity::prelude::*;

/// An API key (its hash and metadata).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant the key acts for.
    pub tenant_id: Uuid,
    /// The user the key acts as; `None` for a tenant-wide key.
    pub user_id: Option<Uuid>,
    /// A label chosen by its owner.
    pub name: String,
    /// The first 8 characters of the key, shown in UIs to tell keys apart.
    pub prefix: String,
    /// SHA-256 hex of the full key.
    #[sea_orm(unique)]
    pub key_hash: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last authenticated a request.
    pub last_used_at: Option<DateTimeUtc>,
    /// When it was revoked; a revoked key authenticates nothing.
    pub revoked_at: Option<DateTimeUtc>,
}

/// Relations of an API key.
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
    /// The user.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
