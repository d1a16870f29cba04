//! Graph v1.0: `GET /me`, `GET /me/calendarView/delta` (window on the first
//! round, `$skiptoken` pages, `$deltatoken` rounds, `@removed` entries,
//! `410` for an unknown sync state) and change-notification subscriptions
//! with the validation handshake.

use crate::guard::check;
use crate::oauth::lock;
use crate::state::{GraphSubscription, StubState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Value};
use sha2::Digest;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Shared = Arc<Mutex<StubState>>;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1.0/me", get(me))
        .route("/v1.0/me/calendarView/delta", get(delta))
        .route("/v1.0/me/calendarView/delta()", get(delta))
        .route("/v1.0/subscriptions", post(subscribe))
        .route("/v1.0/subscriptions/{id}", patch(renew).delete(unsubscribe))
}

fn graph_error(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(
            json!({"error": {"code": code, "message": message, "innerError": {
            "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": uuid::Uuid::new_v4(), "client-request-id": uuid::Uuid::new_v4()}}}),
        ),
    )
        .into_response()
}

fn unauthorized() -> Value {
    json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid."}})
}

fn throttled(status: u16) -> Value {
    if status == 429 {
        json!({"error": {"code": "TooManyRequests", "message": "Please retry after the time given in the Retry-After header."}})
    } else {
        json!({"error": {"code": "serviceNotAvailable", "message": "The service is temporarily unavailable."}})
    }
}

async fn me(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let line = "GET /v1.0/me".to_owned();
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    lock(&s).record(&account, line, 200);
    Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
        "id": format!("{:x}", sha2::Sha256::digest(account.as_bytes()))[..32].to_owned(),
        "displayName": account.split('@').next().unwrap_or_default(),
        "mail": account,
        "userPrincipalName": account,
    }))
    .into_response()
}

fn graph_time(v: &Value) -> Option<DateTime<Utc>> {
    let t = v["dateTime"].as_str()?;
    // Graph writes "2026-05-01T10:00:00.0000000" in the asked time zone (UTC here).
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

fn parse_time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| {
            NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// A token carrying a listing: "OFFSET~CURSOR~FROM~START~END" (FROM −1: first round).
fn token(offset: usize, cursor: u64, from: Option<u64>, start: i64, end: i64) -> String {
    format!(
        "{offset}~{cursor}~{}~{start}~{end}",
        from.map_or(-1, |f| f as i64)
    )
}

async fn delta(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let line = format!(
        "GET /v1.0/me/calendarView/delta {}",
        q.keys().cloned().collect::<Vec<_>>().join(",")
    );
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let store = st.calendar(&account, "").clone();
    let parsed = q
        .get("$skiptoken")
        .or_else(|| q.get("$deltatoken"))
        .map(|t| {
            let p: Vec<i64> = t.split('~').filter_map(|x| x.parse().ok()).collect();
            (p.len() == 5).then(|| (p[0] as usize, p[1] as u64, p[2], p[3], p[4]))
        });
    let (offset, cursor, from, start, end) = match parsed {
        Some(Some((o, c, f, st_, en))) => {
            if q.contains_key("$deltatoken") {
                // A new round: everything changed since the token's cursor.
                (0usize, store.seq(), Some(c), st_, en)
            } else {
                (o, c, (f >= 0).then_some(f as u64), st_, en)
            }
        }
        Some(None) => {
            st.record(&account, line, 410);
            return graph_error(
                410,
                "SyncStateNotFound",
                "The sync state generation is not found.",
            );
        }
        None => {
            let (Some(a), Some(b)) = (
                q.get("startDateTime").and_then(|t| parse_time(t)),
                q.get("endDateTime").and_then(|t| parse_time(t)),
            ) else {
                st.record(&account, line, 400);
                return graph_error(
                    400,
                    "ErrorInvalidParameter",
                    "startDateTime and endDateTime are required.",
                );
            };
            (0, store.seq(), None, a.timestamp(), b.timestamp())
        }
    };
    if from.is_some_and(|f| f < store.oldest_valid_cursor) {
        st.record(&account, line, 410);
        return graph_error(
            410,
            "SyncStateNotFound",
            "The sync state generation is not found.",
        );
    }
    let in_window = |e: &Value| {
        let (a, b) = (graph_time(&e["start"]), graph_time(&e["end"]));
        b.is_none_or(|b| b.timestamp() > start) && a.is_none_or(|a| a.timestamp() < end)
    };
    let items: Vec<Value> = match from {
        Some(n) => store
            .changed_since(n)
            .into_iter()
            .filter(|(e, deleted)| *deleted || in_window(e))
            .map(|(e, deleted)| {
                if deleted {
                    json!({"@odata.type": "#microsoft.graph.event", "id": e["id"], "@removed": {"reason": "deleted"}})
                } else {
                    e.clone()
                }
            })
            .collect(),
        None => store.live().into_iter().filter(|e| in_window(e)).cloned().collect(),
    };
    let page_size = headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split("odata.maxpagesize=")
                .nth(1)
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(st.page_size)
        .max(1);
    let page: Vec<Value> = items.iter().skip(offset).take(page_size).cloned().collect();
    let base = format!("{}/v1.0/me/calendarView/delta", st.base_url);
    let mut body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
        "value": page,
    });
    if offset + page_size < items.len() {
        body["@odata.nextLink"] = json!(format!(
            "{base}?$skiptoken={}",
            token(offset + page_size, cursor, from, start, end)
        ));
    } else {
        body["@odata.deltaLink"] = json!(format!(
            "{base}?$deltatoken={}",
            token(0, cursor, Some(cursor), start, end)
        ));
    }
    st.record(&account, line, 200);
    Json(body).into_response()
}

