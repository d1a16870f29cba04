//! Talk time per speaker: seconds, share, words and speaking rate.

use super::SpeakerStats;
use crate::transcript::Segment;

/// The name under which segments without a speaker are counted.
pub const UNKNOWN_SPEAKER: &str = "Unknown";

/// Talk time of every speaker, most talkative first (ties by name).
pub fn speaker_stats(segments: &[Segment]) -> Vec<SpeakerStats> {
    let mut stats: Vec<SpeakerStats> = Vec::new();
    for seg in segments {
        let name = seg.speaker.as_deref().unwrap_or(UNKNOWN_SPEAKER);
        let words = seg
            .text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
        if words == 0 {
            continue;
        }
        let secs = (seg.end - seg.start).max(0.0);
        match stats.iter_mut().find(|s| s.name == name) {
            Some(s) => {
                s.talk_secs += secs;
                s.words += words;
            }
            None => stats.push(SpeakerStats {
                name: name.to_owned(),
                talk_secs: secs,
                share: 0.0,
                words,
                words_per_minute: 0.0,
            }),
        }
    }
    let total: f64 = stats.iter().map(|s| s.talk_secs).sum();
    for s in &mut stats {
        s.share = if total > 0.0 {
            s.talk_secs / total
        } else {
            0.0
        };
        s.words_per_minute = if s.talk_secs > 0.0 {
            s.words as f64 * 60.0 / s.talk_secs
        } else {
            0.0
        };
    }
    stats.sort_by(|a, b| {
        b.talk_secs
            .total_cmp(&a.talk_secs)
            .then_with(|| a.name.cmp(&b.name))
    });
    stats
}
