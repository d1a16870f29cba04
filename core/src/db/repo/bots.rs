//! Bots and their checked, stored state transitions.
//!
//! A transition is read → checked by [`BotState::transition`] → written with
//! `UPDATE … WHERE id = ? AND version = ?` and logged in `bot_transitions`,
//! the update and the log in one transaction. The version check makes two
//! racing writers safe without holding a lock while the check runs: the one
//! that comes second updates zero rows and gets [`RepoError::Conflict`].

use super::{micros, new_id, now, RepoError, Result};
use crate::db::entities::{bot_requesters, bot_transitions, bots};
use crate::domain::{BotState, EndReason, Transition};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

/// Creates a bot for `meeting_id` in state `scheduled`, with its requesters.
pub async fn create<C>(
    db: &C,
    meeting_id: Uuid,
    scheduled_start_at: DateTime<Utc>,
    requesters: &[Uuid],
) -> Result<bots::Model>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let t = now();
    let bot = bots::ActiveModel {
        id: Set(new_id()),
        meeting_id: Set(meeting_id),
        state: Set(BotState::Scheduled.as_str().to_owned()),
        end_reason: Set(None),
        detail: Set(None),
        scheduled_start_at: Set(micros(scheduled_start_at)),
        version: Set(0),
        updated_at: Set(t),
        created_at: Set(t),
    }
    .insert(&txn)
    .await?;
    for user in requesters {
        add_requester(&txn, bot.id, *user).await?;
    }
    txn.commit().await?;
    Ok(bot)
}

/// The bot `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<bots::Model> {
    bots::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("bot", id))
}

/// The parsed state of a stored bot.
pub fn state_of(bot: &bots::Model) -> Result<BotState> {
    bot.state().ok_or_else(|| RepoError::Corrupt {
        what: "bot state",
        message: format!("bot {} has unknown state {:?}", bot.id, bot.state),
    })
}

/// The bots of a meeting, oldest first.
pub async fn list_for_meeting(
    db: &impl ConnectionTrait,
    meeting_id: Uuid,
) -> Result<Vec<bots::Model>> {
    Ok(bots::Entity::find()
        .filter(bots::Column::MeetingId.eq(meeting_id))
        .order_by_asc(bots::Column::CreatedAt)
        .order_by_asc(bots::Column::Id)
        .all(db)
        .await?)
}

/// Bots in `state` whose start time is at or before `before`, earliest first
/// (the launcher asks for `scheduled` bots that are due).
pub async fn list_in_state(
    db: &impl ConnectionTrait,
    state: BotState,
    before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<bots::Model>> {
    Ok(bots::Entity::find()
        .filter(bots::Column::State.eq(state.as_str()))
        .filter(bots::Column::ScheduledStartAt.lte(micros(before)))
        .order_by_asc(bots::Column::ScheduledStartAt)
        .order_by_asc(bots::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Adds a requester to a bot (idempotent).
pub async fn add_requester(db: &impl ConnectionTrait, bot_id: Uuid, user_id: Uuid) -> Result<()> {
    bot_requesters::Entity::insert(bot_requesters::ActiveModel {
        bot_id: Set(bot_id),
        user_id: Set(user_id),
    })
    .on_conflict(
        OnConflict::columns([
            bot_requesters::Column::BotId,
            bot_requesters::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The users who asked for a bot.
pub async fn requesters(db: &impl ConnectionTrait, bot_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(bot_requesters::Entity::find()
        .filter(bot_requesters::Column::BotId.eq(bot_id))
        .order_by_asc(bot_requesters::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect())
}

/// Moves bot `bot_id` to `to`, checked by the state machine and stored with
/// the time, `reason` and `detail`. An illegal step changes nothing and
/// returns [`RepoError::IllegalTransition`]; losing a race to another writer
/// returns [`RepoError::Conflict`].
pub async fn transition<C>(
    db: &C,
    bot_id: Uuid,
    to: BotState,
    reason: Option<EndReason>,
    detail: Option<&str>,
) -> Result<Transition>
where
    C: ConnectionTrait + TransactionTrait,
{
    let bot = get(db, bot_id).await?;
    apply(db, &bot, to, reason, detail).await
}

/// Like [`transition`], but only if the bot is still at `expected_version`
/// (the version the caller read); otherwise [`RepoError::Conflict`].
pub async fn transition_at_version<C>(
    db: &C,
    bot_id: Uuid,
    expected_version: i32,
    to: BotState,
    reason: Option<EndReason>,
    detail: Option<&str>,
) -> Result<Transition>
where
    C: ConnectionTrait + TransactionTrait,
{
    let bot = get(db, bot_id).await?;
    if bot.version != expected_version {
        return Err(stale(bot_id, expected_version));
    }
    apply(db, &bot, to, reason, detail).await
}

fn stale(bot_id: Uuid, version: i32) -> RepoError {
    RepoError::Conflict(format!(
        "bot {bot_id} changed since version {version} was read"
    ))
}

/// Checks and writes one transition from the state `bot` was read in.
async fn apply<C>(
    db: &C,
    bot: &bots::Model,
    to: BotState,
    reason: Option<EndReason>,
    detail: Option<&str>,
) -> Result<Transition>
where
    C: ConnectionTrait + TransactionTrait,
{
    let from = state_of(bot)?;
    let step = from.transition(to, reason)?;
    let at = now();
    // The first statement writes, so SQLite takes its write lock (waiting out
    // the busy timeout) instead of failing to upgrade a read snapshot.
    let txn = db.begin().await?;
    // `end_reason` and `detail` describe the latest step: a relaunch after a
    // crash clears the `crashed` of the step before.
    let res = bots::Entity::update_many()
        .col_expr(bots::Column::State, Expr::value(to.as_str()))
        .col_expr(
            bots::Column::Version,
            Expr::col(bots::Column::Version).add(1),
        )
        .col_expr(bots::Column::UpdatedAt, Expr::value(at))
        .col_expr(
            bots::Column::EndReason,
            Expr::value(reason.map(|r| r.as_str().to_owned())),
        )
        .col_expr(bots::Column::Detail, Expr::value(detail.map(str::to_owned)))
        .filter(bots::Column::Id.eq(bot.id))
        .filter(bots::Column::Version.eq(bot.version))
        .exec(&txn)
        .await?;
    if res.rows_affected == 0 {
        txn.rollback().await?;
        return Err(stale(bot.id, bot.version));
    }
    bot_transitions::ActiveModel {
        id: Set(new_id()),
        bot_id: Set(bot.id),
        from_state: Set(from.as_str().to_owned()),
        to_state: Set(to.as_str().to_owned()),
        reason: Set(reason.map(|r| r.as_str().to_owned())),
        detail: Set(detail.map(str::to_owned)),
        at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(step)
}

/// Every stored transition of a bot, in the order they happened.
pub async fn history(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
) -> Result<Vec<bot_transitions::Model>> {
    Ok(bot_transitions::Entity::find()
        .filter(bot_transitions::Column::BotId.eq(bot_id))
        .order_by_asc(bot_transitions::Column::At)
        .order_by_asc(bot_transitions::Column::Id)
        .all(db)
        .await?)
}
