//! The JSON shapes the pages and the control API read.

use super::{Guest, GuestStatus};
use crate::config::StyleFlags;
use serde::Serialize;
use std::collections::BTreeMap;

/// One tile of the in-call view.
#[derive(Debug, Clone, Serialize)]
pub struct RosterEntry {
    /// Display name.
    pub name: String,
    /// Whether this participant speaks now.
    pub speaking: bool,
    /// Whether this tile is the viewing guest itself.
    pub is_self: bool,
}

/// What one guest's page needs to render.
#[derive(Debug, Clone, Serialize)]
pub struct GuestView {
    /// The guest's id.
    pub id: u64,
    /// Its display name.
    pub name: String,
    /// Where it stands.
    pub status: GuestStatus,
    /// How many remote audio tracks the page will receive.
    pub audio_streams: usize,
    /// Who speaks now.
    pub active_speaker: Option<String>,
    /// Tiles: participants still present, then admitted guests (empty unless admitted).
    pub roster: Vec<RosterEntry>,
}

/// `GET /state` of the control API.
#[derive(Debug, Clone, Serialize)]
pub struct StateView {
    /// When the first guest was admitted (UNIX ms).
    pub clock_started_at_ms: Option<u64>,
    /// When the host ended the meeting (UNIX ms).
    pub ended_at_ms: Option<u64>,
    /// When every participant left (UNIX ms).
    pub participants_left_at_ms: Option<u64>,
    /// Participants present (server-side speakers), in order.
    pub roster: Vec<String>,
    /// Who speaks now.
    pub active_speaker: Option<String>,
    /// Guests waiting in the lobby.
    pub lobby: Vec<Guest>,
    /// Guests in the call.
    pub admitted: Vec<Guest>,
    /// Every guest ever seen.
    pub guests: Vec<Guest>,
    /// Host flags per style (`meet`, `teams`, `zoom`).
    pub styles: BTreeMap<String, StyleFlags>,
}

/// One turn of `GET /schedule`.
#[derive(Debug, Clone, Serialize)]
pub struct TurnView {
    /// The speaker's display name.
    pub participant: String,
    /// The speaker's position in the configured order.
    pub index: usize,
    /// Start, relative to the clock start (ms).
    pub start_offset_ms: u64,
    /// End, relative to the clock start (ms).
    pub end_offset_ms: u64,
    /// Absolute start (UNIX ms), once the clock started.
    pub start_ms: Option<u64>,
    /// Absolute end (UNIX ms), once the clock started.
    pub end_ms: Option<u64>,
}

/// `GET /schedule` of the control API.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    /// When the first guest was admitted (UNIX ms).
    pub clock_started_at_ms: Option<u64>,
    /// Silence before the first turn.
    pub lead_in_ms: u64,
    /// Silence between turns.
    pub gap_ms: u64,
    /// Where the rendered program ends; silence frames follow.
    pub program_end_offset_ms: u64,
    /// When every participant left, cutting the schedule short (UNIX ms).
    pub participants_left_at_ms: Option<u64>,
    /// When the host ended the meeting, cutting the schedule short (UNIX ms).
    pub ended_at_ms: Option<u64>,
    /// The turns in order.
    pub turns: Vec<TurnView>,
}

impl GuestStatus {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            GuestStatus::Lobby => "lobby",
            GuestStatus::Admitted => "admitted",
            GuestStatus::Denied => "denied",
            GuestStatus::Removed => "removed",
            GuestStatus::Ended => "ended",
            GuestStatus::Left => "left",
        }
    }
}
