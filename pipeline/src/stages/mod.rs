//! The pipeline's bus consumers, one per stage. Each reads its input by the
//! ids in the message, writes its output idempotently, and publishes the
//! next message; `core::bus::consume` runs them.

mod failure;
mod speaker_timeline;
pub mod transcription;

pub use failure::StageFailure;
pub use transcription::TranscriptionStage;
