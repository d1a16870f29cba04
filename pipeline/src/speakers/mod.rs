//! Speaker labels for a mixed recording: each transcript segment gets the
//! speaker whose turns (from the bot's speaker timeline) overlap it most.

mod bot_json;

pub use bot_json::timeline_from_bot_json;

use serde::{Deserialize, Serialize};

/// One stretch of time in which a participant spoke, in seconds from the recording start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerTurn {
    /// The participant's display name or id.
    pub speaker: String,
    /// Start of the turn, seconds.
    pub start: f64,
    /// End of the turn, seconds.
    pub end: f64,
}

/// Anything with a time span that can carry a speaker label (a transcript segment).
pub trait Timed {
    /// Start and end in seconds from the recording start.
    fn span(&self) -> (f64, f64);
    /// Labels the item with a speaker.
    fn set_speaker(&mut self, speaker: String);
}

/// Gives every segment the speaker with the largest total overlap; segments
/// that overlap no turn are left unlabelled.
///
/// Overlap is summed per speaker, so someone with two short turns inside a
/// segment can outweigh one longer turn. Ties go to the speaker whose first
/// overlapping turn starts earliest, so the result does not depend on the
/// order of `timeline`.
pub fn assign_by_timeline<S: Timed>(segments: &mut [S], timeline: &[SpeakerTurn]) {
    for segment in segments.iter_mut() {
        if let Some(speaker) = dominant_speaker(segment.span(), timeline) {
            segment.set_speaker(speaker.to_owned());
        }
    }
}

/// The speaker who talks longest within `span`, if anyone does.
pub fn dominant_speaker(span: (f64, f64), timeline: &[SpeakerTurn]) -> Option<&str> {
    // (speaker, summed overlap, earliest overlapping start) per speaker seen.
    let mut totals: Vec<(&str, f64, f64)> = Vec::new();
    for turn in timeline {
        let overlap = overlap_s(span, (turn.start, turn.end));
        if overlap <= 0.0 {
            continue;
        }
        match totals.iter_mut().find(|(name, _, _)| *name == turn.speaker) {
            Some(entry) => {
                entry.1 += overlap;
                entry.2 = entry.2.min(turn.start);
            }
            None => totals.push((&turn.speaker, overlap, turn.start)),
        }
    }
    totals
        .into_iter()
        .reduce(|best, next| {
            // Overlaps within a microsecond count as equal (float sums).
            let longer = next.1 > best.1 + 1e-6;
            let tied_earlier = (next.1 - best.1).abs() <= 1e-6 && next.2 < best.2;
            if longer || tied_earlier {
                next
            } else {
                best
            }
        })
        .map(|(name, _, _)| name)
}

/// Length of the intersection of two intervals (0 when they do not meet).
pub fn overlap_s(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.1.min(b.1) - a.0.max(b.0)).max(0.0)
}
