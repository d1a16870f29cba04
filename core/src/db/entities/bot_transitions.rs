//! `bot_transitions`: every state change of every bot, with time and reason.

use crate::domain::{BotState, EndReason};
use sea_orm::entity::prelude::*;

/// One stored transition.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_transitions")]
pub struct Model {
    /// Id (UUIDv7: ordered by time of creation).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The bot.
    pub bot_id: Uuid,
    /// The state left.
    pub from_state: String,
    /// The state entered.
    pub to_state: String,
    /// The [`EndReason`] name, when one was given.
    pub reason: Option<String>,
    /// Free text (an error message, ...).
    pub detail: Option<String>,
    /// When it happened.
    pub at: DateTimeUtc,
}

impl Model {
    /// The state left, parsed.
    pub fn from_state(&self) -> Option<BotState> {
        self.from_state.parse().ok()
    }

    /// The state entered, parsed.
    pub fn to_state(&self) -> Option<BotState> {
        self.to_state.parse().ok()
    }

    /// The reason, parsed.
    pub fn reason(&self) -> Option<EndReason> {
        self.reason.as_deref().and_then(|r| r.parse().ok())
    }
}

/// Relations of a transition.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The bot.
    #[sea_orm(
        belongs_to = "super::bots::Entity",
        from = "Column::BotId",
        to = "super::bots::Column::Id",
        on_delete = "Cascade"
    )]
    Bot,
}

impl Related<super::bots::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Bot.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
