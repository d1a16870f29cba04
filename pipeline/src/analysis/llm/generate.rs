//! Greedy decoding with the quantized llama model and its KV cache.

use super::super::AnalysisError;
use candle_core::{Device, Tensor};
use candle_transformers::generation::LogitsProcessor;
use candle_transformers::models::quantized_llama::{ModelWeights, MAX_SEQ_LEN};
use std::path::Path;
use tokenizers::Tokenizer;

/// A loaded model and its tokenizer.
pub struct Generator {
    weights: ModelWeights,
    tokenizer: Tokenizer,
    stops: Vec<u32>,
}

impl Generator {
    /// Wraps a model; `eos` and `<|im_end|>` end a generation.
    pub fn new(
        weights: ModelWeights,
        tokenizer: Tokenizer,
        eos: Option<u32>,
        path: &Path,
    ) -> Result<Self, AnalysisError> {
        let mut stops: Vec<u32> = eos.into_iter().collect();
        stops.extend(tokenizer.token_to_id("<|im_end|>"));
        stops.extend(tokenizer.token_to_id("<|endoftext|>"));
        if stops.is_empty() {
            return Err(AnalysisError::Model {
                path: path.to_path_buf(),
                detail: "the model has no end-of-text token".into(),
            });
        }
        Ok(Self {
            weights,
            tokenizer,
            stops,
        })
    }

    /// The model's continuation of `prompt`, at most `max_tokens` tokens, greedy
    /// (temperature 0: the same transcript gives the same report).
    pub fn generate(&mut self, prompt: &str, max_tokens: usize) -> Result<String, AnalysisError> {
        let infer = |e: candle_core::Error| AnalysisError::Inference(e.to_string());
        let encoding = self
            .tokenizer
            .encode(prompt, false)
            .map_err(|e| AnalysisError::Inference(format!("tokenizer: {e}")))?;
        let prompt_ids = encoding.get_ids().to_vec();
        if prompt_ids.len() + max_tokens >= MAX_SEQ_LEN {
            return Err(AnalysisError::Inference(format!(
                "the prompt is {} tokens; with {max_tokens} to generate it exceeds the context of {MAX_SEQ_LEN}",
                prompt_ids.len()
            )));
        }
        let mut sampler = LogitsProcessor::new(0, None, None);
        let input = Tensor::new(prompt_ids.as_slice(), &Device::Cpu)
            .and_then(|t| t.unsqueeze(0))
            .map_err(infer)?;
        // Position 0 resets the KV cache: every generation starts fresh.
        let logits = self.weights.forward(&input, 0).map_err(infer)?;
        let mut next = sampler
            .sample(&logits.squeeze(0).map_err(infer)?)
            .map_err(infer)?;
        let mut out: Vec<u32> = Vec::new();
        let mut pos = prompt_ids.len();
        while out.len() < max_tokens && !self.stops.contains(&next) {
            out.push(next);
            let input = Tensor::new(&[next], &Device::Cpu)
                .and_then(|t| t.unsqueeze(0))
                .map_err(infer)?;
            let logits = self.weights.forward(&input, pos).map_err(infer)?;
            pos += 1;
            next = sampler
                .sample(&logits.squeeze(0).map_err(infer)?)
                .map_err(infer)?;
        }
        self.tokenizer
            .decode(&out, true)
            .map_err(|e| AnalysisError::Inference(format!("tokenizer: {e}")))
    }
}
