//! Every message schema on the bus, defined once.
//!
//! Topics: `bot.events`, `bot.commands`, `recording.progress`, `recording.completed`,
//! `transcript.ready`, `report.ready`, `calendar.changed`. Add a new versioned type rather than
//! changing a published one.

use super::Event;
use crate::domain::{BotState, EndReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A bot changed state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotEventV1 {
    /// The bot.
    pub bot_id: Uuid,
    /// The state left.
    pub from: BotState,
    /// The state entered.
    pub to: BotState,
    /// Why, for terminal states and `leaving`.
    pub reason: Option<EndReason>,
    /// A human-readable detail (the platform's own message, say).
    pub detail: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl Event for BotEventV1 {
    const TOPIC: &'static str = "bot.events";
    const VERSION: u16 = 1;
}

/// A request to a running bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotCommandV1 {
    /// The bot.
    pub bot_id: Uuid,
    /// What to do.
    pub command: BotCommand,
}

/// What a running bot can be asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotCommand {
    /// Leave the call, finalize the recording, end `done(stopped_by_user)`.
    Stop,
}

impl Event for BotCommandV1 {
    const TOPIC: &'static str = "bot.commands";
    const VERSION: u16 = 1;
}

/// A bot is still recording and has uploaded its tracks so far: the
/// transcription stage may transcribe the settled part ahead of the end, so
/// that only the tail is left when `recording.completed` arrives. A hint:
/// losing or repeating one costs time, never text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingProgressV1 {
    /// The recording bot.
    pub bot_id: Uuid,
    /// The meeting recorded.
    pub meeting_id: Uuid,
    /// The uploaded tracks (blob keys), all on one timeline from the start of recording.
    pub tracks: Vec<String>,
    /// Seconds recorded when the tracks were read.
    pub recorded_s: f64,
}

impl Event for RecordingProgressV1 {
    const TOPIC: &'static str = "recording.progress";
    const VERSION: u16 = 1;
}

/// A bot finished and its recording is in the blob store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingCompletedV1 {
    /// The recording row.
    pub recording_id: Uuid,
    /// The bot that made it.
    pub bot_id: Uuid,
    /// The meeting recorded.
    pub meeting_id: Uuid,
}

impl Event for RecordingCompletedV1 {
    const TOPIC: &'static str = "recording.completed";
    const VERSION: u16 = 1;
}

/// A recording was transcribed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptReadyV1 {
    /// The transcript row.
    pub transcript_id: Uuid,
    /// The recording it came from.
    pub recording_id: Uuid,
}

impl Event for TranscriptReadyV1 {
    const TOPIC: &'static str = "transcript.ready";
    const VERSION: u16 = 1;
}

/// A report was rendered and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportReadyV1 {
    /// The report row.
    pub report_id: Uuid,
    /// The transcript it summarizes.
    pub transcript_id: Uuid,
}

impl Event for ReportReadyV1 {
    const TOPIC: &'static str = "report.ready";
    const VERSION: u16 = 1;
}

/// A connected calendar changed at the provider (a push notification
/// arrived) or was just connected: the scheduler syncs it soon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarChangedV1 {
    /// The calendar connection to sync.
    pub connection_id: Uuid,
    /// When the change was reported.
    pub at: DateTime<Utc>,
}

impl Event for CalendarChangedV1 {
    const TOPIC: &'static str = "calendar.changed";
    const VERSION: u16 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{DecodeError, Envelope};

    #[test]
    fn envelope_round_trips_and_checks_the_kind() {
        let event = RecordingCompletedV1 {
            recording_id: Uuid::new_v4(),
            bot_id: Uuid::new_v4(),
            meeting_id: Uuid::new_v4(),
        };
        let env = Envelope::new(&event);
        let back = Envelope::from_bytes(&env.to_bytes()).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.decode::<RecordingCompletedV1>().unwrap(), event);
        assert!(matches!(
            back.decode::<TranscriptReadyV1>(),
            Err(DecodeError::WrongKind { .. })
        ));
    }

    #[test]
    fn a_payload_that_breaks_the_schema_is_a_decode_error() {
        let mut env = Envelope::new(&TranscriptReadyV1 {
            transcript_id: Uuid::nil(),
            recording_id: Uuid::nil(),
        });
        env.payload = serde_json::json!({"transcript_id": "not a uuid"});
        let err = env.decode::<TranscriptReadyV1>().unwrap_err();
        assert!(err.to_string().contains("transcript.ready v1"), "{err}");
    }
}
