//! The testbed's error type.

use std::path::PathBuf;

/// Everything that can go wrong while preparing or running the testbed.
#[derive(Debug, thiserror::Error)]
pub enum TestbedError {
    /// A `--participant` value is not `NAME=PATH`.
    #[error("participant {0:?} is not NAME=AUDIO_FILE")]
    BadParticipant(String),
    /// The testbed needs at least one participant.
    #[error("at least one participant is needed")]
    NoParticipants,
    /// ffmpeg is not installed or could not be started.
    #[error("cannot run ffmpeg ({0}); install it with `sudo apt-get install ffmpeg` (scripts/setup does)")]
    FfmpegMissing(std::io::Error),
    /// ffmpeg ran but failed on a file.
    #[error("ffmpeg failed on {path}: {stderr}")]
    Ffmpeg {
        /// The input or output file.
        path: PathBuf,
        /// The tail of ffmpeg's error output.
        stderr: String,
    },
    /// An encoded Ogg/Opus file could not be parsed.
    #[error("bad Ogg/Opus stream: {0}")]
    Ogg(String),
    /// A file or socket operation failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The WebRTC stack refused an operation.
    #[error("webrtc: {0}")]
    WebRtc(#[from] webrtc::error::Error),
    /// The listen address is not a socket address.
    #[error("bad listen address {0:?}")]
    BadListen(String),
}

/// The testbed's result type.
pub type Result<T, E = TestbedError> = std::result::Result<T, E>;
