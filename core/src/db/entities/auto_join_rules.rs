//! `auto_join_rules`: which of a user's calendar meetings get a bot.

use sea_orm::entity::prelude::*;

/// A user's auto-join rules (no row: every meeting with a link).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auto_join_rules")]
pub struct Model {
    /// The user (one row per user).
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Off: no meeting gets a bot unless overridden with `always`.
    pub enabled: bool,
    /// Only meetings the user organizes.
    pub only_organized: bool,
    /// Only meetings with an attendee outside the user's email domain.
    pub only_external: bool,
    /// Only meetings the user accepted (or organizes).
    pub only_accepted: bool,
    /// Title words of which one must appear (empty: no constraint), JSON list.
    #[sea_orm(column_type = "JsonBinary")]
    pub include_keywords: Json,
    /// Title words of which none may appear, JSON list.
    #[sea_orm(column_type = "JsonBinary")]
    pub exclude_keywords: Json,
    /// When they last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of the rules.
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
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
