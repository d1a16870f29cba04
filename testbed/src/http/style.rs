//! One platform style's server: its join pages and the room API its pages call.

use crate::pages;
use crate::room::{GuestView, Room};
use crate::testbed::MeetingIds;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mymeet_core::domain::Platform;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
struct StyleState {
    style: Platform,
    room: Arc<Room>,
    ids: Arc<MeetingIds>,
}

/// The router of one style's port.
pub fn router(style: Platform, room: Arc<Room>, ids: Arc<MeetingIds>) -> Router {
    let api = Router::new()
        .route("/_tb/join", post(join))
        .route("/_tb/guest/{id}", get(guest))
        .route("/_tb/guest/{id}/offer", post(offer))
        .route("/_tb/guest/{id}/leave", post(leave));
    let pages = match style {
        Platform::Meet => Router::new().route("/{code}", get(meet_page)),
        Platform::Teams => Router::new().route("/l/meetup-join/{*rest}", get(teams_page)),
        Platform::Zoom => Router::new()
            .route("/j/{id}", get(zoom_launch))
            .route("/wc/{id}/join", get(zoom_client)),
    };
    api.merge(pages).with_state(StyleState { style, room, ids })
}

#[derive(serde::Deserialize)]
struct JoinBody {
    name: String,
}

async fn join(State(s): State<StyleState>, Json(body): Json<JoinBody>) -> Response {
    let guest = s.room.join(s.style, body.name.trim());
    match s.room.guest_view(guest.id) {
        Some(view) => Json(view).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn guest(
    State(s): State<StyleState>,
    Path(id): Path<u64>,
) -> Result<Json<GuestView>, StatusCode> {
    s.room.guest_view(id).map(Json).ok_or(StatusCode::NOT_FOUND)
}

async fn offer(State(s): State<StyleState>, Path(id): Path<u64>, body: Bytes) -> Response {
    let sdp = String::from_utf8_lossy(&body).into_owned();
    match s.room.connect_media(id, sdp).await {
        Ok(Some(answer)) => ([("content-type", "application/sdp")], answer).into_response(),
        Ok(None) => (StatusCode::CONFLICT, "not admitted").into_response(),
        Err(err) => {
            tracing::warn!(%err, id, "answering a page's offer");
            (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response()
        }
    }
}

async fn leave(State(s): State<StyleState>, Path(id): Path<u64>) -> StatusCode {
    s.room.guest_leaves(id);
    StatusCode::NO_CONTENT
}

async fn meet_page(State(s): State<StyleState>, Path(code): Path<String>) -> Response {
    if code != s.ids.meet_code {
        return (StatusCode::NOT_FOUND, Html(pages::MEET_NOT_FOUND)).into_response();
    }
    Html(pages::meet(&code, s.room.flags(Platform::Meet))).into_response()
}

async fn teams_page(State(s): State<StyleState>, Path(rest): Path<String>) -> Response {
    if !rest.contains(&s.ids.teams_thread) {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>We couldn't find this meeting</h1>"),
        )
            .into_response();
    }
    Html(pages::teams(
        &s.ids.teams_thread,
        s.room.flags(Platform::Teams),
    ))
    .into_response()
}

async fn zoom_launch(
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Html<String> {
    let pwd = q.get("pwd").cloned().unwrap_or_default();
    Html(pages::zoom_launch(&format!("/wc/{id}/join?pwd={pwd}")))
}

async fn zoom_client(
    State(s): State<StyleState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Html<String> {
    let flags = s.room.flags(Platform::Zoom);
    let pwd_ok = q.get("pwd").is_some_and(|p| *p == s.ids.zoom_pwd);
    if id != s.ids.zoom_id || !pwd_ok || !flags.host_started {
        return Html(pages::ZOOM_ERROR.to_owned());
    }
    Html(pages::zoom_client(&id, flags))
}
