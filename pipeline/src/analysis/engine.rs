//! The analysis engine trait and what every engine reads.

use super::{AnalysisError, MeetingInfo, MeetingReport};
use crate::transcript::Segment;
use chrono::NaiveDate;

/// What an engine analyses: the meeting, its transcript and the day it took place.
#[derive(Debug, Clone)]
pub struct AnalysisInput {
    /// Facts about the meeting.
    pub meeting: MeetingInfo,
    /// The transcript, in time order, with speakers where known.
    pub segments: Vec<Segment>,
    /// The meeting's local date, against which "tomorrow" or "by Friday" resolve.
    pub date: NaiveDate,
}

impl AnalysisInput {
    /// An input dated by the meeting's start (UTC).
    pub fn new(meeting: MeetingInfo, segments: Vec<Segment>) -> Self {
        let date = meeting.started_at.date_naive();
        Self {
            meeting,
            segments,
            date,
        }
    }

    /// Distinct speaker names in order of first appearance.
    pub fn speakers(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for name in self.segments.iter().filter_map(|s| s.speaker.as_deref()) {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        names
    }
}

/// Turns a transcript into a report.
#[async_trait::async_trait]
pub trait AnalysisEngine: Send + Sync {
    /// Analyses one meeting.
    async fn analyse(&self, input: &AnalysisInput) -> Result<MeetingReport, AnalysisError>;

    /// The engine's name as written into reports (`builtin`, `openai:<model>`, `llm:<model>`).
    fn name(&self) -> String;
}
