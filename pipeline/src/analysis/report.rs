//! What the analysis of a meeting produces: the data every template, format
//! and email renders. Engines fill it; renderers only read it.

use crate::transcript::Segment;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Facts about the meeting that do not come from the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingInfo {
    /// The meeting's title (the calendar event's summary, or a fallback).
    pub title: String,
    /// When the recording started.
    pub started_at: DateTime<Utc>,
    /// Length of the recording, seconds.
    pub duration_secs: f64,
    /// `meet`, `teams` or `zoom`, when known.
    pub platform: Option<String>,
    /// The meeting link.
    pub meeting_url: Option<String>,
    /// Language of the transcript (`en`, `ru`, ...); picks the report's strings.
    pub language: String,
}

/// An action item: what, who and by when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    /// What is to be done, as said.
    pub text: String,
    /// Who takes it: a name said in the sentence, else its speaker.
    pub owner: Option<String>,
    /// When it is due, when a date or weekday was said.
    pub due: Option<NaiveDate>,
    /// Where it was said, seconds from the start.
    pub at_secs: f64,
}

/// A sentence the analysis picked out (key point, decision, question).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    /// The text.
    pub text: String,
    /// Who said it, when known.
    pub speaker: Option<String>,
    /// Where it was said, seconds from the start.
    pub at_secs: f64,
}

/// A stretch of the meeting about one thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// A short title.
    pub title: String,
    /// Start, seconds.
    pub start_secs: f64,
    /// End, seconds.
    pub end_secs: f64,
}

/// How much one speaker talked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerStats {
    /// The speaker's name.
    pub name: String,
    /// Seconds of speech.
    pub talk_secs: f64,
    /// Share of all speech, 0–1.
    pub share: f64,
    /// Words spoken.
    pub words: usize,
    /// Words per minute of their own speech.
    pub words_per_minute: f64,
}

/// The analysis of one meeting, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingReport {
    /// Facts about the meeting.
    pub meeting: MeetingInfo,
    /// A few sentences that summarize the meeting.
    pub summary: Vec<String>,
    /// The most important points.
    pub key_points: Vec<Highlight>,
    /// Action items.
    pub action_items: Vec<ActionItem>,
    /// Decisions taken.
    pub decisions: Vec<Highlight>,
    /// Questions left open.
    pub open_questions: Vec<Highlight>,
    /// Topics / chapters in time order.
    pub topics: Vec<Topic>,
    /// Talk time per speaker, most talkative first.
    pub speakers: Vec<SpeakerStats>,
    /// The transcript the report was made from.
    pub segments: Vec<Segment>,
    /// The engine that wrote it (`builtin`, `llm:<model>`, `openai:<model>`).
    pub engine: String,
}
