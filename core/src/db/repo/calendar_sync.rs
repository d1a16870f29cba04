//! Calendar sync state: pending OAuth authorizations, the calendars of a
//! connection with their cursors and push channels, sync health, and what a
//! disconnect takes away.

use super::{micros, new_id, now, RepoError, Result};
use crate::crypto::TokenCipher;
use crate::db::entities::calendar_connections::{self, ConnectionStatus};
use crate::db::entities::{
    bot_requesters, bots, calendar_events, calendar_sources, calendar_sync_status, meetings,
    oauth_states, users,
};
use crate::domain::{BotState, EndReason};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use std::collections::HashSet;
use uuid::Uuid;

/// An OAuth authorization taken back at the callback.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingAuthorization {
    /// The user who started it.
    pub user_id: Uuid,
    /// `google` or `microsoft`.
    pub provider: String,
    /// The PKCE code verifier.
    pub pkce_verifier: String,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("user_id", &self.user_id)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// Remembers an authorization started by `user_id` under `state` until `expires_at`.
pub async fn save_oauth_state(
    db: &impl ConnectionTrait,
    cipher: &TokenCipher,
    state: &str,
    user_id: Uuid,
    provider: &str,
    pkce_verifier: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    oauth_states::ActiveModel {
        state: Set(state.to_owned()),
        user_id: Set(user_id),
        provider: Set(provider.to_owned()),
        pkce_verifier_enc: Set(cipher.encrypt_str(pkce_verifier)),
        expires_at: Set(micros(expires_at)),
        created_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Takes (deletes and returns) the authorization under `state`; `None` when
/// unknown, already used, or expired. A state works once.
pub async fn take_oauth_state(
    db: &impl ConnectionTrait,
    cipher: &TokenCipher,
    state: &str,
) -> Result<Option<PendingAuthorization>> {
    let Some(row) = oauth_states::Entity::find_by_id(state.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let deleted = oauth_states::Entity::delete_many()
        .filter(oauth_states::Column::State.eq(state))
        .exec(db)
        .await?;
    // Someone else took it between the read and the delete.
    if deleted.rows_affected == 0 || row.expires_at < now() {
        return Ok(None);
    }
    Ok(Some(PendingAuthorization {
        user_id: row.user_id,
        provider: row.provider,
        pkce_verifier: cipher.decrypt_str(&row.pkce_verifier_enc)?,
    }))
}

/// Deletes authorizations that expired before `before`.
pub async fn purge_oauth_states(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(oauth_states::Entity::delete_many()
        .filter(oauth_states::Column::ExpiresAt.lt(micros(before)))
        .exec(db)
        .await?
        .rows_affected)
}

/// Records calendar `calendar_id` of a connection (keeping its cursor when known).
pub async fn upsert_source(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
    calendar_id: &str,
    name: &str,
) -> Result<calendar_sources::Model> {
    use calendar_sources::Column as C;
    let t = now();
    calendar_sources::Entity::insert(calendar_sources::ActiveModel {
        id: Set(new_id()),
        connection_id: Set(connection_id),
        calendar_id: Set(calendar_id.to_owned()),
        name: Set(name.to_owned()),
        cursor: Set(None),
        window_start: Set(None),
        window_end: Set(None),
        channel_id: Set(None),
        channel_resource_id: Set(None),
        channel_expires_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict(
        OnConflict::columns([C::ConnectionId, C::CalendarId])
            .update_column(C::Name)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    calendar_sources::Entity::find()
        .filter(C::ConnectionId.eq(connection_id))
        .filter(C::CalendarId.eq(calendar_id))
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("calendar source", calendar_id))
}

/// The calendars of a connection.
pub async fn list_sources(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
) -> Result<Vec<calendar_sources::Model>> {
    Ok(calendar_sources::Entity::find()
        .filter(calendar_sources::Column::ConnectionId.eq(connection_id))
        .order_by_asc(calendar_sources::Column::CalendarId)
        .all(db)
        .await?)
}

/// Stores a calendar's sync cursor and the window its events were expanded
/// over; `None` forgets the cursor (the next sync is a full one).
pub async fn set_source_cursor(
    db: &impl ConnectionTrait,
    source_id: Uuid,
    cursor: Option<&str>,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<()> {
    use calendar_sources::Column as C;
    let mut q = calendar_sources::Entity::update_many()
        .col_expr(C::Cursor, Expr::value(cursor.map(str::to_owned)))
        .col_expr(C::UpdatedAt, Expr::value(now()));
    if let Some((start, end)) = window {
        q = q
            .col_expr(C::WindowStart, Expr::value(Some(micros(start))))
            .col_expr(C::WindowEnd, Expr::value(Some(micros(end))));
    }
    let res = q.filter(C::Id.eq(source_id)).exec(db).await?;
    if res.rows_affected == 0 {
        return Err(RepoError::not_found("calendar source", source_id));
    }
    Ok(())
}

/// Stores (or with `None`, clears) a calendar's push channel.
pub async fn set_source_channel(
    db: &impl ConnectionTrait,
    source_id: Uuid,
    channel: Option<(&str, Option<&str>, DateTime<Utc>)>,
) -> Result<()> {
    use calendar_sources::Column as C;
    let (id, resource, expires) = match channel {
        Some((id, resource, expires)) => (
            Some(id.to_owned()),
            resource.map(str::to_owned),
            Some(micros(expires)),
        ),
        None => (None, None, None),
    };
    let res = calendar_sources::Entity::update_many()
        .col_expr(C::ChannelId, Expr::value(id))
        .col_expr(C::ChannelResourceId, Expr::value(resource))
        .col_expr(C::ChannelExpiresAt, Expr::value(expires))
        .col_expr(C::UpdatedAt, Expr::value(now()))
        .filter(C::Id.eq(source_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(RepoError::not_found("calendar source", source_id));
    }
    Ok(())
}

/// The calendar whose push channel (or Graph subscription) is `channel_id`.
pub async fn source_by_channel(
    db: &impl ConnectionTrait,
    channel_id: &str,
) -> Result<Option<calendar_sources::Model>> {
    Ok(calendar_sources::Entity::find()
        .filter(calendar_sources::Column::ChannelId.eq(channel_id))
        .one(db)
        .await?)
}

/// Every sync status, for the scheduler to pick due connections.
pub async fn list_sync_status(
    db: &impl ConnectionTrait,
) -> Result<Vec<calendar_sync_status::Model>> {
    Ok(calendar_sync_status::Entity::find().all(db).await?)
}

/// The sync status of a connection, if it was ever synced.
pub async fn sync_status(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
) -> Result<Option<calendar_sync_status::Model>> {
    Ok(calendar_sync_status::Entity::find_by_id(connection_id)
        .one(db)
        .await?)
}

/// Records a successful sync.
pub async fn record_sync_success(db: &impl ConnectionTrait, connection_id: Uuid) -> Result<()> {
    let t = now();
    write_status(
        db,
        calendar_sync_status::Model {
            connection_id,
            last_attempt_at: Some(t),
            last_success_at: Some(t),
            last_error: None,
            not_before: None,
            consecutive_failures: 0,
        },
    )
    .await
}

/// Records a failed sync; no sync is attempted before `not_before`.
pub async fn record_sync_failure(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
    error: &str,
    not_before: Option<DateTime<Utc>>,
) -> Result<()> {
    let previous = sync_status(db, connection_id).await?;
    write_status(
        db,
        calendar_sync_status::Model {
            connection_id,
            last_attempt_at: Some(now()),
            last_success_at: previous.as_ref().and_then(|p| p.last_success_at),
            last_error: Some(error.to_owned()),
            not_before: not_before.map(micros),
            consecutive_failures: previous.map_or(0, |p| p.consecutive_failures) + 1,
        },
    )
    .await
}

async fn write_status(db: &impl ConnectionTrait, m: calendar_sync_status::Model) -> Result<()> {
    use calendar_sync_status::Column as C;
    calendar_sync_status::Entity::insert(calendar_sync_status::ActiveModel {
        connection_id: Set(m.connection_id),
        last_attempt_at: Set(m.last_attempt_at),
        last_success_at: Set(m.last_success_at),
        last_error: Set(m.last_error),
        not_before: Set(m.not_before),
        consecutive_failures: Set(m.consecutive_failures),
    })
    .on_conflict(
        OnConflict::column(C::ConnectionId)
            .update_columns([
                C::LastAttemptAt,
                C::LastSuccessAt,
                C::LastError,
                C::NotBefore,
                C::ConsecutiveFailures,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Marks `cancelled` every event of a connection whose provider id starts
/// with `id_prefix`, ends after `from`, and is not in `seen` (a full resync
/// did not return it, so it was deleted). Returns how many changed.
pub async fn cancel_unseen_events(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
    id_prefix: &str,
    from: DateTime<Utc>,
    seen: &HashSet<String>,
) -> Result<u64> {
    use calendar_events::Column as C;
    let rows = calendar_events::Entity::find()
        .filter(C::ConnectionId.eq(connection_id))
        .filter(C::EndsAt.gt(micros(from)))
        .filter(C::Status.ne("cancelled"))
        .all(db)
        .await?;
    let mut changed = 0;
    for row in rows {
        if row.provider_event_id.starts_with(id_prefix) && !seen.contains(&row.provider_event_id) {
            calendar_events::Entity::update_many()
                .col_expr(C::Status, Expr::value("cancelled"))
                .col_expr(C::UpdatedAt, Expr::value(now()))
                .filter(C::Id.eq(row.id))
                .exec(db)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Disconnects a calendar: the user stops requesting the future bots of its
/// events (a bot nobody requests any more is cancelled), and the connection
/// with its tokens, events and sync state is deleted. Returns the bots cancelled.
pub async fn disconnect<C>(db: &C, connection_id: Uuid) -> Result<Vec<Uuid>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let connection = calendar_connections::Entity::find_by_id(connection_id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("calendar connection", connection_id))?;
    let user = users::Entity::find_by_id(connection.user_id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("user", connection.user_id))?;
    let t = now();
    let events = calendar_events::Entity::find()
        .filter(calendar_events::Column::ConnectionId.eq(connection_id))
        .filter(calendar_events::Column::StartsAt.gte(t))
        .filter(calendar_events::Column::MeetingUrl.is_not_null())
        .all(db)
        .await?;
    let mut cancelled = Vec::new();
    for ev in events {
        let Some(url) = ev.meeting_url.as_deref() else {
            continue;
        };
        let Some(meeting) = meetings::Entity::find()
            .filter(meetings::Column::TenantId.eq(user.tenant_id))
            .filter(meetings::Column::MeetingUrl.eq(url))
            .filter(meetings::Column::StartsAt.eq(ev.starts_at))
            .one(db)
            .await?
        else {
            continue;
        };
        let scheduled = bots::Entity::find()
            .filter(bots::Column::MeetingId.eq(meeting.id))
            .filter(bots::Column::State.eq(BotState::Scheduled.as_str()))
            .all(db)
            .await?;
        for bot in scheduled {
            let removed = bot_requesters::Entity::delete_many()
                .filter(bot_requesters::Column::BotId.eq(bot.id))
                .filter(bot_requesters::Column::UserId.eq(user.id))
                .exec(db)
                .await?;
            if removed.rows_affected == 0 {
                continue;
            }
            let left = super::bots::requesters(db, bot.id).await?;
            if left.is_empty() {
                match super::bots::transition(
                    db,
                    bot.id,
                    BotState::Cancelled,
                    Some(EndReason::Cancelled),
                    Some("calendar disconnected"),
                )
                .await
                {
                    Ok(_) => cancelled.push(bot.id),
                    // It launched meanwhile: a bot already on its way stays.
                    Err(RepoError::IllegalTransition(_) | RepoError::Conflict(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
    calendar_connections::Entity::delete_by_id(connection_id)
        .exec(db)
        .await?;
    Ok(cancelled)
}

/// Active connections whose sync is due at `at` (no `Retry-After` or back-off pending).
pub async fn list_due(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
) -> Result<Vec<calendar_connections::Model>> {
    let waiting: HashSet<Uuid> = calendar_sync_status::Entity::find()
        .filter(calendar_sync_status::Column::NotBefore.gt(micros(at)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.connection_id)
        .collect();
    Ok(calendar_connections::Entity::find()
        .filter(calendar_connections::Column::Status.eq(ConnectionStatus::Active))
        .order_by_asc(calendar_connections::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|c| !waiting.contains(&c.id))
        .collect())
}