/// Graph's validation handshake: POST `notificationUrl?validationToken=…`,
/// expecting the token back as text/plain within 10 seconds.
async fn validate(notification_url: &str) -> bool {
    let token = format!(
        "Validation: Testing client application reachability for subscription Request-Id: {}",
        uuid::Uuid::new_v4()
    );
    let Ok(mut url) = url::Url::parse(notification_url) else {
        return false;
    };
    url.query_pairs_mut().append_pair("validationToken", &token);
    let res = reqwest::Client::new()
        .post(url)
        .header("content-type", "text/plain; charset=utf-8")
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match res {
        Ok(r) if r.status().as_u16() == 200 => {
            let plain = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/plain"));
            plain && r.text().await.ok().as_deref() == Some(token.as_str())
        }
        _ => false,
    }
}

async fn subscribe(
    State(s): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<Value>,
) -> Response {
    let line = "POST /v1.0/subscriptions".to_owned();
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(url) = req["notificationUrl"].as_str() else {
        return graph_error(400, "InvalidRequest", "notificationUrl is required.");
    };
    if !validate(url).await {
        lock(&s).record(&account, line, 400);
        return graph_error(400, "InvalidRequest", "Subscription validation request failed. Response must exactly match validationToken query parameter.");
    }
    let mut st = lock(&s);
    let id = uuid::Uuid::new_v4().to_string();
    let json = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
        "id": id,
        "resource": req["resource"],
        "applicationId": "24d3b144-21ae-4080-943f-7067b395b913",
        "changeType": req["changeType"],
        "clientState": req["clientState"],
        "notificationUrl": url,
        "expirationDateTime": req["expirationDateTime"],
        "creatorId": "8ee44408-0679-472c-bc2a-692812af3437",
        "latestSupportedTlsVersion": "v1_2",
        "notificationUrlAppId": null,
        "includeResourceData": null,
    });
    st.subscriptions.insert(
        id.clone(),
        GraphSubscription {
            id,
            account: account.clone(),
            json: json.clone(),
        },
    );
    st.record(&account, line, 201);
    (StatusCode::CREATED, Json(json)).into_response()
}

async fn renew(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<Value>,
) -> Response {
    let line = format!("PATCH /v1.0/subscriptions/{id}");
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let Some(sub) = st.subscriptions.get_mut(&id) else {
        st.record(&account, line, 404);
        return graph_error(404, "ResourceNotFound", "The object was not found.");
    };
    sub.json["expirationDateTime"] = req["expirationDateTime"].clone();
    let json = sub.json.clone();
    st.record(&account, line, 200);
    Json(json).into_response()
}

async fn unsubscribe(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let line = format!("DELETE /v1.0/subscriptions/{id}");
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let status = if st.subscriptions.remove(&id).is_some() {
        204
    } else {
        404
    };
    st.record(&account, line, status);
    if status == 204 {
        StatusCode::NO_CONTENT.into_response()
    } else {
        graph_error(404, "ResourceNotFound", "The object was not found.")
    }
}
