//! Building the configured engine.

use super::llm::{model_path, LlmEngine, LlmLimits};
use super::openai::OpenAiEngine;
use super::{AnalysisEngine, AnalysisError, BuiltinEngine};
use crate::models::ModelStore;
use mymeet_core::config::{AnalysisConfig, AnalysisEngineKind};

/// The engine `[analysis]` asks for; a local model is loaded now, so that a
/// missing or broken file is reported at start-up rather than after a meeting.
pub fn engine_from_config(
    cfg: &AnalysisConfig,
    models: &ModelStore,
) -> Result<Box<dyn AnalysisEngine>, AnalysisError> {
    Ok(match cfg.engine {
        AnalysisEngineKind::Builtin => Box::new(BuiltinEngine),
        AnalysisEngineKind::Openai => Box::new(OpenAiEngine::new(&cfg.openai)?),
        AnalysisEngineKind::Llm => {
            let path = model_path(&cfg.llm.model, models)?;
            Box::new(LlmEngine::load(
                &path,
                LlmLimits {
                    max_tokens: cfg.llm.max_tokens,
                    max_prompt_chars: cfg.llm.max_prompt_chars,
                },
            )?)
        }
    })
}
