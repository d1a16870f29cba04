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

/// Where to cut a `len`-sample signal so that every speech region before the
/// cut is over: the latest pause of at least `min_pause_s` (inside it, or
/// after the last region when the signal ends in one). When that leaves less
/// than `min_speech_s` of speech before it — people who talk without long
/// pauses — a shorter gap between two regions with enough speech before it
/// (the latest of at least a third of a long pause, else the longest):
/// speech resumed after it, so the region before it is over too.
/// `None` while no region has ended and the signal is not all silence.
pub fn settled_cut(regions: &[SpeechRegion], len: usize, policy: &LivePolicy) -> Option<usize> {
    let min_pause = seconds_to_samples(policy.min_pause_s);
    let min_speech = seconds_to_samples(policy.min_speech_s);
    // Speech before region i ends, for each i.
    let speech_through: Vec<usize> = regions
        .iter()
        .scan(0, |sum, r| {
            *sum += r.len();
            Some(*sum)
        })
        .collect();
    let mut long = None;
    let silent_start = regions.first().map_or(len, |r| r.start);
    if silent_start >= min_pause {
        // Silence before the first region: safe to skip up to its middle.
        long = Some((silent_start - min_pause / 2, 0));
    }
    // Among shorter gaps: the latest clear one (a third of a long pause,
    // a boundary between words), else the longest.
    let clear = min_pause / 3;
    let mut latest_clear = None;
    let mut longest: Option<(usize, usize)> = None;
    for (i, region) in regions.iter().enumerate() {
        let next_start = regions.get(i + 1).map(|n| n.start);
        let pause = next_start.unwrap_or(len).saturating_sub(region.end);
        let cut = region.end + pause.min(min_pause) / 2;
        if pause >= min_pause {
            long = Some((cut, speech_through[i]));
        }
        if next_start.is_some() && pause > 0 && speech_through[i] >= min_speech {
            if pause >= clear {
                latest_clear = Some(cut);
            }
            if longest.is_none_or(|(gap, _)| pause >= gap) {
                longest = Some((pause, cut));
            }
        }
    }
    match long {
        Some((cut, speech)) if speech == 0 || speech >= min_speech => Some(cut),
        _ => latest_clear
            .or(longest.map(|(_, cut)| cut))
            .or(long.map(|(cut, _)| cut)),
    }
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
    fn fluent_speech_is_cut_at_its_latest_clear_gap() {
        let policy = LivePolicy::default();
        // One early long pause (too little speech before it), then 45 s
        // with breaths of 0.1–0.3 s only, still going at the end.
        let regions = [
            region(0.0, 5.0),
            region(6.0, 20.0),
            region(20.1, 30.0),
            region(30.3, 40.0),
            region(40.25, 45.0),
            region(45.1, 50.0),
        ];
        let at = |cut: usize| cut as f64 / S as f64;
        // The latest gap of 0.2 s or more: 40.0–40.25, not the 0.1 s at 45.
        let cut = settled_cut(&regions, 50 * S, &policy).unwrap();
        assert!(
            cut > 40 * S && cut < seconds_to_samples(40.25),
            "cut at {} s",
            at(cut)
        );
        assert!(speech_before(&regions, cut) >= 20 * S);
        // With breaths only, the longest of them.
        let breaths = [region(0.0, 25.0), region(25.15, 30.0), region(30.1, 35.0)];
        let cut = settled_cut(&breaths, 35 * S, &policy).unwrap();
        assert!(
            cut > 25 * S && cut < seconds_to_samples(25.15),
            "cut at {} s",
            at(cut)
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
