//! What can go wrong turning a file into samples, always naming the file.

use std::path::PathBuf;

/// Why a file could not be decoded to 16 kHz mono samples.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The path does not exist.
    #[error("cannot decode {path}: no such file")]
    NotFound {
        /// The file asked for.
        path: PathBuf,
    },
    /// The path exists but could not be read (permissions, a directory, ...).
    #[error("cannot decode {path}: {source}")]
    Unreadable {
        /// The file asked for.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// FFmpeg does not recognise the file as media, or its container is corrupt.
    #[error("cannot decode {path}: {reason} (not an audio/video file, or it is corrupt)")]
    NotMedia {
        /// The file asked for.
        path: PathBuf,
        /// FFmpeg's reason, e.g. "invalid data found when processing input".
        reason: String,
    },
    /// The container holds no audio stream (a video-only file, or text that
    /// FFmpeg's probe took for a teletype video).
    #[error("cannot decode {path}: the file has no audio stream (read as {format})")]
    NoAudioStream {
        /// The file asked for.
        path: PathBuf,
        /// The container format FFmpeg detected, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
        format: String,
    },
    /// The audio codec is not one this FFmpeg build can decode.
    #[error("cannot decode {path}: unsupported audio codec {codec}")]
    UnsupportedCodec {
        /// The file asked for.
        path: PathBuf,
        /// The codec's FFmpeg name (or id when it has none).
        codec: String,
    },
    /// The audio stream is damaged: not a single packet could be decoded.
    #[error("cannot decode {path}: {reason} (the audio data is corrupt)")]
    Corrupt {
        /// The file asked for.
        path: PathBuf,
        /// FFmpeg's reason for the first failure.
        reason: String,
    },
    /// Converting to 16 kHz mono failed.
    #[error("cannot resample {path} to 16 kHz mono: {reason}")]
    Resample {
        /// The file asked for.
        path: PathBuf,
        /// FFmpeg's reason.
        reason: String,
    },
    /// FFmpeg itself could not be initialised.
    #[error("cannot initialise FFmpeg: {0}")]
    Init(String),
}

/// FFmpeg's messages start with a capital; ours continue a sentence.
pub(crate) fn describe(err: &ffmpeg_next::Error) -> String {
    let text = err.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
