//! Calendar connections (OAuth tokens sealed at rest) and their synced events.

use super::{micros, new_id, now, Claimed, RepoError, Result};
use crate::crypto::TokenCipher;
use crate::db::entities::calendar_connections::{self, ConnectionStatus, Provider};
use crate::db::entities::calendar_events;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// A calendar account to connect.
#[derive(Clone)]
pub struct NewConnection<'a> {
    /// The user connecting it.
    pub user_id: Uuid,
    /// Google or Microsoft.
    pub provider: Provider,
    /// The calendar account's email address.
    pub account_email: &'a str,
    /// The OAuth access token.
    pub access_token: &'a str,
    /// The OAuth refresh token, when the provider gave one.
    pub refresh_token: Option<&'a str>,
    /// When the access token expires.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Granted scopes, space-separated.
    pub scopes: &'a str,
}

impl std::fmt::Debug for NewConnection<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewConnection")
            .field("user_id", &self.user_id)
            .field("provider", &self.provider)
            .field("account_email", &self.account_email)
            .field("token_expires_at", &self.token_expires_at)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The opened OAuth tokens of a connection. `Debug` does not print them.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, if stored.
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Connects a calendar account, sealing its tokens with `cipher`. Connecting
/// an account the user already connected replaces its tokens and makes it
/// active again (keeping the old refresh token when no new one is given).
pub async fn create_connection(
    db: &impl ConnectionTrait,
    cipher: &TokenCipher,
    new: NewConnection<'_>,
) -> Result<Claimed<calendar_connections::Model>> {
    let email = new.account_email.trim().to_lowercase();
    let t = now();
    let access = cipher.encrypt_str(new.access_token);
    let refresh = new.refresh_token.map(|r| cipher.encrypt_str(r));
    let inserted = calendar_connections::Entity::insert(calendar_connections::ActiveModel {
        id: Set(new_id()),
        user_id: Set(new.user_id),
        provider: Set(new.provider),
        account_email: Set(email.clone()),
        status: Set(ConnectionStatus::Active),
        access_token_enc: Set(access.clone()),
        refresh_token_enc: Set(refresh.clone()),
        token_expires_at: Set(new.token_expires_at.map(micros)),
        scopes: Set(new.scopes.to_owned()),
        sync_token: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    })
    .on_conflict(
        OnConflict::columns([
            calendar_connections::Column::UserId,
            calendar_connections::Column::Provider,
            calendar_connections::Column::AccountEmail,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let existing = calendar_connections::Entity::find()
        .filter(calendar_connections::Column::UserId.eq(new.user_id))
        .filter(calendar_connections::Column::Provider.eq(new.provider))
        .filter(calendar_connections::Column::AccountEmail.eq(email.clone()))
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("calendar connection", &email))?;
    if inserted == 1 {
        return Ok(Claimed {
            model: existing,
            created: true,
        });
    }
    let mut am: calendar_connections::ActiveModel = existing.into();
    am.status = Set(ConnectionStatus::Active);
    am.access_token_enc = Set(access);
    if refresh.is_some() {
        am.refresh_token_enc = Set(refresh);
    }
    am.token_expires_at = Set(new.token_expires_at.map(micros));
    am.scopes = Set(new.scopes.to_owned());
    am.updated_at = Set(t);
    Ok(Claimed {
        model: am.update(db).await?,
        created: false,
    })
}

/// The connection `id`.
pub async fn get_connection(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<calendar_connections::Model> {
    calendar_connections::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("calendar connection", id))
}

/// The opened tokens of connection `id`; a tampered value is a [`RepoError::Crypto`].
pub async fn tokens(db: &impl ConnectionTrait, cipher: &TokenCipher, id: Uuid) -> Result<Tokens> {
    let c = get_connection(db, id).await?;
    Ok(Tokens {
        access_token: cipher.decrypt_str(&c.access_token_enc)?,
        refresh_token: c
            .refresh_token_enc
            .as_deref()
            .map(|r| cipher.decrypt_str(r))
            .transpose()?,
        expires_at: c.token_expires_at,
    })
}

/// Stores refreshed tokens (the refresh token only when a new one was issued).
pub async fn update_tokens(
    db: &impl ConnectionTrait,
    cipher: &TokenCipher,
    id: Uuid,
    access_token: &str,
    refresh_token: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<calendar_connections::Model> {
    let mut am: calendar_connections::ActiveModel = get_connection(db, id).await?.into();
    am.access_token_enc = Set(cipher.encrypt_str(access_token));
    if let Some(r) = refresh_token {
        am.refresh_token_enc = Set(Some(cipher.encrypt_str(r)));
    }
    am.token_expires_at = Set(expires_at.map(micros));
    am.updated_at = Set(now());
    Ok(am.update(db).await?)
}

/// Sets the status of connection `id`.
pub async fn set_status(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: ConnectionStatus,
) -> Result<calendar_connections::Model> {
    let res = calendar_connections::Entity::update_many()
        .col_expr(calendar_connections::Column::Status, Expr::value(status))
        .col_expr(calendar_connections::Column::UpdatedAt, Expr::value(now()))
        .filter(calendar_connections::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(RepoError::not_found("calendar connection", id));
    }
    get_connection(db, id).await
}

/// Marks connection `id` as needing the user to sign in again (the provider
/// rejected its refresh token); sync skips it until then.
pub async fn mark_needs_reauth(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<calendar_connections::Model> {
    set_status(db, id, ConnectionStatus::NeedsReauth).await
}

/// Stores the provider's incremental sync cursor.
pub async fn set_sync_token(
    db: &impl ConnectionTrait,
    id: Uuid,
    sync_token: Option<&str>,
) -> Result<()> {
    let res = calendar_connections::Entity::update_many()
        .col_expr(
            calendar_connections::Column::SyncToken,
            Expr::value(sync_token.map(str::to_owned)),
        )
        .col_expr(calendar_connections::Column::UpdatedAt, Expr::value(now()))
        .filter(calendar_connections::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(RepoError::not_found("calendar connection", id));
    }
    Ok(())
}

/// The connections of a user.
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<calendar_connections::Model>> {
    Ok(calendar_connections::Entity::find()
        .filter(calendar_connections::Column::UserId.eq(user_id))
        .order_by_asc(calendar_connections::Column::CreatedAt)
        .order_by_asc(calendar_connections::Column::Id)
        .all(db)
        .await?)
}

/// Every active connection (what the sync loop visits).
pub async fn list_active(db: &impl ConnectionTrait) -> Result<Vec<calendar_connections::Model>> {
    Ok(calendar_connections::Entity::find()
        .filter(calendar_connections::Column::Status.eq(ConnectionStatus::Active))
        .order_by_asc(calendar_connections::Column::Id)
        .all(db)
        .await?)
}

/// A calendar event as synced from the provider.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The connection it came from.
    pub connection_id: Uuid,
    /// The provider's id of the event.
    pub provider_event_id: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// The conference link found in it.
    pub meeting_url: Option<&'a str>,
    /// The organizer's email address.
    pub organizer_email: Option<&'a str>,
    /// Attendees as JSON.
    pub attendees: serde_json::Value,
    /// The provider's status.
    pub status: &'a str,
    /// The provider's JSON.
    pub raw: serde_json::Value,
}

/// Inserts or updates an event by (connection, provider event id).
pub async fn upsert_event(
    db: &impl ConnectionTrait,
    ev: NewEvent<'_>,
) -> Result<calendar_events::Model> {
    use calendar_events::Column as C;
    calendar_events::Entity::insert(calendar_events::ActiveModel {
        id: Set(new_id()),
        connection_id: Set(ev.connection_id),
        provider_event_id: Set(ev.provider_event_id.to_owned()),
        title: Set(ev.title.to_owned()),
        starts_at: Set(micros(ev.starts_at)),
        ends_at: Set(micros(ev.ends_at)),
        meeting_url: Set(ev.meeting_url.map(str::to_owned)),
        organizer_email: Set(ev.organizer_email.map(str::to_owned)),
        attendees: Set(ev.attendees),
        status: Set(ev.status.to_owned()),
        raw: Set(ev.raw),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([C::ConnectionId, C::ProviderEventId])
            .update_columns([
                C::Title,
                C::StartsAt,
                C::EndsAt,
                C::MeetingUrl,
                C::OrganizerEmail,
                C::Attendees,
                C::Status,
                C::Raw,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    get_event(db, ev.connection_id, ev.provider_event_id)
        .await?
        .ok_or_else(|| RepoError::not_found("calendar event", ev.provider_event_id))
}

/// The event with `provider_event_id` of a connection, if synced.
pub async fn get_event(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
    provider_event_id: &str,
) -> Result<Option<calendar_events::Model>> {
    Ok(calendar_events::Entity::find()
        .filter(calendar_events::Column::ConnectionId.eq(connection_id))
        .filter(calendar_events::Column::ProviderEventId.eq(provider_event_id))
        .one(db)
        .await?)
}

/// The events with these ids, by start; ids not found are left out.
pub async fn get_events(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<calendar_events::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(calendar_events::Entity::find()
        .filter(calendar_events::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(calendar_events::Column::StartsAt)
        .order_by_asc(calendar_events::Column::Id)
        .all(db)
        .await?)
}

/// The events of a connection starting in `[from, to)`, by start.
pub async fn list_events(
    db: &impl ConnectionTrait,
    connection_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<calendar_events::Model>> {
    Ok(calendar_events::Entity::find()
        .filter(calendar_events::Column::ConnectionId.eq(connection_id))
        .filter(calendar_events::Column::StartsAt.gte(micros(from)))
        .filter(calendar_events::Column::StartsAt.lt(micros(to)))
        .order_by_asc(calendar_events::Column::StartsAt)
        .order_by_asc(calendar_events::Column::Id)
        .all(db)
        .await?)
}
