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

/// The number format of the weights the products read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightFormat {
    /// As stored (fp16 checkpoints are widened to f32; exact).
    #[default]
    Float,
    /// 8-bit blocks with one scale per 32 values (candle's `q8_0`): a quarter
    /// of the memory, products through candle's quantized kernels.
    Q8,
    /// Speed over the last bits, on the CPU: 8 bits with one scale per row
    /// for decode steps (VNNI; half the bytes of f16, as CTranslate2's
    /// int8), f16 audio keys and values, and the decoder's many-row
    /// products (the audio's keys and values, prompts) and the encoder's
    /// convolutions in bf16 too.
    Int8,
}

/// Where and how a model runs.
#[derive(Debug, Clone)]
pub struct ModelOptions {
    /// The device: the CPU, or a CUDA GPU (builds with the `cuda` feature).
    pub device: Device,
    /// The weights' number format.
    pub weights: WeightFormat,
    /// On CPUs with a bf16 unit (AMX, AVX512-BF16), long products (a 30 s
    /// window) in bf16 with f32 sums.
    pub bf16: bool,
    /// Only candle's device-generic operations, as on a GPU, even on the
    /// CPU: lets the GPU path be tested where there is no GPU.
    pub portable: bool,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            device: Device::Cpu,
            weights: WeightFormat::Float,
            bf16: true,
            portable: false,
        }
    }
}

impl WeightFormat {
    /// `int8` on CPUs whose int8 and bf16 products have vector units
    /// (AVX512-VNNI and a bf16 unit), where it is the fastest; `float`
    /// elsewhere (a GPU, or a CPU where int8 would run a plain loop).
    pub fn fastest_for(device: &Device) -> Self {
        #[cfg(target_arch = "x86_64")]
        if device.is_cpu()
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vnni")
            && super::bf16::available()
        {
            return Self::Int8;
        }
        let _ = device;
        Self::Float
    }
}

impl std::str::FromStr for WeightFormat {
    type Err = WhisperError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "float" | "f32" | "f16" => Ok(Self::Float),
            "q8" | "q8_0" => Ok(Self::Q8),
            "int8" | "i8" => Ok(Self::Int8),
            other => Err(WhisperError::Device(format!(
                "`{other}` is not a weight format: use auto, float, int8 or q8"
            ))),
        }
    }
}

impl ModelOptions {
    /// Whether our own CPU kernels (not candle's generic operations) run.
    pub(crate) fn uses_cpu_kernels(&self) -> bool {
        self.device.is_cpu() && !self.portable
    }

    /// Options from their settings' names (`[transcription]` device, weights, bf16).
    /// `auto` weights are [`WeightFormat::fastest_for`] the device.
    pub fn from_settings(device: &str, weights: &str, bf16: bool) -> Result<Self, WhisperError> {
        let device = parse_device(device)?;
        let weights = if weights.trim().eq_ignore_ascii_case("auto") {
            WeightFormat::fastest_for(&device)
        } else {
            weights.parse()?
        };
        Ok(Self {
            device,
            weights,
            bf16,
            portable: false,
        })
    }

    /// Whether products on many rows run in bf16 (AMX or AVX512-BF16).
    pub(crate) fn uses_bf16(&self) -> bool {
        self.bf16
            && self.uses_cpu_kernels()
            && self.weights != WeightFormat::Q8
            && super::bf16::available()
    }
}

/// Parses a device name: `cpu`, `cuda` (the first GPU) or `cuda:N`.
pub fn parse_device(name: &str) -> Result<Device, WhisperError> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("cpu") {
        return Ok(Device::Cpu);
    }
    let ordinal = match name.strip_prefix("cuda") {
        Some("") => 0,
        Some(rest) => rest
            .strip_prefix(':')
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| {
                WhisperError::Device(format!("`{name}` is not a device: use cpu, cuda or cuda:N"))
            })?,
        None => {
            return Err(WhisperError::Device(format!(
                "`{name}` is not a device: use cpu, cuda or cuda:N"
            )))
        }
    };
    if !candle_core::utils::cuda_is_available() {
        return Err(WhisperError::Device(
            "this build has no CUDA support: build with `cargo build --release --features cuda` (needs the CUDA toolkit)".to_owned(),
        ));
    }
    Device::new_cuda(ordinal)
        .map_err(|e| WhisperError::Device(format!("CUDA device {ordinal} cannot be used: {e}")))
}

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
    /// The tensors under their Hugging Face names (kept for export; not
    /// kept for quantized models, whose point is to drop them).
    tensors: Option<HashMap<String, Tensor>>,
    /// Where and how it runs.
    pub options: ModelOptions,
}

