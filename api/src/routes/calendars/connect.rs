//! `GET /v1/calendars/{provider}/connect?token=USER_TOKEN`: starts the
//! authorization and sends the browser to the provider's consent page.
//!
//! The user is the one a user token names (see [`crate::user_token`]); the
//! `state` and the PKCE verifier are stored (the verifier sealed) for the
//! callback, and the state is also set as a cookie so that only this browser
//! can finish the authorization.

use super::{provider, state_cookie};
use crate::{user_token, ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use mymeet_core::db::repo::{calendar_sync, users};
use serde::Deserialize;

/// The query of the start route.
#[derive(Debug, Deserialize)]
pub(crate) struct ConnectQuery {
    token: Option<String>,
}

/// Redirects (302) to the provider with a fresh `state` and PKCE challenge.
pub(crate) async fn start(
    State(state): State<AppState>,
    Path(segment): Path<String>,
    Query(query): Query<ConnectQuery>,
) -> Result<Response, ApiError> {
    let provider = provider::parse(&segment)?;
    let name = provider::name(provider);
    let calendars = &state.calendars;
    let token = query
        .token
        .ok_or_else(|| ApiError::Unauthorized("a user token (?token=) is required".into()))?;
    let user_id = user_token::verify(&calendars.cipher, &token, Utc::now())
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    users::get(&state.db, user_id).await.map_err(|e| {
        if e.is_not_found() {
            ApiError::Unauthorized("the user token names no user".into())
        } else {
            e.into()
        }
    })?;
    let client = calendars
        .oauth(provider)
        .ok_or_else(|| ApiError::NotFound(format!("{name} calendars are not configured")))?;
    let started = client.start();
    let now = Utc::now();
    calendar_sync::save_oauth_state(
        &state.db,
        &calendars.cipher,
        &started.state,
        user_id,
        name,
        &started.pkce_verifier,
        now + Duration::seconds(state_cookie::MAX_AGE_SECS),
    )
    .await?;
    // Abandoned authorizations go away with the next one.
    if let Err(e) = calendar_sync::purge_oauth_states(&state.db, now).await {
        tracing::warn!(error = %e, "could not purge expired OAuth states");
    }
    let secure = calendars.config.public_url.starts_with("https://");
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, started.url),
            (
                header::SET_COOKIE,
                state_cookie::set(name, &started.state, secure),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response())
}
