//! Errors from loading and running the VAD model.

use std::path::PathBuf;

/// Why voice activity detection could not run.
#[derive(Debug, thiserror::Error)]
pub enum VadError {
    /// The weights file is not there.
    #[error("Silero VAD weights not found at {path}: run `mymeet models fetch silero-vad`")]
    ModelMissing {
        /// Where the weights were looked for.
        path: PathBuf,
    },
    /// The file is not the Silero VAD v6 16 kHz safetensors.
    #[error("{path} is not a Silero VAD v6 16 kHz safetensors file: {reason} (re-run `mymeet models fetch silero-vad`)")]
    ModelInvalid {
        /// The weights file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// A tensor operation failed while running the model.
    #[error("VAD inference failed: {0}")]
    Inference(#[from] candle_core::Error),
}