impl WhisperModel {
    /// Loads a CTranslate2 folder (`model.bin`) or a Hugging Face folder
    /// (`model.safetensors`) to run on the CPU with the weights as stored.
    pub fn load(dir: &Path) -> Result<Self, WhisperError> {
        Self::load_with(dir, &ModelOptions::default())
    }

    /// [`WhisperModel::load`] with a device and weight format.
    pub fn load_with(dir: &Path, options: &ModelOptions) -> Result<Self, WhisperError> {
        let device = options.device.clone();
        let started = std::time::Instant::now();
        let tokenizer = dir.join("tokenizer.json");
        if dir.join("model.bin").is_file() {
            let ct2 = Ct2Model::read(&dir.join("model.bin"))?;
            let (config, suppress) = ct2_config(&ct2, &dir.join("config.json"))?;
            let tensors = ct2.hf_tensors(&device)?;
            tracing::debug!(elapsed = ?started.elapsed(), "model.bin read");
            let vocab = Vocab::load(&tokenizer)?;
            tracing::debug!(elapsed = ?started.elapsed(), "tokenizer read");
            let model = Self::build(tensors, config, suppress, vocab, Layout::Ct2, options);
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
                options,
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
        options: &ModelOptions,
    ) -> Result<Self, WhisperError> {
        let vb = VarBuilder::from_tensors(tensors.clone(), DType::F32, &options.device);
        let encoder = AudioEncoder::load(vb.pp("model.encoder"), &config, options)?;
        let decoder = CachedDecoder::load(vb.pp("model.decoder"), &config, options)?;
        drop(vb);
        let tensors = (options.weights != WeightFormat::Q8).then_some(tensors);
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
            options: options.clone(),
        })
    }

    /// Whether the model knows more than English.
    pub fn is_multilingual(&self) -> bool {
        self.config.vocab_size >= 51865
    }

    /// The weights under their Hugging Face names (none for a quantized model).
    pub fn tensors(&self) -> Option<&HashMap<String, Tensor>> {
        self.tensors.as_ref()
    }

    /// The device the model runs on.
    pub fn device(&self) -> &Device {
        &self.options.device
    }

    /// Writes the model as a Hugging Face folder (`model.safetensors`, `config.json`, `tokenizer.json`).
    pub fn export_hf(&self, source_dir: &Path, out: &Path) -> Result<(), WhisperError> {
        let Some(tensors) = &self.tensors else {
            return Err(WhisperError::NotExportable);
        };
        std::fs::create_dir_all(out).map_err(|e| WhisperError::Io(out.to_path_buf(), e))?;
        candle_core::safetensors::save(tensors, out.join("model.safetensors"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_weight_formats_parse_or_say_what_is_accepted() {
        assert!(parse_device("cpu").expect("cpu").is_cpu());
        assert!(parse_device(" CPU ").expect("cpu").is_cpu());
        for wrong in ["gpu", "cuda:x", "cuda0", ""] {
            let message = parse_device(wrong).expect_err(wrong).to_string();
            assert!(
                message.contains("cpu, cuda or cuda:N"),
                "{wrong}: {message}"
            );
        }
        if !candle_core::utils::cuda_is_available() {
            let message = parse_device("cuda:0").expect_err("no CUDA").to_string();
            assert!(message.contains("--features cuda"), "{message}");
        }
        assert_eq!("q8".parse::<WeightFormat>().ok(), Some(WeightFormat::Q8));
        assert_eq!(
            "int8".parse::<WeightFormat>().ok(),
            Some(WeightFormat::Int8)
        );
        assert_eq!(
            "float".parse::<WeightFormat>().ok(),
            Some(WeightFormat::Float)
        );
        let message = "q4".parse::<WeightFormat>().expect_err("q4").to_string();
        assert!(message.contains("auto, float, int8 or q8"), "{message}");
        let auto = ModelOptions::from_settings("cpu", "auto", true).expect("auto");
        assert_eq!(auto.weights, WeightFormat::fastest_for(&Device::Cpu));
    }
}
