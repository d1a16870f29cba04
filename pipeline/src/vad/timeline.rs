//! Mapping times in concatenated speech audio back to the recording.

use super::regions::SpeechRegion;
use crate::audio::SAMPLE_RATE;

/// Which end of a span a time is: decides the side of a cut it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// A start time: at a cut it belongs to the region that begins there.
    Start,
    /// An end time: at a cut it belongs to the region that ends there.
    End,
}

/// Maps a position in the concatenation of some speech regions (silence
/// removed) to the same position in the original recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineMap {
    /// Per region: (start in the concatenated audio, start in the original, length).
    pieces: Vec<(usize, usize, usize)>,
}

impl TimelineMap {
    /// The map for the concatenation of `regions`, in the order given.
    pub fn new(regions: &[SpeechRegion]) -> Self {
        let mut offset = 0;
        let pieces = regions
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| {
                let piece = (offset, r.start, r.len());
                offset += r.len();
                piece
            })
            .collect();
        Self { pieces }
    }

    /// Length of the concatenated audio in samples.
    pub fn concatenated_len(&self) -> usize {
        self.pieces.last().map_or(0, |(at, _, len)| at + len)
    }

    /// The original sample for `sample` in the concatenated audio. Positions
    /// past the end stay in the last region's frame (they extend it).
    pub fn original_sample(&self, sample: usize, edge: Edge) -> usize {
        // The region the position falls in: for an end, one that ends exactly
        // at a cut still claims it.
        let index = self.pieces.partition_point(|&(at, _, len)| match edge {
            Edge::Start => at + len <= sample,
            Edge::End => at + len < sample,
        });
        match self.pieces.get(index).or(self.pieces.last()) {
            Some(&(at, original, _)) => original + sample.saturating_sub(at),
            None => sample,
        }
    }

    /// [`Self::original_sample`] in seconds.
    pub fn original_s(&self, seconds: f64, edge: Edge) -> f64 {
        let sr = f64::from(SAMPLE_RATE);
        let sample = (seconds.max(0.0) * sr).floor() as usize;
        let fraction = seconds.max(0.0) - sample as f64 / sr;
        self.original_sample(sample, edge) as f64 / sr + fraction
    }
}
