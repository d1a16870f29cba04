//! The transcript of a recording still in progress.

use crate::transcribe::Continuation;
use crate::transcript::{Segment, Transcript};
use serde::{Deserialize, Serialize};

/// Everything transcribed of a recording up to `through_s`; what follows is
/// transcribed later, as a [`Continuation`] of this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptDraft {
    /// The model that wrote it: a draft of another model is not continued.
    pub model: String,
    /// Seconds from the start of the recording that are transcribed for good.
    pub through_s: f64,
    /// The language found in the first speech, once there was any.
    pub language: Option<String>,
    /// Its probability.
    pub language_probability: f32,
    /// Segments so far, in time order.
    pub segments: Vec<Segment>,
    /// The track blobs it was transcribed from, the keys the bot's
    /// `recording.progress` named; their sample 0 is the draft's time 0.
    /// (Empty in drafts written before tracks were noted.)
    #[serde(default)]
    pub tracks: Vec<String>,
}

impl TranscriptDraft {
    /// An empty draft by `model`.
    pub fn new(model: impl Into<String>) -> Self {
        TranscriptDraft {
            model: model.into(),
            through_s: 0.0,
            language: None,
            language_probability: 0.0,
            segments: Vec::new(),
            tracks: Vec::new(),
        }
    }

    /// Whether every track this draft was transcribed from is among `tracks`:
    /// a draft from another launch of the bot (other tracks, another
    /// timeline) is not to be continued.
    pub fn drawn_from_within(&self, mut tracks: impl FnMut(&str) -> bool) -> bool {
        self.tracks.iter().all(|t| tracks(t))
    }

    /// What a stretch starting at `through_s` follows.
    pub fn continuation(&self) -> Continuation {
        Continuation {
            offset_s: self.through_s,
            language: self.language.clone(),
        }
    }

    /// Adds the transcript of the stretch up to `through_s`.
    pub fn extend(&mut self, part: Transcript, through_s: f64) {
        if self.language.is_none() && !part.segments.is_empty() {
            self.language = Some(part.language);
            self.language_probability = part.language_probability;
        }
        self.segments.extend(part.segments);
        self.through_s = through_s.max(self.through_s);
    }

    /// The whole transcript: the draft, then `tail` (the stretch after it).
    pub fn finish(mut self, tail: Transcript) -> Transcript {
        let (language, language_probability) = match self.language.take() {
            Some(language) => (language, self.language_probability),
            None => (tail.language, tail.language_probability),
        };
        self.segments.extend(tail.segments);
        Transcript {
            language,
            language_probability,
            duration: tail.duration.max(self.through_s),
            segments: self.segments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(language: &str, texts: &[(f64, &str)], duration: f64) -> Transcript {
        Transcript {
            language: language.into(),
            language_probability: 0.9,
            duration,
            segments: texts
                .iter()
                .map(|&(start, text)| Segment {
                    start,
                    end: start + 1.0,
                    speaker: None,
                    text: text.into(),
                    confidence: 0.8,
                    language: language.into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_draft_continues_where_it_stopped_and_keeps_its_first_language() {
        let mut draft = TranscriptDraft::new("tiny.en");
        draft.extend(part("en", &[], 10.0), 10.0);
        assert_eq!(draft.language, None, "silence settles no language");
        draft.extend(
            part(
                "en",
                &[(12.0, "Hello there."), (14.0, "General Kenobi.")],
                25.0,
            ),
            25.0,
        );
        let next = draft.continuation();
        assert_eq!(next.offset_s, 25.0);
        assert_eq!(next.language.as_deref(), Some("en"));
        let whole = draft.finish(part("ru", &[(26.0, "Da.")], 40.0));
        assert_eq!(whole.language, "en");
        assert_eq!(whole.duration, 40.0);
        let starts: Vec<f64> = whole.segments.iter().map(|s| s.start).collect();
        assert_eq!(starts, vec![12.0, 14.0, 26.0]);
    }
}
