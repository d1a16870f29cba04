//! `[transcription]`: how the pipeline's first stage runs Whisper.

use serde::{Deserialize, Serialize};

/// `[transcription]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TranscriptionConfig {
    /// A model name from `mymeet models list` (`tiny.en`, `base`) or a model folder.
    pub model: String,
    /// Language code, or `auto` to detect it per recording (multilingual models).
    pub language: String,
    /// Beam width; 1 is greedy.
    pub beam: usize,
    /// Skip silence with the Silero voice activity detector first.
    pub vad: bool,
    /// Threads for Whisper's matrix work; unset: all cores.
    pub threads: Option<usize>,
    /// Text that precedes every recording (names, jargon).
    pub prompt: Option<String>,
    /// Recordings transcribed at once by one worker.
    pub concurrency: usize,
    /// With `language = "auto"` and a multilingual model: detect and decode
    /// every chunk of speech in its own language (mixed-language meetings).
    pub language_per_segment: bool,
    /// Transcribe while the call goes on (`recording.progress`), so that
    /// only the last stretch is left when it ends; needs `vad`.
    pub live: bool,
    /// Where Whisper runs: `cpu`, `cuda` or `cuda:N` (builds with the `cuda` feature).
    pub device: String,
    /// Weight format: `auto` (`int8` on CPUs with AVX512-VNNI and a bf16 unit,
    /// else `float`), `float` (as stored), `int8` (decode steps on 8-bit
    /// weights) or `q8` (candle q8_0, a quarter of the memory).
    pub weights: String,
    /// On CPUs with a bf16 unit (Intel AMX, AVX512-BF16), multiply whole
    /// windows in bf16 with f32 sums (`amx`, its name before, still reads).
    #[serde(alias = "amx")]
    pub bf16: bool,
}

impl Default for TranscriptionConfig {
    fn default() -> Self {
        TranscriptionConfig {
            model: "tiny.en".into(),
            language: "auto".into(),
            beam: 5,
            vad: true,
            threads: None,
            prompt: None,
            concurrency: 1,
            language_per_segment: false,
            live: true,
            device: "cpu".into(),
            weights: "auto".into(),
            bf16: true,
        }
    }
}
