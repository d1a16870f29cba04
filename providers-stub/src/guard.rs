//! What every API request goes through: the bearer token, queued faults, the log.

use crate::faults::Fault;
use crate::oauth::lock;
use crate::state::StubState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Shared = Arc<Mutex<StubState>>;

/// The account of the request, or the error answer (401, a queued fault).
/// `unauthorized` and `throttled` build the provider's error bodies.
pub(crate) async fn check(
    s: &Shared,
    headers: &HeaderMap,
    line: &str,
    unauthorized: fn() -> Value,
    throttled: fn(u16) -> Value,
) -> Result<String, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    let (account, fault) = {
        let mut st = lock(s);
        let Some(account) = st.account_of(&token) else {
            st.record("", line.to_owned(), 401);
            return Err((StatusCode::UNAUTHORIZED, Json(unauthorized())).into_response());
        };
        let fault = st.take_fault(&account);
        (account, fault)
    };
    let (status, secs) = match fault {
        None => return Ok(account),
        Some(Fault::Stall { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            return Ok(account);
        }
        Some(Fault::TooManyRequests { retry_after_secs }) => (429u16, retry_after_secs),
        Some(Fault::Unavailable { retry_after_secs }) => (503u16, retry_after_secs),
    };
    lock(s).record(&account, line.to_owned(), status);
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
    Err((
        code,
        [(header::RETRY_AFTER, secs.to_string())],
        Json(throttled(status)),
    )
        .into_response())
}
