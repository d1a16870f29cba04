//! Where the audio received so far can be cut without splitting speech.

use crate::audio::seconds_to_samples;
use crate::vad::SpeechRegion;

/// When a growing recording is worth transcribing ahead of its end.
#[derive(Debug, Clone, PartialEq)]
pub struct LivePolicy {
    /// A pause at least this long after a region ends the region for good
    /// (shorter ones are breaths inside a sentence that may go on).
    pub min_pause_s: f64,
    /// Speech needed before a cut is worth a Whisper run: every run pays a
    /// whole 30 s encoder window, so smaller pieces cost more than they save.
    pub min_speech_s: f64,
}

impl Default for LivePolicy {
    fn default() -> Self {
        LivePolicy {
            min_pause_s: 0.6,
            min_speech_s: 20.0,
        }
    }
}

/// The latest sample of a `len`-sample signal before which every speech
/// region is over: inside a pause of at least `min_pause`, or after it when
/// the signal ends in such a pause. `None` while no region has ended that
/// way and the signal is not all silence.
pub fn settled_cut(regions: &[SpeechRegion], len: usize, policy: &LivePolicy) -> Option<usize> {
    let min_pause = seconds_to_samples(policy.min_pause_s);
    let mut cut = None;
    if regions.first().is_none_or(|r| r.start >= min_pause) {
        // Silence before the first region: safe to skip up to its middle.
        let silent = regions.first().map_or(len, |r| r.start);
        if silent >= min_pause {
            cut = Some(silent - min_pause / 2);
        }
    }
    for (i, region) in regions.iter().enumerate() {
        let next_start = regions.get(i + 1).map_or(len, |n| n.start);
        let pause = next_start.saturating_sub(region.end);
        if pause >= min_pause {
            cut = Some(region.end + pause.min(min_pause) / 2);
        }
    }
    cut
}

/// Samples of speech in `regions` that end by `cut`.
pub fn speech_before(regions: &[SpeechRegion], cut: usize) -> usize {
    regions
        .iter()
        .filter(|r| r.end <= cut)
        .map(SpeechRegion::len)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: usize = 16_000;

    fn region(from_s: f64, to_s: f64) -> SpeechRegion {
        SpeechRegion {
            start: seconds_to_samples(from_s),
            end: seconds_to_samples(to_s),
        }
    }

    #[test]
    fn the_cut_falls_in_the_last_long_enough_pause() {
        let policy = LivePolicy::default();
        // 0–10 s speech, 0.2 s breath, 10.2–20 s speech, 2 s pause, 22–29.9 s still speaking.
        let regions = [region(0.0, 10.0), region(10.2, 20.0), region(22.0, 29.9)];
        let cut = settled_cut(&regions, 30 * S, &policy).unwrap();
        assert!(
            cut > 20 * S && cut < 22 * S,
            "cut at {} s",
            cut as f64 / S as f64
        );
        assert_eq!(
            speech_before(&regions, cut),
            10 * S + seconds_to_samples(9.8)
        );
    }

    #[test]
    fn speech_running_to_the_end_is_not_cut_and_silence_is() {
        let policy = LivePolicy::default();
        assert_eq!(settled_cut(&[region(0.0, 30.0)], 30 * S, &policy), None);
        // A breath-length pause is not an end.
        assert_eq!(settled_cut(&[region(0.0, 29.7)], 30 * S, &policy), None);
        let silence = settled_cut(&[], 30 * S, &policy).unwrap();
        assert!(silence > 29 * S && silence < 30 * S);
        // Silence before the first region is skipped, the region kept whole.
        let cut = settled_cut(&[region(5.0, 30.0)], 30 * S, &policy).unwrap();
        assert!(cut < 5 * S);
    }
}
