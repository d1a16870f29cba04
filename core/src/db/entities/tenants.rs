//! `tenants`: an organisation; everything else belongs to one.

use sea_orm::entity::prelude::*;

/// A tenant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Unique short name used in URLs.
    #[sea_orm(unique)]
    pub slug: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

/// Relations of a tenant.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Its users.
    #[sea_orm(has_many = "super::users::Entity")]
    Users,
    /// Its meetings.
    #[sea_orm(has_many = "super::meetings::Entity")]
    Meetings,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

impl Related<super::meetings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Meetings.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
