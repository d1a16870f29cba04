//! What the scheduler keeps: auto-join rules, per-event overrides, the links
//! between bots and the calendar events that asked for them, bot moves, and
//! the leases that make one scheduler instance at a time the launcher.

use super::{micros, new_id, now, RepoError, Result};
use crate::db::entities::{
    auto_join_rules, bot_calendar_events, bot_requesters, bots, event_overrides, meetings,
    scheduler_leases,
};
use crate::domain::BotState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// A user's auto-join rules, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRules {
    /// Off: no meeting gets a bot unless overridden with `always`.
    pub enabled: bool,
    /// Only meetings the user organizes.
    pub only_organized: bool,
    /// Only meetings with an attendee outside the user's email domain.
    pub only_external: bool,
    /// Only meetings the user accepted (or organizes).
    pub only_accepted: bool,
    /// Title words of which one must appear (empty: any title).
    pub include_keywords: Vec<String>,
    /// Title words of which none may appear.
    pub exclude_keywords: Vec<String>,
}

/// Stores (replaces) the rules of `user_id`.
pub async fn set_rules(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    rules: &NewRules,
) -> Result<auto_join_rules::Model> {
    use auto_join_rules::Column as C;
    auto_join_rules::Entity::insert(auto_join_rules::ActiveModel {
        user_id: Set(user_id),
        enabled: Set(rules.enabled),
        only_organized: Set(rules.only_organized),
        only_external: Set(rules.only_external),
        only_accepted: Set(rules.only_accepted),
        include_keywords: Set(serde_json::json!(rules.include_keywords)),
        exclude_keywords: Set(serde_json::json!(rules.exclude_keywords)),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(C::UserId)
            .update_columns([
                C::Enabled,
                C::OnlyOrganized,
                C::OnlyExternal,
                C::OnlyAccepted,
                C::IncludeKeywords,
                C::ExcludeKeywords,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    get_rules(db, user_id)
        .await?
        .ok_or_else(|| RepoError::not_found("auto-join rules", user_id))
}

/// The stored rules of `user_id`, if the user set any.
pub async fn get_rules(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<auto_join_rules::Model>> {
    Ok(auto_join_rules::Entity::find_by_id(user_id).one(db).await?)
}

/// What an override applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideScope {
    /// One event (one instance of a series), by provider event id.
    Event,
    /// Every instance of a recurring series, by series id.
    Series,
}

impl OverrideScope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideScope::Event => "event",
            OverrideScope::Series => "series",
        }
    }
}

/// A user's decision about an event, above the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideDecision {
    /// Send a bot whatever the rules say.
    Always,
    /// Never send a bot.
    Never,
}

impl OverrideDecision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideDecision::Always => "always",
            OverrideDecision::Never => "never",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<OverrideDecision> {
        match s {
            "always" => Some(OverrideDecision::Always),
            "never" => Some(OverrideDecision::Never),
            _ => None,
        }
    }
}

