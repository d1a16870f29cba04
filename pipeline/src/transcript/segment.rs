//! The transcript of one recording.

use serde::{Deserialize, Serialize};

/// One stretch of speech with its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, seconds from the start of the recording.
    pub start: f64,
    /// End, seconds from the start of the recording.
    pub end: f64,
    /// Who spoke, when known.
    pub speaker: Option<String>,
    /// What was said.
    pub text: String,
    /// `exp` of the mean token log-probability, 0–1.
    pub confidence: f32,
    /// Language code (`en`, `ru`, ...).
    pub language: String,
}

/// A recording's segments plus its detected language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// Language of the recording.
    pub language: String,
    /// Probability of that language (1 when it was given).
    pub language_probability: f32,
    /// Length of the recording, seconds.
    pub duration: f64,
    /// Segments in time order.
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// All segment texts joined with spaces.
    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl crate::speakers::Timed for Segment {
    fn span(&self) -> (f64, f64) {
        (self.start, self.end)
    }

    fn set_speaker(&mut self, speaker: String) {
        self.speaker = Some(speaker);
    }
}
