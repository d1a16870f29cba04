//! `scheduler_leases`: named locks with an expiry, taken by compare-and-set,
//! so that one scheduler instance at a time launches bots.

use sea_orm::entity::prelude::*;

/// A lease.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduler_leases")]
pub struct Model {
    /// What it guards (`launcher`, ...).
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// Who holds it (an instance id).
    pub holder: String,
    /// Until when, in milliseconds since the Unix epoch.
    pub expires_at_ms: i64,
    /// When it was last taken or renewed, in milliseconds since the epoch.
    pub updated_at_ms: i64,
}

/// A lease has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
