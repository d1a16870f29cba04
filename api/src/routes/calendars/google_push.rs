//! `POST /v1/calendars/google/notifications`: Google's push notifications
//! for the watch channels the scheduler opened.
//!
//! The channel must be one we opened (`X-Goog-Channel-ID`) and carry its
//! token (`X-Goog-Channel-Token`, the id of the watched calendar source,
//! which never leaves the server). The `sync` message that opens a channel
//! changes nothing; any other state asks the scheduler to sync.

use super::same_secret::same_secret;
use super::sync_request::request_sync;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use mymeet_core::db::repo::calendar_sync;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// 200 once the sync is requested (Google retries on 5xx only).
pub(crate) async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let channel = header(&headers, "x-goog-channel-id")
        .ok_or_else(|| ApiError::BadRequest("X-Goog-Channel-ID is missing".into()))?;
    let source = calendar_sync::source_by_channel(&state.db, channel)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no watch channel {channel}")))?;
    let token = header(&headers, "x-goog-channel-token").unwrap_or_default();
    if !same_secret(token, &source.id.to_string()) {
        tracing::warn!(channel, "push notification with a wrong channel token");
        return Err(ApiError::Forbidden("wrong channel token".into()));
    }
    if header(&headers, "x-goog-resource-state") == Some("sync") {
        return Ok(StatusCode::OK);
    }
    request_sync(&state.bus, source.connection_id).await?;
    Ok(StatusCode::OK)
}
