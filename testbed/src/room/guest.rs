//! A browser that asked to join: its lobby entry and what happened to it.

use mymeet_core::domain::Platform;
use serde::Serialize;

/// Where a guest stands with the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuestStatus {
    /// Waiting to be let in.
    Lobby,
    /// In the call.
    Admitted,
    /// The host denied the request.
    Denied,
    /// The host removed the guest from the call.
    Removed,
    /// The host ended the meeting for everyone.
    Ended,
    /// The guest left on its own.
    Left,
}

/// One lobby entry, as the control API reports it.
#[derive(Debug, Clone, Serialize)]
pub struct Guest {
    /// Unique within this testbed.
    pub id: u64,
    /// The display name the guest typed.
    pub name: String,
    /// Which join page it used.
    pub style: Platform,
    /// Where it stands.
    pub status: GuestStatus,
    /// When it entered the lobby (UNIX ms).
    pub lobby_at_ms: u64,
    /// When it was admitted (UNIX ms).
    pub admitted_at_ms: Option<u64>,
    /// When it left the call or the lobby, for whatever reason (UNIX ms).
    pub gone_at_ms: Option<u64>,
    /// Whether its page has negotiated media with the room.
    pub media_connected: bool,
}
