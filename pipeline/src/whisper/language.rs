//! Spoken-language detection from one window of a multilingual model.

use super::decoder::log_softmax;
use super::model::WhisperModel;
use super::WhisperError;
use candle_core::Tensor;

/// The most probable language of encoded audio and its probability, from
/// the decoder's distribution over language tokens after `<|startoftranscript|>`.
pub fn detect_language(
    model: &WhisperModel,
    features: &Tensor,
) -> Result<(String, f32), WhisperError> {
    let probs = language_probabilities(model, features)?;
    probs
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .ok_or_else(|| WhisperError::Format("the model has no language tokens".into()))
}

/// Every language of the model with its probability.
pub fn language_probabilities(
    model: &WhisperModel,
    features: &Tensor,
) -> Result<Vec<(String, f32)>, WhisperError> {
    let mut state = model.decoder.start(features)?;
    let sot = Tensor::new(&[[model.vocab.sot]], features.device())?;
    let logits: Vec<f32> = model
        .decoder
        .forward(&sot, &mut state)?
        .squeeze(0)?
        .to_vec1()?;
    let langs = &model.vocab.languages;
    let lang_logits: Vec<f32> = langs
        .iter()
        .map(|(_, id)| {
            logits
                .get(*id as usize)
                .copied()
                .unwrap_or(f32::NEG_INFINITY)
        })
        .collect();
    let logprobs = log_softmax(&lang_logits);
    Ok(langs
        .iter()
        .zip(logprobs)
        .map(|((code, _), lp)| (code.clone(), lp.exp()))
        .collect())
}

/// Detects the language of the first 30 s of 16 kHz mono `pcm`.
pub fn detect_language_pcm(
    model: &mut WhisperModel,
    pcm: &[f32],
) -> Result<(String, f32), WhisperError> {
    use candle_transformers::models::whisper as w;
    let head = &pcm[..pcm.len().min(w::N_SAMPLES)];
    let n_mels = model.config.num_mel_bins;
    let (mel, frames, content) = super::mel::log_mel(&model.config, &model.filters, head);
    let size = content.min(w::N_FRAMES);
    let mut data = vec![0f32; n_mels * w::N_FRAMES];
    for m in 0..n_mels {
        data[m * w::N_FRAMES..m * w::N_FRAMES + size]
            .copy_from_slice(&mel[m * frames..m * frames + size]);
    }
    let input = Tensor::from_vec(data, (1, n_mels, w::N_FRAMES), model.device())?;
    let features = model.encoder.forward(&input)?;
    detect_language(model, &features)
}
