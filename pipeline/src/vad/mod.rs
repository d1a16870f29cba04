//! Voice activity detection: a candle port of Silero VAD v6 (16 kHz), the
//! speech-timestamp rules of its `get_speech_timestamps`, and the helpers that
//! cut speech into Whisper-sized chunks and map times back to the recording.

mod chunks;
mod error;
mod model;
mod options;
mod regions;
mod timeline;

pub use chunks::{chunk_regions, SpeechChunk};
pub use error::VadError;
pub use model::{SileroVad, CHUNK_SAMPLES};
pub use options::VadOptions;
pub use regions::{regions_from_probs, SpeechRegion};
pub use timeline::{Edge, TimelineMap};
