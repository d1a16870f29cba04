//! `POST /v1/calendars/microsoft/notifications`: Microsoft Graph change
//! notifications for the subscriptions the scheduler created.
//!
//! Creating or renewing a subscription makes Graph call this URL with a
//! `validationToken` query parameter, which must come back within 10
//! seconds as `text/plain`. Otherwise the body is a batch of notifications;
//! each must name a subscription we hold and bring its `clientState` (the
//! calendar source's id, which the scheduler gave when subscribing and which
//! never leaves the server), else it is ignored, as Graph's documentation
//! asks. Each connection named is synced once.

use super::same_secret::same_secret;
use super::sync_request::request_sync;
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use mymeet_core::db::repo::calendar_sync;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The query: set only on the validation handshake.
#[derive(Debug, Deserialize)]
pub(crate) struct HandshakeQuery {
    #[serde(rename = "validationToken")]
    validation_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Batch {
    value: Vec<Notification>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    subscription_id: String,
    client_state: Option<String>,
}

/// Echoes the handshake (200 text/plain), or takes a batch (202).
pub(crate) async fn receive(
    State(state): State<AppState>,
    Query(query): Query<HandshakeQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if let Some(token) = query.validation_token {
        return Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            token,
        )
            .into_response());
    }
    let batch: Batch = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("not a Graph notification batch: {e}")))?;
    let mut connections = BTreeSet::new();
    for n in batch.value {
        let Some(source) = calendar_sync::source_by_channel(&state.db, &n.subscription_id).await?
        else {
            tracing::info!(subscription = %n.subscription_id, "notification for an unknown subscription");
            continue;
        };
        let expected = source.id.to_string();
        if !same_secret(n.client_state.as_deref().unwrap_or_default(), &expected) {
            tracing::warn!(subscription = %n.subscription_id, "notification with a wrong clientState");
            continue;
        }
        connections.insert(source.connection_id);
    }
    for id in connections {
        request_sync(&state.bus, id).await?;
    }
    Ok(StatusCode::ACCEPTED.into_response())
}
