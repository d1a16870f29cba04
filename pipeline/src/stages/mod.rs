//! The pipeline's bus consumers, one per stage. Each reads its input by the
//! ids in the message, writes its output idempotently, and publishes the
//! next message; [`Pipeline`] builds them from the configuration and runs
//! them with `core::bus::consume`.

mod delivery;
mod failure;
mod live_transcription;
mod pipeline;
mod recording_audio;
mod report;
mod transcription;

pub use delivery::DeliveryStage;
pub use failure::StageFailure;
pub use live_transcription::LiveTranscriptionStage;
pub use pipeline::{Pipeline, PipelineError, Stage};
pub use recording_audio::{mixed_tracks_from, PlacedTrack};
pub use report::ReportStage;
pub use transcription::{TranscriptionProgress, TranscriptionStage};
