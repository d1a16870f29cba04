//! `bot.json`: what one bot did, written atomically after every transition.

use crate::recorder::RecordingSummary;
use chrono::{DateTime, Utc};
use mymeet_core::domain::{BotState, EndReason, Platform};
use serde::Serialize;
use std::path::Path;

/// One stored state transition.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TransitionRecord {
    /// The state left.
    pub from: BotState,
    /// The state entered.
    pub to: BotState,
    /// Why, for `leaving` and terminal states.
    pub reason: Option<EndReason>,
    /// The platform's own words, or what went wrong.
    pub detail: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// One stretch of someone speaking, in seconds from the recording's start.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SpeakerTurn {
    /// The name on their tile.
    pub name: String,
    /// Start, seconds after the recording started.
    pub from_s: f64,
    /// End, seconds after the recording started.
    pub to_s: f64,
}

/// Counters of one run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counters {
    /// Page inspections.
    pub probes: u64,
    /// Inspections that failed (navigation in progress, page gone).
    pub probe_errors: u64,
    /// Clicks made.
    pub clicks: u64,
    /// Page reloads while the host had not started.
    pub reloads: u64,
    /// Remote audio tracks the page received.
    pub page_tracks: u64,
    /// RTP packets received over the bridge.
    pub bridge_packets: u64,
}

/// Everything `bot.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct BotReport {
    /// The link given.
    pub meeting_url: String,
    /// The page opened.
    pub join_url: Option<String>,
    /// The platform detected.
    pub platform: Option<Platform>,
    /// The display name used.
    pub bot_name: String,
    /// The state now.
    pub state: BotState,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// The platform's words or the error of the end.
    pub detail: Option<String>,
    /// Every transition.
    pub transitions: Vec<TransitionRecord>,
    /// When recording started (admitted).
    pub recording_started_at: Option<DateTime<Utc>>,
    /// Who spoke when.
    pub speakers: Vec<SpeakerTurn>,
    /// Every other participant seen.
    pub participants_seen: Vec<String>,
    /// The recording, once finalized.
    pub recording: Option<RecordingSummary>,
    /// `failure.png` / `failure.html` when joining failed.
    pub failure_files: Vec<String>,
    /// Counters.
    pub counters: Counters,
}

impl BotReport {
    /// A report for a bot that was just launched.
    pub fn new(meeting_url: &str, bot_name: &str) -> Self {
        Self {
            meeting_url: meeting_url.to_owned(),
            join_url: None,
            platform: None,
            bot_name: bot_name.to_owned(),
            state: BotState::Launching,
            end_reason: None,
            detail: None,
            transitions: Vec::new(),
            recording_started_at: None,
            speakers: Vec::new(),
            participants_seen: Vec::new(),
            recording: None,
            failure_files: Vec::new(),
            counters: Counters::default(),
        }
    }

    /// Writes `dir/bot.json` through a temporary file and a rename.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let tmp = dir.join(".bot.json.tmp");
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, dir.join("bot.json"))
    }
}
