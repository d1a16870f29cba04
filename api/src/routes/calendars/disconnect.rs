//! `DELETE /v1/calendars/connections/{id}` with `Authorization: Bearer
//! USER_TOKEN`: disconnects a calendar of the caller. Push channels are
//! stopped and the grant revoked at the provider (best effort: a provider
//! that is down does not keep the user connected), then the tokens, events
//! and sync state are deleted and the future bots only this calendar asked
//! for are cancelled.

use super::provider;
use crate::calendar_providers::CalendarProviders;
use crate::{user_token, ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use chrono::Utc;
use mymeet_core::db::entities::calendar_connections::{self, Provider};
use mymeet_core::db::repo::calendar::{self, Tokens};
use mymeet_core::db::repo::calendar_sync;
use serde_json::{json, Value};
use uuid::Uuid;

/// Disconnects; answers `{id, revoked, cancelled_bots}`.
pub(crate) async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let calendars = &state.calendars;
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::Unauthorized("Authorization: Bearer USER_TOKEN is required".into())
        })?;
    let user_id = user_token::verify(&calendars.cipher, bearer, Utc::now())
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    let not_found = || ApiError::NotFound(format!("calendar connection {id}"));
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let conn = match calendar::get_connection(&state.db, id).await {
        Ok(c) if c.user_id == user_id => c,
        // Someone else's connection does not exist for this caller.
        Ok(_) => return Err(not_found()),
        Err(e) if e.is_not_found() => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let revoked = match calendar::tokens(&state.db, &calendars.cipher, id).await {
        Ok(tokens) => {
            stop_push(&state, calendars, &conn, &tokens).await;
            revoke(calendars, &conn, &tokens).await
        }
        Err(e) => {
            tracing::warn!(connection = %id, error = %e, "cannot open the stored tokens; nothing to revoke");
            false
        }
    };
    let cancelled = calendar_sync::disconnect(&state.db, id).await?;
    tracing::info!(connection = %id, revoked, cancelled = cancelled.len(), "calendar disconnected");
    Ok(Json(json!({
        "id": id,
        "revoked": revoked,
        "cancelled_bots": cancelled,
    })))
}

/// Stops the connection's watch channels / Graph subscriptions, so that the
/// provider stops calling us for it.
async fn stop_push(
    state: &AppState,
    calendars: &CalendarProviders,
    conn: &calendar_connections::Model,
    tokens: &Tokens,
) {
    let sources = match calendar_sync::list_sources(&state.db, conn.id).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(connection = %conn.id, error = %e, "cannot list the calendars to stop their push channels");
            return;
        }
    };
    for source in sources {
        let Some(channel) = source.channel_id.as_deref() else {
            continue;
        };
        let stopped = match conn.provider {
            Provider::Google => calendars
                .google
                .stop_channel(
                    &tokens.access_token,
                    channel,
                    source.channel_resource_id.as_deref().unwrap_or_default(),
                )
                .await
                .map_err(|e| e.to_string()),
            Provider::Microsoft => calendars
                .graph
                .unsubscribe(&tokens.access_token, channel)
                .await
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = stopped {
            // It lapses on its own; notifications for it are then refused.
            tracing::info!(connection = %conn.id, error = %e, "could not stop a push channel");
        }
    }
}

/// Revokes the grant: true when the provider confirmed it. Microsoft has no
/// endpoint to revoke one app's grant; deleting the tokens is what remains.
async fn revoke(
    calendars: &CalendarProviders,
    conn: &calendar_connections::Model,
    tokens: &Tokens,
) -> bool {
    let Some(client) = calendars.oauth(conn.provider) else {
        return false;
    };
    // Revoking the refresh token ends the whole grant at Google.
    let token = tokens
        .refresh_token
        .as_deref()
        .unwrap_or(&tokens.access_token);
    match client.revoke(token).await {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(connection = %conn.id, provider = provider::name(conn.provider), error = %e, "revocation failed");
            false
        }
    }
}
