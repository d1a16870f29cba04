//! Analysis of a transcript: summary, key points, action items, decisions,
//! open questions, topics and talk time, by one of several engines.

mod builtin;
mod contract;
mod cues;
mod dates;
mod engine;
mod error;
mod factory;
mod fallback;
mod language;
mod llm;
mod openai;
mod owners;
mod report;
mod sentences;
mod summary;
mod talk_time;
mod tokens;
mod topics;
mod vectors;

pub use builtin::BuiltinEngine;
pub use contract::report_from_answer;
pub use dates::due_date;
pub use engine::{AnalysisEngine, AnalysisInput};
pub use error::AnalysisError;
pub use factory::engine_from_config;
pub use language::Lang;
pub use llm::{model_path, LlmEngine, LlmLimits};
pub use openai::OpenAiEngine;
pub use report::{ActionItem, Highlight, MeetingInfo, MeetingReport, SpeakerStats, Topic};
pub use talk_time::{speaker_stats, UNKNOWN_SPEAKER};
