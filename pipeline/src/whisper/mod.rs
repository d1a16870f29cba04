//! Whisper on candle: loading CTranslate2 and Hugging Face folders, the
//! log-mel front end, window decoding and long-form transcription.

mod bf16;
mod config;
mod conv;
mod ct2;
mod decoder;
mod encoder;
mod error;
mod int8;
mod kernels;
mod language;
mod longform;
mod mel;
mod model;
mod projection;
mod search;
mod softmax;
#[cfg(test)]
mod test_values;
mod vocab;

pub use config::SuppressLists;
pub use error::WhisperError;
pub use language::{detect_language, detect_language_pcm, language_probabilities};
pub use longform::{
    compression_ratio, transcribe_pcm, RawSegment, TranscribeOptions, Transcription,
};
pub use model::{parse_device, Layout, ModelOptions, WeightFormat, WhisperModel};
pub use search::{SearchOptions, WindowResult};
pub use vocab::Vocab;
