//! Tuning knobs of the speech-timestamp rules, with silero-vad's defaults.

/// Parameters of [`super::SileroVad::speech_regions_with`]; `Default` gives
/// the defaults of silero-vad's `get_speech_timestamps`.
#[derive(Debug, Clone, PartialEq)]
pub struct VadOptions {
    /// A chunk with probability at or above this starts (or continues) speech.
    pub threshold: f32,
    /// While in speech, a chunk below this counts as silence; `None` means
    /// `max(threshold - 0.15, 0.01)`.
    pub neg_threshold: Option<f32>,
    /// Speech regions shorter than this are dropped.
    pub min_speech_duration_ms: u32,
    /// Regions longer than this are split (at the longest pause when there is one).
    pub max_speech_duration_s: f64,
    /// Silence must last this long to end a region.
    pub min_silence_duration_ms: u32,
    /// Each region is widened by this much on both sides.
    pub speech_pad_ms: u32,
    /// Pauses at least this long are split candidates when a region gets too long.
    pub min_silence_at_max_speech_ms: u32,
    /// Split an over-long region at its longest pause rather than its last one.
    pub use_max_poss_sil_at_max_speech: bool,
}

impl Default for VadOptions {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            neg_threshold: None,
            min_speech_duration_ms: 250,
            max_speech_duration_s: f64::INFINITY,
            min_silence_duration_ms: 100,
            speech_pad_ms: 30,
            min_silence_at_max_speech_ms: 98,
            use_max_poss_sil_at_max_speech: true,
        }
    }
}

impl VadOptions {
    /// The exit threshold actually used.
    pub fn effective_neg_threshold(&self) -> f32 {
        self.neg_threshold
            .unwrap_or_else(|| (self.threshold - 0.15).max(0.01))
    }
}
