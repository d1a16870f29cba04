//! Model dimensions and token suppression lists, from either folder layout.

use super::ct2::Ct2Model;
use super::WhisperError;
use candle_transformers::models::whisper::Config;
use serde::Deserialize;
use std::path::Path;

/// Token lists from the model folder's `config.json`.
#[derive(Debug, Clone, Default)]
pub struct SuppressLists {
    /// Tokens never sampled (`-1` in `suppress_tokens` stands for this list).
    pub always: Vec<u32>,
    /// Tokens not sampled as the first token of a window.
    pub at_begin: Vec<u32>,
}

/// The CTranslate2 `config.json`.
#[derive(Deserialize)]
struct Ct2Json {
    #[serde(default)]
    suppress_ids: Vec<u32>,
    #[serde(default)]
    suppress_ids_begin: Vec<u32>,
}

/// The Hugging Face `config.json` fields beyond candle's `Config`.
#[derive(Deserialize)]
struct HfExtra {
    #[serde(default)]
    suppress_tokens: Vec<u32>,
    #[serde(default)]
    begin_suppress_tokens: Vec<u32>,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, WhisperError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| WhisperError::Io(path.to_path_buf(), e))?;
    serde_json::from_str(&text)
        .map_err(|e| WhisperError::Format(format!("{}: {e}", path.display())))
}

/// Reads a CTranslate2 folder's dimensions from the tensor shapes and its suppress lists from `config.json`.
pub fn ct2_config(
    model: &Ct2Model,
    config_json: &Path,
) -> Result<(Config, SuppressLists), WhisperError> {
    let conv1 = model.dims("encoder/conv1/weight")?;
    let [d_model, num_mel_bins, _] = conv1 else {
        return Err(WhisperError::Format(
            "encoder/conv1/weight is not 3-dimensional".into(),
        ));
    };
    let first = |name: &str| -> Result<usize, WhisperError> {
        model
            .dims(name)?
            .first()
            .copied()
            .ok_or_else(|| WhisperError::Format(format!("{name} is a scalar")))
    };
    let heads = |name: &str| -> Result<usize, WhisperError> {
        let h = model.scalar(name)?;
        usize::try_from(h).map_err(|_| WhisperError::Format(format!("{name} = {h}")))
    };
    let json: Ct2Json = read_json(config_json)?;
    let config = Config {
        num_mel_bins: *num_mel_bins,
        max_source_positions: first("encoder/position_encodings/encodings")?,
        d_model: *d_model,
        encoder_attention_heads: heads("encoder/num_heads")?,
        encoder_layers: model.layer_count("encoder"),
        vocab_size: first("decoder/embeddings/weight")?,
        max_target_positions: first("decoder/position_encodings/encodings")?,
        decoder_attention_heads: heads("decoder/num_heads")?,
        decoder_layers: model.layer_count("decoder"),
        suppress_tokens: json.suppress_ids.clone(),
    };
    Ok((
        config,
        SuppressLists {
            always: json.suppress_ids,
            at_begin: json.suppress_ids_begin,
        },
    ))
}

/// Reads a Hugging Face `config.json`.
pub fn hf_config(config_json: &Path) -> Result<(Config, SuppressLists), WhisperError> {
    let config: Config = read_json(config_json)?;
    let extra: HfExtra = read_json(config_json)?;
    Ok((
        config,
        SuppressLists {
            always: extra.suppress_tokens,
            at_begin: extra.begin_suppress_tokens,
        },
    ))
}

/// Writes a Hugging Face `config.json` for `config` (used to export a CTranslate2 model).
pub fn hf_config_json(config: &Config, suppress: &SuppressLists) -> serde_json::Value {
    serde_json::json!({
        "model_type": "whisper",
        "num_mel_bins": config.num_mel_bins,
        "max_source_positions": config.max_source_positions,
        "d_model": config.d_model,
        "encoder_attention_heads": config.encoder_attention_heads,
        "encoder_layers": config.encoder_layers,
        "vocab_size": config.vocab_size,
        "max_target_positions": config.max_target_positions,
        "decoder_attention_heads": config.decoder_attention_heads,
        "decoder_layers": config.decoder_layers,
        "suppress_tokens": suppress.always,
        "begin_suppress_tokens": suppress.at_begin,
    })
}
