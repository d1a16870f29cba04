//! The bus consumers after a call: decoding, voice activity, transcription,
//! analysis, rendering and delivery.
//!
//! Depends on `mymeet-integrations` and `mymeet-core`; never on `bot`,
//! `scheduler` or `api`. The transcription and report issues fill it.

pub mod analysis;
pub mod audio;
pub mod delivery;
pub mod live;
pub mod models;
pub mod render;
pub mod speakers;
pub mod stages;
pub mod transcribe;
pub mod transcript;
pub mod vad;
pub mod whisper;
