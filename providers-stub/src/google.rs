//! Calendar v3: `calendarList.list`, `events.list` (full with `timeMin`/
//! `timeMax`, incremental with `syncToken`, `410` when a token is too old,
//! paging), `events.watch` and `channels.stop`.

use crate::guard::check;
use crate::oauth::lock;
use crate::state::{GoogleChannel, StubState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Shared = Arc<Mutex<StubState>>;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/calendar/v3/users/me/calendarList", get(calendar_list))
        .route("/calendar/v3/calendars/{calendar}/events", get(events_list))
        .route(
            "/calendar/v3/calendars/{calendar}/events/watch",
            post(watch),
        )
        .route("/calendar/v3/channels/stop", post(stop))
}

fn unauthorized() -> Value {
    json!({"error": {
        "code": 401,
        "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}],
        "status": "UNAUTHENTICATED"
    }})
}

fn throttled(status: u16) -> Value {
    if status == 429 {
        json!({"error": {"code": 429, "message": "Rate Limit Exceeded",
            "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}],
            "status": "RESOURCE_EXHAUSTED"}})
    } else {
        json!({"error": {"code": 503, "message": "The service is currently unavailable.",
            "errors": [{"domain": "global", "reason": "backendError", "message": "The service is currently unavailable."}],
            "status": "UNAVAILABLE"}})
    }
}

fn error(code: u16, reason: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({"error": {"errors": [{"domain": "global", "reason": reason, "message": message}], "code": code, "message": message}})),
    )
        .into_response()
}

async fn calendar_list(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let line = "GET /calendar/v3/users/me/calendarList".to_owned();
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let items: Vec<Value> = st
        .google_calendars
        .get(&account)
        .map(|cals| {
            cals.iter()
                .map(|(id, (summary, role, primary))| {
                    let mut v = json!({
                        "kind": "calendar#calendarListEntry",
                        "etag": "\"1\"",
                        "id": id,
                        "summary": summary,
                        "timeZone": "UTC",
                        "accessRole": role,
                        "defaultReminders": [],
                        "selected": true,
                    });
                    if *primary {
                        v["primary"] = json!(true);
                    }
                    v
                })
                .collect()
        })
        .unwrap_or_default();
    st.record(&account, line, 200);
    Json(json!({"kind": "calendar#calendarList", "etag": "\"p1\"", "nextSyncToken": "cl-1", "items": items})).into_response()
}

