//! `bots`: one bot for one meeting, with its state and an optimistic-lock version.

use crate::domain::{BotState, EndReason};
use sea_orm::entity::prelude::*;

/// A bot.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bots")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The meeting it joins.
    pub meeting_id: Uuid,
    /// Its [`BotState`] name.
    pub state: String,
    /// The [`EndReason`] name of its last reasoned transition.
    pub end_reason: Option<String>,
    /// Free text about the last transition (an error message, ...).
    pub detail: Option<String>,
    /// When it should start joining.
    pub scheduled_start_at: DateTimeUtc,
    /// Bumped by every transition; updates check it (optimistic concurrency).
    pub version: i32,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

impl Model {
    /// The state, parsed; `None` for a name this build does not know.
    pub fn state(&self) -> Option<BotState> {
        self.state.parse().ok()
    }

    /// The end reason, parsed; `None` when unset or unknown.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.end_reason.as_deref().and_then(|r| r.parse().ok())
    }
}

/// Relations of a bot.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The meeting.
    #[sea_orm(
        belongs_to = "super::meetings::Entity",
        from = "Column::MeetingId",
        to = "super::meetings::Column::Id",
        on_delete = "Cascade"
    )]
    Meeting,
    /// Its transitions.
    #[sea_orm(has_many = "super::bot_transitions::Entity")]
    Transitions,
    /// Who asked for it.
    #[sea_orm(has_many = "super::bot_requesters::Entity")]
    Requesters,
    /// Its recording.
    #[sea_orm(has_one = "super::recordings::Entity")]
    Recording,
}

impl Related<super::meetings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Meeting.def()
    }
}

impl Related<super::bot_transitions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Transitions.def()
    }
}

impl Related<super::bot_requesters::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Requesters.def()
    }
}

impl Related<super::recordings::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Recording.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
