//! `GET /v1/calendars/{provider}/callback?code=…&state=…`: finishes the
//! authorization. The state must be one this server issued, unused and
//! unexpired, and the same as the browser's cookie; the code is exchanged
//! with the stored PKCE verifier, the tokens are stored sealed, and the
//! browser goes to `calendars.after_connect_url` with `status=connected`
//! (or `status=error&error=…`). A first sync is requested at once.

use super::sync_request::request_sync;
use super::{provider, same_secret::same_secret, state_cookie};
use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::calendar::{self, NewConnection};
use mymeet_core::db::repo::calendar_sync::{self, PendingAuthorization};
use serde::Deserialize;
use uuid::Uuid;

/// What the provider sends the browser back with.
#[derive(Debug, Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Exchanges, stores, and redirects (303) to the app.
pub(crate) async fn finish(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let provider = provider::parse(&segment)?;
    let name = provider::name(provider);
    let returned = query
        .state
        .ok_or_else(|| ApiError::BadRequest("the state parameter is missing".into()))?;
    let remembered = state_cookie::read(&headers, name).unwrap_or_default();
    if !same_secret(&remembered, &returned) {
        return Err(ApiError::BadRequest(
            "this authorization was not started in this browser".into(),
        ));
    }
    let calendars = &state.calendars;
    let pending = calendar_sync::take_oauth_state(&state.db, &calendars.cipher, &returned)
        .await?
        .filter(|p| p.provider == name)
        .ok_or_else(|| {
            ApiError::BadRequest("the authorization is unknown, used or expired".into())
        })?;
    let outcome = match (query.error, query.code) {
        (Some(error), _) => Err(error),
        (None, None) => Err("missing_code".to_owned()),
        (None, Some(code)) => connect(&state, provider, &pending, &code).await,
    };
    let status = match &outcome {
        Ok(id) => vec![
            ("status", "connected".to_owned()),
            ("connection", id.to_string()),
        ],
        Err(error) => vec![("status", "error".to_owned()), ("error", error.clone())],
    };
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    params.append_pair("calendar", name);
    for (k, v) in &status {
        params.append_pair(k, v);
    }
    let base = &calendars.config.after_connect_url;
    let sep = if base.contains('?') { '&' } else { '?' };
    let location = format!("{base}{sep}{}", params.finish());
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (header::SET_COOKIE, state_cookie::clear(name)),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response())
}

/// Exchanges `code`, finds the account, stores the connection; the error is
/// a short code for the app (the detail goes to the log).
async fn connect(
    state: &AppState,
    provider: Provider,
    pending: &PendingAuthorization,
    code: &str,
) -> Result<Uuid, String> {
    let calendars = &state.calendars;
    let client = calendars
        .oauth(provider)
        .ok_or_else(|| "not_configured".to_owned())?;
    let grant = client
        .exchange(code, &pending.pkce_verifier)
        .await
        .map_err(|e| {
            tracing::warn!(user = %pending.user_id, error = %e, "OAuth code exchange failed");
            "exchange_failed".to_owned()
        })?;
    let email = match provider {
        Provider::Google => calendars
            .google
            .list_calendars(&grant.access_token)
            .await
            .map_err(|e| e.to_string())
            .and_then(|cals| {
                // The primary calendar's id is the account's address.
                cals.into_iter()
                    .find(|c| c.primary)
                    .map(|c| c.id)
                    .ok_or_else(|| "no primary calendar".to_owned())
            }),
        Provider::Microsoft => calendars
            .graph
            .account_email(&grant.access_token)
            .await
            .map_err(|e| e.to_string()),
    }
    .map_err(|e| {
        tracing::warn!(user = %pending.user_id, error = %e, "could not read the connected account");
        "account_lookup_failed".to_owned()
    })?;
    let conn = calendar::create_connection(
        &state.db,
        &calendars.cipher,
        NewConnection {
            user_id: pending.user_id,
            provider,
            account_email: &email,
            access_token: &grant.access_token,
            refresh_token: grant.refresh_token.as_deref(),
            token_expires_at: grant.expires_at,
            scopes: &grant.scopes,
        },
    )
    .await
    .map_err(|e| {
        tracing::error!(user = %pending.user_id, error = %e, "could not store the connection");
        "store_failed".to_owned()
    })?
    .model;
    tracing::info!(user = %pending.user_id, connection = %conn.id, provider = provider::name(provider), "calendar connected");
    if let Err(e) = request_sync(&state.bus, conn.id).await {
        // The next polling round syncs it anyway.
        tracing::warn!(connection = %conn.id, error = %e, "could not request the first sync");
    }
    Ok(conn.id)
}