fn time_of(v: &Value) -> Option<DateTime<Utc>> {
    if let Some(t) = v["dateTime"].as_str() {
        return DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(v["date"].as_str()?, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

fn tombstone(e: &Value) -> Value {
    let mut t =
        json!({"kind": "calendar#event", "etag": "\"0\"", "id": e["id"], "status": "cancelled"});
    for k in ["recurringEventId", "originalStartTime"] {
        if !e[k].is_null() {
            t[k] = e[k].clone();
        }
    }
    t
}

async fn events_list(
    State(s): State<Shared>,
    Path(calendar): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let line = format!(
        "GET /calendar/v3/calendars/{calendar}/events {}",
        q.keys().cloned().collect::<Vec<_>>().join(",")
    );
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let calendar = if calendar == "primary" {
        account.clone()
    } else {
        calendar
    };
    if !st
        .google_calendars
        .get(&account)
        .is_some_and(|c| c.contains_key(&calendar))
    {
        st.record(&account, line, 404);
        return error(404, "notFound", "Not Found");
    }
    let page_size = q
        .get("maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(st.page_size)
        .min(st.page_size.max(1));
    let store = st.calendar(&account, &calendar).clone();
    // A page token carries the listing it continues: "OFFSET:CURSOR:FROM".
    let (offset, cursor, from) = match q.get("pageToken") {
        Some(p) => {
            let mut it = p.split(':');
            let offset = it.next().and_then(|x| x.parse().ok()).unwrap_or(0usize);
            let cursor = it
                .next()
                .and_then(|x| x.parse().ok())
                .unwrap_or(store.seq());
            let from = it
                .next()
                .and_then(|x| x.parse::<i64>().ok())
                .filter(|f| *f >= 0);
            (offset, cursor, from.map(|f| f as u64))
        }
        None => match q.get("syncToken") {
            Some(t) => {
                let n = t.strip_prefix('s').and_then(|n| n.parse::<u64>().ok());
                match n {
                    Some(n) if n >= store.oldest_valid_cursor => (0, store.seq(), Some(n)),
                    _ => {
                        st.record(&account, line, 410);
                        return error(
                            410,
                            "fullSyncRequired",
                            "Sync token is no longer valid, a full sync is required.",
                        );
                    }
                }
            }
            None => (0, store.seq(), None),
        },
    };
    let items: Vec<Value> = match from {
        Some(n) => store
            .changed_since(n)
            .into_iter()
            .map(|(e, deleted)| if deleted { tombstone(e) } else { e.clone() })
            .collect(),
        None => {
            let min = q
                .get("timeMin")
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            let max = q
                .get("timeMax")
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
            let show_deleted = q.get("showDeleted").map(String::as_str) == Some("true");
            store
                .live()
                .into_iter()
                .filter(|e| show_deleted || e["status"] != "cancelled")
                .filter(|e| {
                    let (start, end) = (time_of(&e["start"]), time_of(&e["end"]));
                    min.is_none_or(|m| end.is_none_or(|end| end > m))
                        && max.is_none_or(|m| start.is_none_or(|start| start < m))
                })
                .cloned()
                .collect()
        }
    };
    let page: Vec<Value> = items.iter().skip(offset).take(page_size).cloned().collect();
    let mut body = json!({
        "kind": "calendar#events",
        "etag": format!("\"{cursor}\""),
        "summary": calendar,
        "updated": Utc::now().to_rfc3339(),
        "timeZone": "UTC",
        "accessRole": "owner",
        "defaultReminders": [],
        "items": page,
    });
    if offset + page_size < items.len() {
        let from = from.map_or(-1, |f| f as i64);
        body["nextPageToken"] = json!(format!("{}:{cursor}:{from}", offset + page_size));
    } else {
        body["nextSyncToken"] = json!(format!("s{cursor}"));
    }
    st.record(&account, line, 200);
    Json(body).into_response()
}

async fn watch(
    State(s): State<Shared>,
    Path(calendar): Path<String>,
    headers: HeaderMap,
    Json(req): Json<Value>,
) -> Response {
    let line = format!("POST /calendar/v3/calendars/{calendar}/events/watch");
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let (Some(id), Some(address)) = (req["id"].as_str(), req["address"].as_str()) else {
        st.record(&account, line, 400);
        return error(400, "required", "Required: id, address");
    };
    let ttl_secs = req["params"]["ttl"]
        .as_str()
        .and_then(|t| t.parse::<i64>().ok())
        .unwrap_or(7 * 86400);
    let expiration_ms = req["expiration"]
        .as_str()
        .and_then(|e| e.parse::<i64>().ok())
        .unwrap_or_else(|| (Utc::now().timestamp() + ttl_secs) * 1000);
    let channel = GoogleChannel {
        id: id.to_owned(),
        resource_id: st.next_id("res-"),
        address: address.to_owned(),
        token: req["token"].as_str().map(str::to_owned),
        expiration_ms,
        account: account.clone(),
    };
    st.channels.insert(channel.id.clone(), channel.clone());
    st.record(&account, line, 200);
    Json(json!({
        "kind": "api#channel",
        "id": channel.id,
        "resourceId": channel.resource_id,
        "resourceUri": format!("{}/calendar/v3/calendars/{calendar}/events?alt=json", st.base_url),
        "token": channel.token,
        "expiration": channel.expiration_ms.to_string(),
    }))
    .into_response()
}

async fn stop(State(s): State<Shared>, headers: HeaderMap, Json(req): Json<Value>) -> Response {
    let line = "POST /calendar/v3/channels/stop".to_owned();
    let account = match check(&s, &headers, &line, unauthorized, throttled).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut st = lock(&s);
    let id = req["id"].as_str().unwrap_or_default().to_owned();
    let known = st
        .channels
        .get(&id)
        .is_some_and(|c| Some(c.resource_id.as_str()) == req["resourceId"].as_str());
    if !known {
        st.record(&account, line, 404);
        return error(
            404,
            "notFound",
            &format!("Channel '{id}' not found for project"),
        );
    }
    st.channels.remove(&id);
    st.record(&account, line, 204);
    StatusCode::NO_CONTENT.into_response()
}
