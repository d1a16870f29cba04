//! Audio input: any common container/codec decoded with FFmpeg and resampled
//! to the 16 kHz mono `f32` signal that VAD and Whisper expect.

mod decode;
mod error;
mod mix;
mod resample;

pub use decode::{decode_file, decode_file_from, decode_file_with_progress, DecodeProgress};
pub use error::AudioError;
pub use mix::{mix_tracks, mix_tracks_at};

/// Sample rate of every signal this crate works on (Whisper and Silero VAD).
pub const SAMPLE_RATE: u32 = 16_000;

/// Converts a sample count at [`SAMPLE_RATE`] to seconds.
pub fn samples_to_seconds(samples: usize) -> f64 {
    samples as f64 / f64::from(SAMPLE_RATE)
}

/// Converts seconds to a sample count at [`SAMPLE_RATE`] (rounded, never negative).
pub fn seconds_to_samples(seconds: f64) -> usize {
    (seconds.max(0.0) * f64::from(SAMPLE_RATE)).round() as usize
}
