//! A loaded Whisper model: encoder, cached decoder, tokenizer, mel filters.

use super::config::{ct2_config, hf_config, SuppressLists};
use super::ct2::Ct2Model;
use super::decoder::CachedDecoder;
use super::encoder::AudioEncoder;
use super::mel::mel_filters;
use super::vocab::Vocab;
use super::WhisperError;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::whisper::Config;
use std::collections::HashMap;
use std::path::Path;

/// Which folder layout a model was loaded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// CTranslate2 / faster-whisper: `model.bin`.
    Ct2,
    /// Hugging Face: `model.safetensors`.
    HuggingFace,
}

/// Everything needed to transcribe with one Whisper model.
pub struct WhisperModel {
    /// The audio encoder, run once per window.
    pub(crate) encoder: AudioEncoder,
    /// The decoder with self-attention caching, over the same weights.
    pub(crate) decoder: CachedDecoder,
    /// Tokenizer and special tokens.
    pub vocab: Vocab,
    /// Model dimensions.
    pub config: Config,
    /// Suppress lists from `config.json`.
    pub suppress: SuppressLists,
    /// The mel filter bank for `config.num_mel_bins`.
    pub(crate) filters: Vec<f32>,
    /// The folder layout it came from.
    pub layout: Layout,
    /// The tensors under their Hugging Face names (kept for export).
    tensors: HashMap<String, Tensor>,
}

impl WhisperModel {
    /// Loads a CTranslate2 folder (`model.bin`) or a Hugging Face folder (`model.safetensors`).
    pub fn load(dir: &Path) -> Result<Self, WhisperError> {
        let device = Device::Cpu;
        let started = std::time::Instant::now();
        let tokenizer = dir.join("tokenizer.json");
        if dir.join("model.bin").is_file() {
            let ct2 = Ct2Model::read(&dir.join("model.bin"))?;
            let (config, suppress) = ct2_config(&ct2, &dir.join("config.json"))?;
            let tensors = ct2.hf_tensors(&device)?;
            tracing::debug!(elapsed = ?started.elapsed(), "model.bin read");
            let vocab = Vocab::load(&tokenizer)?;
            tracing::debug!(elapsed = ?started.elapsed(), "tokenizer read");
            let model = Self::build(tensors, config, suppress, vocab, Layout::Ct2, &device);
            tracing::debug!(elapsed = ?started.elapsed(), "model built");
            model
        } else if dir.join("model.safetensors").is_file() {
            let (config, suppress) = hf_config(&dir.join("config.json"))?;
            let tensors = candle_core::safetensors::load(dir.join("model.safetensors"), &device)?
                .into_iter()
                .map(|(k, v)| Ok((k, v.to_dtype(DType::F32)?)))
                .collect::<Result<HashMap<_, _>, candle_core::Error>>()?;
            Self::build(
                tensors,
                config,
                suppress,
                Vocab::load(&tokenizer)?,
                Layout::HuggingFace,
                &device,
            )
        } else {
            Err(WhisperError::UnknownLayout(dir.to_path_buf()))
        }
    }

    fn build(
        tensors: HashMap<String, Tensor>,
        config: Config,
        suppress: SuppressLists,
        vocab: Vocab,
        layout: Layout,
        device: &Device,
    ) -> Result<Self, WhisperError> {
        let vb = VarBuilder::from_tensors(tensors.clone(), DType::F32, device);
        let encoder = AudioEncoder::load(vb.pp("model.encoder"), &config)?;
        let decoder = CachedDecoder::load(vb.pp("model.decoder"), &config)?;
        let filters = mel_filters(config.num_mel_bins);
        Ok(Self {
            encoder,
            decoder,
            vocab,
            config,
            suppress,
            filters,
            layout,
            tensors,
        })
    }

    /// Whether the model knows more than English.
    pub fn is_multilingual(&self) -> bool {
        self.config.vocab_size >= 51865
    }

    /// The weights under their Hugging Face names.
    pub fn tensors(&self) -> &HashMap<String, Tensor> {
        &self.tensors
    }

    /// Writes the model as a Hugging Face folder (`model.safetensors`, `config.json`, `tokenizer.json`).
    pub fn export_hf(&self, source_dir: &Path, out: &Path) -> Result<(), WhisperError> {
        std::fs::create_dir_all(out).map_err(|e| WhisperError::Io(out.to_path_buf(), e))?;
        candle_core::safetensors::save(&self.tensors, out.join("model.safetensors"))?;
        let config = super::config::hf_config_json(&self.config, &self.suppress);
        let config_path = out.join("config.json");
        std::fs::write(&config_path, config.to_string())
            .map_err(|e| WhisperError::Io(config_path, e))?;
        let tok = out.join("tokenizer.json");
        std::fs::copy(source_dir.join("tokenizer.json"), &tok)
            .map_err(|e| WhisperError::Io(tok, e))?;
        Ok(())
    }
}
