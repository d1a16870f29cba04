//! `bot_calendar_events`: which calendar events (of which user) asked for a
//! bot, and whether they still do. A bot whose events all stopped wanting it
//! is cancelled; a bot with no rows here was asked for another way (the API).

use sea_orm::entity::prelude::*;

/// One event's claim on one bot.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_calendar_events")]
pub struct Model {
    /// The bot.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bot_id: Uuid,
    /// The calendar event.
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    /// The user whose calendar it is.
    pub user_id: Uuid,
    /// False once the event was cancelled, declined, moved or ruled out.
    pub wanted: bool,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a link.
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
    /// The event.
    #[sea_orm(
        belongs_to = "super::calendar_events::Entity",
        from = "Column::EventId",
        to = "super::calendar_events::Column::Id",
        on_delete = "Cascade"
    )]
    Event,
}

impl ActiveModelBehavior for ActiveModel {}
