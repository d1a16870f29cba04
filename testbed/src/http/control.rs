//! The control API: JSON over HTTP for tests and the demo, playing the meeting's host.

use crate::room::{GuestFilter, Room, ScheduleView, StateView};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use mymeet_core::domain::Platform;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The router of the control port.
pub fn router(room: Arc<Room>) -> Router {
    Router::new()
        .route("/state", get(state))
        .route("/schedule", get(schedule))
        .route("/admit", post(admit))
        .route("/deny", post(deny))
        .route("/remove", post(remove))
        .route("/end", post(end))
        .route("/leave-all", post(leave_all))
        .route("/start", post(start))
        .route("/blocked", post(blocked))
        .with_state(room)
}

/// The ids of the guests an action changed.
#[derive(Debug, Serialize, Deserialize)]
pub struct Affected {
    /// Guest ids.
    pub guests: Vec<u64>,
}

/// Body of `/start` and `/blocked`.
#[derive(Debug, Default, Deserialize)]
pub struct StyleSwitch {
    /// The style to change; all styles when absent.
    pub style: Option<Platform>,
    /// The new value (`/start`: started, default true; `/blocked`: blocked, default true).
    pub enabled: Option<bool>,
}

fn filter(body: Option<Json<GuestFilter>>) -> GuestFilter {
    body.map(|Json(f)| f).unwrap_or_default()
}

async fn state(State(room): State<Arc<Room>>) -> Json<StateView> {
    Json(room.state_view())
}

async fn schedule(State(room): State<Arc<Room>>) -> Json<ScheduleView> {
    Json(room.schedule_view())
}

async fn admit(State(room): State<Arc<Room>>, body: Option<Json<GuestFilter>>) -> Json<Affected> {
    Json(Affected {
        guests: room.admit(&filter(body)),
    })
}

async fn deny(State(room): State<Arc<Room>>, body: Option<Json<GuestFilter>>) -> Json<Affected> {
    Json(Affected {
        guests: room.deny(&filter(body)),
    })
}

async fn remove(State(room): State<Arc<Room>>, body: Option<Json<GuestFilter>>) -> Json<Affected> {
    Json(Affected {
        guests: room.remove(&filter(body)),
    })
}

async fn end(State(room): State<Arc<Room>>) -> Json<Affected> {
    Json(Affected {
        guests: room.end_meeting(),
    })
}

async fn leave_all(State(room): State<Arc<Room>>) -> Json<Affected> {
    room.participants_leave();
    Json(Affected { guests: Vec::new() })
}

fn styles(style: Option<Platform>) -> Vec<Platform> {
    style.map_or_else(|| Platform::ALL.to_vec(), |s| vec![s])
}

async fn start(State(room): State<Arc<Room>>, body: Option<Json<StyleSwitch>>) -> Json<Affected> {
    let sw = body.map(|Json(s)| s).unwrap_or_default();
    for s in styles(sw.style) {
        room.set_host_started(s, sw.enabled.unwrap_or(true));
    }
    Json(Affected { guests: Vec::new() })
}

async fn blocked(State(room): State<Arc<Room>>, body: Option<Json<StyleSwitch>>) -> Json<Affected> {
    let sw = body.map(|Json(s)| s).unwrap_or_default();
    for s in styles(sw.style) {
        room.set_blocked(s, sw.enabled.unwrap_or(true));
    }
    Json(Affected { guests: Vec::new() })
}
