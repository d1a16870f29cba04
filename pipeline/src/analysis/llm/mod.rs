//! A local chat model in a GGUF file (llama architecture, e.g. SmolLM2) run
//! on candle's quantized kernels, asked for the report as JSON.

mod generate;
mod tokenizer;
mod transcode;

use super::contract::{report_from_answer, user_prompt, SYSTEM_PROMPT};
use super::fallback::or_builtin;
use super::{AnalysisEngine, AnalysisError, AnalysisInput, MeetingReport};
use candle_core::quantized::gguf_file;
use candle_core::Device;
use candle_transformers::models::quantized_llama::ModelWeights;
use generate::Generator;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Generation limits of the local engine.
#[derive(Debug, Clone, Copy)]
pub struct LlmLimits {
    /// Most tokens generated per report.
    pub max_tokens: usize,
    /// Most transcript characters in the prompt.
    pub max_prompt_chars: usize,
}

/// The local GGUF engine; falls back to the built-in one on any failure.
pub struct LlmEngine {
    name: String,
    generator: Arc<Mutex<Generator>>,
    limits: LlmLimits,
}

impl std::fmt::Debug for LlmEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmEngine")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl LlmEngine {
    /// Loads the model in the GGUF file at `path` onto the CPU.
    pub fn load(path: &Path, limits: LlmLimits) -> Result<Self, AnalysisError> {
        let err = |detail: String| AnalysisError::Model {
            path: path.to_path_buf(),
            detail,
        };
        let mut file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
        let content = gguf_file::Content::read(&mut file)
            .map_err(|e| err(format!("not a GGUF file: {e}")))?;
        let tokenizer = tokenizer::from_gguf(&content, path)?;
        let model_name = content
            .metadata
            .get("general.name")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_else(|| file_stem(path));
        let eos = content
            .metadata
            .get("tokenizer.ggml.eos_token_id")
            .and_then(|v| v.to_u32().ok());
        let weights = match transcode::fast_copy(&content, &mut file, path)? {
            Some((copy, mut buffer)) => ModelWeights::from_gguf(copy, &mut buffer, &Device::Cpu),
            None => ModelWeights::from_gguf(content, &mut file, &Device::Cpu),
        }
        .map_err(|e| err(format!("cannot load the weights: {e}")))?;
        let generator = Generator::new(weights, tokenizer, eos, path)?;
        Ok(Self {
            name: format!("llm:{model_name}"),
            generator: Arc::new(Mutex::new(generator)),
            limits,
        })
    }

    /// One generation and the checked report, without the fallback.
    pub async fn try_analyse(&self, input: &AnalysisInput) -> Result<MeetingReport, AnalysisError> {
        let prompt = chat_prompt(&user_prompt(input, self.limits.max_prompt_chars));
        let generator = Arc::clone(&self.generator);
        let max_tokens = self.limits.max_tokens;
        // Minutes of CPU on a busy machine: keep it off the async workers.
        let answer = tokio::task::spawn_blocking(move || {
            let mut generator = generator
                .lock()
                .map_err(|_| AnalysisError::Inference("a previous generation panicked".into()))?;
            generator.generate(&prompt, max_tokens)
        })
        .await
        .map_err(|e| AnalysisError::Inference(e.to_string()))??;
        // The prompt already opened the object.
        let answer = format!("{ANSWER_START}{answer}");
        tracing::debug!(engine = %self.name, answer = %answer, "model answer");
        report_from_answer(&answer, input, &self.name)
    }
}

#[async_trait::async_trait]
impl AnalysisEngine for LlmEngine {
    async fn analyse(&self, input: &AnalysisInput) -> Result<MeetingReport, AnalysisError> {
        let result = self.try_analyse(input).await;
        Ok(or_builtin(&self.name, result, input))
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

/// The start of the answer, written for the model: small models keep to a
/// JSON object far more often once it has begun.
const ANSWER_START: &str = "{\"summary\": [\"";

/// The ChatML conversation SmolLM2, Qwen and most small instruct models are
/// trained on, opened with the start of the JSON answer to steer the model into it.
fn chat_prompt(user: &str) -> String {
    format!(
        "<|im_start|>system\n{SYSTEM_PROMPT}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n{ANSWER_START}"
    )
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "gguf".into())
}

/// Resolves the configured model: a `.gguf` file path as is, else a model
/// store name whose folder holds `model.gguf`.
pub fn model_path(
    model: &str,
    store: &crate::models::ModelStore,
) -> Result<PathBuf, AnalysisError> {
    let path = Path::new(model);
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let dir = store.require(model).map_err(|e| AnalysisError::Model {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    Ok(dir.join("model.gguf"))
}