/// Sets (or replaces) the override of `user_id` for one event or series.
pub async fn set_override(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    connection_id: Uuid,
    scope: OverrideScope,
    target_id: &str,
    decision: OverrideDecision,
) -> Result<()> {
    use event_overrides::Column as C;
    event_overrides::Entity::insert(event_overrides::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        connection_id: Set(connection_id),
        scope: Set(scope.as_str().to_owned()),
        target_id: Set(target_id.to_owned()),
        decision: Set(decision.as_str().to_owned()),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([C::UserId, C::ConnectionId, C::Scope, C::TargetId])
            .update_columns([C::Decision, C::CreatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Removes an override; the rules decide again.
pub async fn clear_override(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    connection_id: Uuid,
    scope: OverrideScope,
    target_id: &str,
) -> Result<()> {
    use event_overrides::Column as C;
    event_overrides::Entity::delete_many()
        .filter(C::UserId.eq(user_id))
        .filter(C::ConnectionId.eq(connection_id))
        .filter(C::Scope.eq(scope.as_str()))
        .filter(C::TargetId.eq(target_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Every override of `user_id`.
pub async fn overrides_for_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<event_overrides::Model>> {
    Ok(event_overrides::Entity::find()
        .filter(event_overrides::Column::UserId.eq(user_id))
        .order_by_asc(event_overrides::Column::Id)
        .all(db)
        .await?)
}

/// Records whether `event_id` (of `user_id`) still wants `bot_id`.
pub async fn link_event(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
    event_id: Uuid,
    user_id: Uuid,
    wanted: bool,
) -> Result<()> {
    use bot_calendar_events::Column as C;
    bot_calendar_events::Entity::insert(bot_calendar_events::ActiveModel {
        bot_id: Set(bot_id),
        event_id: Set(event_id),
        user_id: Set(user_id),
        wanted: Set(wanted),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([C::BotId, C::EventId])
            .update_columns([C::Wanted, C::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The bot links of the calendar events of `user_ids`.
pub async fn links_for_users(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> Result<Vec<bot_calendar_events::Model>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(bot_calendar_events::Entity::find()
        .filter(bot_calendar_events::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_asc(bot_calendar_events::Column::BotId)
        .order_by_asc(bot_calendar_events::Column::EventId)
        .all(db)
        .await?)
}

/// The event links of one bot.
pub async fn links_for_bot(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
) -> Result<Vec<bot_calendar_events::Model>> {
    Ok(bot_calendar_events::Entity::find()
        .filter(bot_calendar_events::Column::BotId.eq(bot_id))
        .order_by_asc(bot_calendar_events::Column::EventId)
        .all(db)
        .await?)
}

/// Removes `user_id` from the requesters of `bot_id` (they no longer want it).
pub async fn remove_requester(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
    user_id: Uuid,
) -> Result<()> {
    bot_requesters::Entity::delete_many()
        .filter(bot_requesters::Column::BotId.eq(bot_id))
        .filter(bot_requesters::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves a bot that is still `scheduled` (and still at `expected_version`)
/// to start at `start`, bumping its version so that a launcher holding the
/// old version cannot claim it at the old time. False when it was not moved.
pub async fn reschedule_bot(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
    expected_version: i32,
    start: DateTime<Utc>,
) -> Result<bool> {
    let res = bots::Entity::update_many()
        .col_expr(bots::Column::ScheduledStartAt, Expr::value(micros(start)))
        .col_expr(
            bots::Column::Version,
            Expr::col(bots::Column::Version).add(1),
        )
        .col_expr(bots::Column::UpdatedAt, Expr::value(now()))
        .filter(bots::Column::Id.eq(bot_id))
        .filter(bots::Column::Version.eq(expected_version))
        .filter(bots::Column::State.eq(BotState::Scheduled.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Moves a meeting to a new time (and title). Fails with
/// [`RepoError::Conflict`] when the tenant already has a meeting with this
/// URL at the new start.
pub async fn move_meeting(
    db: &impl ConnectionTrait,
    meeting_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    title: &str,
) -> Result<meetings::Model> {
    let res = meetings::Entity::update_many()
        .col_expr(meetings::Column::StartsAt, Expr::value(micros(starts_at)))
        .col_expr(meetings::Column::EndsAt, Expr::value(micros(ends_at)))
        .col_expr(meetings::Column::Title, Expr::value(title.to_owned()))
        .filter(meetings::Column::Id.eq(meeting_id))
        .exec(db)
        .await
        .map_err(|e| {
            super::unique_to_conflict(e, || {
                format!("meeting {meeting_id} cannot move to {starts_at}")
            })
        })?;
    if res.rows_affected == 0 {
        return Err(RepoError::not_found("meeting", meeting_id));
    }
    super::meetings::get(db, meeting_id).await
}

/// Takes or renews lease `name` for `holder` until `now_ms + ttl_ms`, if it
/// is free, expired, or already `holder`'s. True when `holder` holds it now.
pub async fn try_acquire_lease(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<bool> {
    use scheduler_leases::Column as C;
    let until = now_ms.saturating_add(ttl_ms);
    let inserted = scheduler_leases::Entity::insert(scheduler_leases::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at_ms: Set(until),
        updated_at_ms: Set(now_ms),
    })
    .on_conflict(OnConflict::column(C::Name).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(true);
    }
    // Compare-and-set: only a free-by-expiry lease or our own changes hands.
    let res = scheduler_leases::Entity::update_many()
        .col_expr(C::Holder, Expr::value(holder.to_owned()))
        .col_expr(C::ExpiresAtMs, Expr::value(until))
        .col_expr(C::UpdatedAtMs, Expr::value(now_ms))
        .filter(C::Name.eq(name))
        .filter(
            sea_orm::Condition::any()
                .add(C::Holder.eq(holder))
                .add(C::ExpiresAtMs.lt(now_ms)),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Gives lease `name` up if `holder` holds it.
pub async fn release_lease(db: &impl ConnectionTrait, name: &str, holder: &str) -> Result<()> {
    scheduler_leases::Entity::delete_many()
        .filter(scheduler_leases::Column::Name.eq(name))
        .filter(scheduler_leases::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}

/// The lease `name`, if anyone took it.
pub async fn get_lease(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<scheduler_leases::Model>> {
    Ok(scheduler_leases::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?)
}
