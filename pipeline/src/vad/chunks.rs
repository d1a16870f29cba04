//! Grouping speech regions into Whisper-sized pieces of audio.

use super::regions::SpeechRegion;
use super::timeline::TimelineMap;
use crate::audio::seconds_to_samples;

/// Consecutive speech regions that are decoded together: their samples are
/// concatenated (the silence between them dropped) into one piece of audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechChunk {
    /// The regions, in order, none overlapping.
    pub regions: Vec<SpeechRegion>,
}

impl SpeechChunk {
    /// First sample of the chunk in the original recording.
    pub fn start(&self) -> usize {
        self.regions.first().map_or(0, |r| r.start)
    }

    /// One past the last sample of the chunk in the original recording.
    pub fn end(&self) -> usize {
        self.regions.last().map_or(0, |r| r.end)
    }

    /// Samples of speech in the chunk (the length of [`Self::audio`]).
    pub fn speech_samples(&self) -> usize {
        self.regions.iter().map(SpeechRegion::len).sum()
    }

    /// The chunk's speech, concatenated, from the recording's `pcm`.
    pub fn audio(&self, pcm: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.speech_samples());
        for region in &self.regions {
            let end = region.end.min(pcm.len());
            let start = region.start.min(end);
            out.extend_from_slice(&pcm[start..end]);
        }
        out
    }

    /// Maps times in [`Self::audio`] back to the recording's timeline.
    pub fn timeline(&self) -> TimelineMap {
        TimelineMap::new(&self.regions)
    }
}

/// Packs regions, in order, into chunks of at most `max_s` seconds of speech.
///
/// A new chunk also starts where the silence between two regions exceeds
/// `max_gap_s` (pass `f64::INFINITY` to pack regardless of gaps, as
/// faster-whisper does). A single region longer than `max_s` is cut into
/// `max_s` pieces; set the VAD's `max_speech_duration_s` below `max_s` to have
/// such regions split at pauses instead.
pub fn chunk_regions(regions: &[SpeechRegion], max_s: f64, max_gap_s: f64) -> Vec<SpeechChunk> {
    let max_len = seconds_to_samples(max_s).max(1);
    let max_gap = if max_gap_s.is_finite() {
        seconds_to_samples(max_gap_s)
    } else {
        usize::MAX
    };
    let mut chunks = Vec::new();
    let mut current = SpeechChunk {
        regions: Vec::new(),
    };
    let mut current_len = 0usize;

    for piece in regions
        .iter()
        .filter(|r| !r.is_empty())
        .flat_map(|r| split_region(*r, max_len))
    {
        let gap = piece.start.saturating_sub(current.end());
        let fits = current_len + piece.len() <= max_len;
        if !current.regions.is_empty() && (!fits || gap > max_gap) {
            chunks.push(std::mem::replace(
                &mut current,
                SpeechChunk {
                    regions: Vec::new(),
                },
            ));
            current_len = 0;
        }
        current_len += piece.len();
        current.regions.push(piece);
    }
    if !current.regions.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Cuts a region into consecutive pieces of at most `max_len` samples.
fn split_region(region: SpeechRegion, max_len: usize) -> impl Iterator<Item = SpeechRegion> {
    (region.start..region.end)
        .step_by(max_len)
        .map(move |start| SpeechRegion {
            start,
            end: (start + max_len).min(region.end),
        })
}
