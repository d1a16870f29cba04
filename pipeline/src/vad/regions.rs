//! Per-chunk probabilities → speech regions: the rules of silero-vad's
//! `get_speech_timestamps` (hysteresis, minimum speech and silence, padding,
//! splitting over-long regions at their longest pause).

use super::model::CHUNK_SAMPLES;
use super::options::VadOptions;
use crate::audio::SAMPLE_RATE;

/// A stretch of speech, in samples at 16 kHz (`end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SpeechRegion {
    /// First sample of speech.
    pub start: usize,
    /// One past the last sample of speech.
    pub end: usize,
}

impl SpeechRegion {
    /// Length in samples.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the region holds no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Start in seconds.
    pub fn start_s(&self) -> f64 {
        self.start as f64 / f64::from(SAMPLE_RATE)
    }

    /// End in seconds.
    pub fn end_s(&self) -> f64 {
        self.end as f64 / f64::from(SAMPLE_RATE)
    }
}

/// Turns one probability per 512-sample chunk into speech regions of an
/// `audio_len`-sample signal, exactly as silero-vad's
/// `get_speech_timestamps_from_probs` does at 16 kHz.
pub fn regions_from_probs(
    probs: &[f32],
    audio_len: usize,
    options: &VadOptions,
) -> Vec<SpeechRegion> {
    let sr = f64::from(SAMPLE_RATE);
    let window = CHUNK_SAMPLES as f64;
    let min_speech = sr * f64::from(options.min_speech_duration_ms) / 1000.0;
    let pad = sr * f64::from(options.speech_pad_ms) / 1000.0;
    let max_speech = sr * options.max_speech_duration_s - window - 2.0 * pad;
    let min_silence = sr * f64::from(options.min_silence_duration_ms) / 1000.0;
    let min_silence_at_max = sr * f64::from(options.min_silence_at_max_speech_ms) / 1000.0;
    let threshold = options.threshold;
    let neg_threshold = options.effective_neg_threshold();

    // Sample positions as in the reference; 0 doubles as "unset" there too.
    let mut speeches: Vec<(usize, usize)> = Vec::new();
    let mut triggered = false;
    let mut current_start: Option<usize> = None;
    let mut temp_end = 0usize;
    let mut prev_end = 0usize;
    let mut next_start = 0usize;
    let mut possible_ends: Vec<(usize, usize)> = Vec::new();

    for (i, &prob) in probs.iter().enumerate() {
        let cur = CHUNK_SAMPLES * i;

        if prob >= threshold && temp_end != 0 {
            let silence = cur - temp_end;
            if silence as f64 > min_silence_at_max {
                possible_ends.push((temp_end, silence));
            }
            temp_end = 0;
            if next_start < prev_end {
                next_start = cur;
            }
        }

        if prob >= threshold && !triggered {
            triggered = true;
            current_start = Some(cur);
            continue;
        }

        if let (true, Some(start)) = (triggered, current_start) {
            if (cur - start) as f64 > max_speech {
                if options.use_max_poss_sil_at_max_speech && !possible_ends.is_empty() {
                    // Cut at the longest pause inside the region; ties keep the first.
                    let (end, dur) = possible_ends
                        .iter()
                        .copied()
                        .reduce(|best, e| if e.1 > best.1 { e } else { best })
                        .unwrap_or((cur, 0));
                    speeches.push((start, end));
                    current_start = None;
                    next_start = end + dur;
                    if next_start < end + cur {
                        current_start = Some(next_start);
                    } else {
                        triggered = false;
                    }
                    prev_end = 0;
                    next_start = 0;
                    temp_end = 0;
                    possible_ends.clear();
                } else if prev_end != 0 {
                    speeches.push((start, prev_end));
                    current_start = None;
                    if next_start < prev_end {
                        triggered = false;
                    } else {
                        current_start = Some(next_start);
                    }
                    prev_end = 0;
                    next_start = 0;
                    temp_end = 0;
                    possible_ends.clear();
                } else {
                    speeches.push((start, cur));
                    current_start = None;
                    prev_end = 0;
                    next_start = 0;
                    temp_end = 0;
                    triggered = false;
                    possible_ends.clear();
                    continue;
                }
            }
        }

        if prob < neg_threshold && triggered {
            if temp_end == 0 {
                temp_end = cur;
            }
            let silence_now = cur - temp_end;
            if !options.use_max_poss_sil_at_max_speech && silence_now as f64 > min_silence_at_max {
                prev_end = temp_end;
            }
            if (silence_now as f64) < min_silence {
                continue;
            }
            if let Some(start) = current_start.take() {
                if (temp_end - start) as f64 > min_speech {
                    speeches.push((start, temp_end));
                }
            }
            prev_end = 0;
            next_start = 0;
            temp_end = 0;
            triggered = false;
            possible_ends.clear();
        }
    }

    if let Some(start) = current_start {
        if audio_len.saturating_sub(start) as f64 > min_speech {
            speeches.push((start, audio_len));
        }
    }

    pad_regions(&mut speeches, pad as usize, audio_len);
    speeches
        .into_iter()
        .map(|(start, end)| SpeechRegion { start, end })
        .collect()
}

/// Widens each region by `pad` samples, splitting the gap in half where two
/// regions are closer than twice the padding.
fn pad_regions(speeches: &mut [(usize, usize)], pad: usize, audio_len: usize) {
    let n = speeches.len();
    for i in 0..n {
        if i == 0 {
            speeches[i].0 = speeches[i].0.saturating_sub(pad);
        }
        if i + 1 < n {
            let gap = speeches[i + 1].0.saturating_sub(speeches[i].1);
            if gap < 2 * pad {
                speeches[i].1 += gap / 2;
                speeches[i + 1].0 = speeches[i + 1].0.saturating_sub(gap / 2);
            } else {
                speeches[i].1 = (speeches[i].1 + pad).min(audio_len);
                speeches[i + 1].0 = speeches[i + 1].0.saturating_sub(pad);
            }
        } else {
            speeches[i].1 = (speeches[i].1 + pad).min(audio_len);
        }
    }
}
