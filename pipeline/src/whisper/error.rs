//! Errors of loading and running Whisper.

use std::path::PathBuf;

/// Why a Whisper model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum WhisperError {
    /// A model file could not be read.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// A model file is not what it should be.
    #[error("invalid model: {0}")]
    Format(String),
    /// The folder is neither a CTranslate2 nor a Hugging Face Whisper folder.
    #[error("{0} holds neither model.bin (CTranslate2) nor model.safetensors (Hugging Face)")]
    UnknownLayout(PathBuf),
    /// The tokenizer could not be loaded or used.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A tensor operation failed.
    #[error("tensor: {0}")]
    Candle(#[from] candle_core::Error),
    /// The requested device cannot be used.
    #[error("{0}")]
    Device(String),
    /// A quantized model has no float weights to export.
    #[error("a quantized model cannot be exported: load it with float weights")]
    NotExportable,
    /// The requested language is not one the model knows.
    #[error("language `{0}` is not supported by this model")]
    Language(String),
}
