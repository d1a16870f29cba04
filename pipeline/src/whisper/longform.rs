//! Long-form transcription of a PCM buffer: 30 s windows, timestamp-based
//! seeking, temperature fallback, the no-speech rule and conditioning on
//! previous text, following openai-whisper's `transcribe`.

use super::language::detect_language;
use super::mel::log_mel;
use super::model::WhisperModel;
use super::search::{decode_window, Filters, Rng, SearchOptions, WindowResult};
use super::WhisperError;
use candle_core::Tensor;
use candle_transformers::models::whisper as w;
use std::io::Write;

/// Seconds per mel frame.
const FRAME_SECONDS: f64 = w::HOP_LENGTH as f64 / w::SAMPLE_RATE as f64;
/// Seconds per timestamp token.
const TIMESTAMP_SECONDS: f64 = 0.02;
/// Mel frames per encoder output position (conv2 has stride 2).
const INPUT_STRIDE: usize = 2;

/// Options of a transcription.
#[derive(Debug, Clone)]
pub struct TranscribeOptions {
    /// Language code; `None` detects it from the first window (multilingual models).
    pub language: Option<String>,
    /// Search settings per window.
    pub search: SearchOptions,
    /// Temperatures tried in turn while a window's result is rejected.
    pub temperatures: Vec<f32>,
    /// Reject a window whose text compresses better than this (repetition).
    pub compression_ratio_threshold: Option<f64>,
    /// Reject a window whose mean log-probability is below this.
    pub logprob_threshold: Option<f64>,
    /// Treat a window as silence when `<|nospeech|>` is likelier than this and the log-prob is low.
    pub no_speech_threshold: Option<f32>,
    /// Prompt each window with the text before it.
    pub condition_on_previous_text: bool,
    /// Stop conditioning after a window needed a temperature above this.
    pub prompt_reset_on_temperature: f32,
    /// Text that precedes the recording (names, jargon).
    pub initial_prompt: Option<String>,
}

impl Default for TranscribeOptions {
    fn default() -> Self {
        Self {
            language: None,
            search: SearchOptions::default(),
            temperatures: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            compression_ratio_threshold: Some(2.4),
            logprob_threshold: Some(-1.0),
            no_speech_threshold: Some(0.6),
            condition_on_previous_text: true,
            prompt_reset_on_temperature: 0.5,
            initial_prompt: None,
        }
    }
}

/// A stretch of recognised text, times in seconds from the buffer's start.
#[derive(Debug, Clone)]
pub struct RawSegment {
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// The text.
    pub text: String,
    /// Text and timestamp tokens of the segment.
    pub tokens: Vec<u32>,
    /// Mean log-probability of the window it came from.
    pub avg_logprob: f64,
    /// Probability of no speech in its window.
    pub no_speech_prob: f32,
}

/// The result of transcribing one buffer.
#[derive(Debug, Clone)]
pub struct Transcription {
    /// Segments in time order.
    pub segments: Vec<RawSegment>,
    /// The language used.
    pub language: String,
    /// Its detected probability (1 when given).
    pub language_probability: f32,
}

/// Transcribes 16 kHz mono `pcm`; `progress(done, total)` reports seconds decoded.
pub fn transcribe_pcm(
    model: &mut WhisperModel,
    pcm: &[f32],
    opts: &TranscribeOptions,
    progress: &mut dyn FnMut(f64, f64),
) -> Result<Transcription, WhisperError> {
    let n_mels = model.config.num_mel_bins;
    let started = std::time::Instant::now();
    let (mel, frames, content_frames) = log_mel(&model.config, &model.filters, pcm);
    tracing::debug!(elapsed = ?started.elapsed(), "log-mel computed");
    let total_seconds = content_frames as f64 * FRAME_SECONDS;
    let window = |seek: usize, size: usize| -> Result<Tensor, WhisperError> {
        // Content frames, then zeros up to 30 s, as Whisper pads a window.
        let mut data = vec![0f32; n_mels * w::N_FRAMES];
        for m in 0..n_mels {
            let row = &mel[m * frames + seek..m * frames + seek + size];
            data[m * w::N_FRAMES..m * w::N_FRAMES + size].copy_from_slice(row);
        }
        Ok(Tensor::from_vec(
            data,
            (1, n_mels, w::N_FRAMES),
            model.device(),
        )?)
    };

    let (language, language_probability) = match (&opts.language, model.is_multilingual()) {
        (_, false) => ("en".to_owned(), 1.0),
        (Some(lang), true) => {
            model.vocab.language_token(lang)?;
            (lang.clone(), 1.0)
        }
        (None, true) => {
            let features = model
                .encoder
                .forward(&window(0, content_frames.min(w::N_FRAMES))?)?;
            detect_language(model, &features)?
        }
    };
    let v = &model.vocab;
    let sot_sequence = if model.is_multilingual() {
        vec![v.sot, v.language_token(&language)?, v.transcribe]
    } else {
        vec![v.sot]
    };
    let filters = Filters::new(model, &opts.search);
    let mut rng = Rng::new(0x5eed_1234);
    let mut all_tokens: Vec<u32> = match &opts.initial_prompt {
        Some(p) if !p.trim().is_empty() => v.encode(&format!(" {}", p.trim()))?,
        _ => Vec::new(),
    };
    let mut prompt_reset_since = 0;
    let mut segments = Vec::new();
    let mut seek = 0;
    let max_prompt = model.decoder.max_len() / 2 - 1;
    while seek < content_frames {
        let time_offset = seek as f64 * FRAME_SECONDS;
        let segment_size = w::N_FRAMES.min(content_frames - seek);
        let encoder_started = std::time::Instant::now();
        let features = model.encoder.forward(&window(seek, segment_size)?)?;
        let encoder_elapsed = encoder_started.elapsed();
        let mut prefix = Vec::new();
        let previous = &all_tokens[prompt_reset_since..];
        if !previous.is_empty() {
            prefix.push(model.vocab.sot_prev);
            prefix.extend_from_slice(&previous[previous.len().saturating_sub(max_prompt)..]);
        }
        prefix.extend_from_slice(&sot_sequence);
        let t0 = std::time::Instant::now();
        let result = decode_with_fallback(model, &filters, &features, &prefix, opts, &mut rng)?;
        tracing::debug!(seek, frames = segment_size, encoder = ?encoder_elapsed, elapsed = ?t0.elapsed(), tokens = result.tokens.len(), temperature = result.temperature, avg_logprob = result.avg_logprob, no_speech_prob = result.no_speech_prob, "window decoded");
        let segment_seconds = segment_size as f64 * FRAME_SECONDS;

        if let Some(threshold) = opts.no_speech_threshold {
            let confident = opts
                .logprob_threshold
                .is_some_and(|t| result.avg_logprob > t);
            if result.no_speech_prob > threshold && !confident {
                seek += segment_size;
                progress(
                    (seek as f64 * FRAME_SECONDS).min(total_seconds),
                    total_seconds,
                );
                continue;
            }
        }

        let tokens = &result.tokens;
        let tb = model.vocab.timestamp_begin;
        let is_ts: Vec<bool> = tokens.iter().map(|&t| t >= tb).collect();
        let n = tokens.len();
        let single_timestamp_ending = n >= 2 && !is_ts[n - 2] && is_ts[n - 1];
        let mut slices: Vec<usize> = (1..n).filter(|&i| is_ts[i - 1] && is_ts[i]).collect();
        let mut new_segments = Vec::new();
        if !slices.is_empty() {
            if single_timestamp_ending {
                slices.push(n);
            }
            let mut last = 0;
            for &current in &slices {
                let sliced = &tokens[last..current];
                let start = time_offset + (sliced[0].saturating_sub(tb)) as f64 * TIMESTAMP_SECONDS;
                let end = time_offset
                    + (sliced[sliced.len() - 1].saturating_sub(tb)) as f64 * TIMESTAMP_SECONDS;
                new_segments.push((start, end, sliced.to_vec()));
                last = current;
            }
            if single_timestamp_ending {
                seek += segment_size;
            } else {
                let last_ts = tokens[last - 1].saturating_sub(tb) as usize;
                seek += last_ts * INPUT_STRIDE;
            }
        } else {
            let mut duration = segment_seconds;
            if let Some(&last_ts) = tokens.iter().rev().find(|&&t| t >= tb) {
                if last_ts != tb {
                    duration = (last_ts - tb) as f64 * TIMESTAMP_SECONDS;
                }
            }
            new_segments.push((time_offset, time_offset + duration, tokens.clone()));
            seek += segment_size;
        }
        // The prompt of the next window is the tokens of the segments kept
        // here, as in openai-whisper and faster-whisper: not the unfinished
        // text after the last timestamp pair, which the next window decodes again.
        let mut kept_tokens = Vec::new();
        for (start, end, toks) in new_segments {
            let text = model.vocab.decode(&toks)?;
            if text.trim().is_empty() || end <= start {
                continue;
            }
            kept_tokens.extend_from_slice(&toks);
            segments.push(RawSegment {
                start,
                end: end.min(total_seconds.max(start)),
                text,
                tokens: toks,
                avg_logprob: result.avg_logprob,
                no_speech_prob: result.no_speech_prob,
            });
        }
        all_tokens.extend_from_slice(&kept_tokens);
        if !opts.condition_on_previous_text || result.temperature > opts.prompt_reset_on_temperature
        {
            prompt_reset_since = all_tokens.len();
        }
        progress(
            (seek as f64 * FRAME_SECONDS).min(total_seconds),
            total_seconds,
        );
    }
    Ok(Transcription {
        segments,
        language,
        language_probability,
    })
}

/// Decodes a window at rising temperatures until the result is neither repetitive nor improbable.
fn decode_with_fallback(
    model: &WhisperModel,
    filters: &Filters,
    features: &Tensor,
    prefix: &[u32],
    opts: &TranscribeOptions,
    rng: &mut Rng,
) -> Result<WindowResult, WhisperError> {
    let mut best: Option<WindowResult> = None;
    for &temperature in &opts.temperatures {
        let result = decode_window(
            model,
            filters,
            features,
            prefix,
            &opts.search,
            temperature,
            rng,
        )?;
        let text = model.vocab.decode(&result.tokens)?;
        let mut needs_fallback = false;
        if opts
            .compression_ratio_threshold
            .is_some_and(|t| compression_ratio(&text) > t)
        {
            needs_fallback = true;
        }
        let low_logprob = opts
            .logprob_threshold
            .is_some_and(|t| result.avg_logprob < t);
        if low_logprob {
            needs_fallback = true;
        }
        // Silence: the no-speech rule will drop the window, no point retrying.
        if opts
            .no_speech_threshold
            .is_some_and(|t| result.no_speech_prob > t)
            && low_logprob
        {
            needs_fallback = false;
        }
        if !needs_fallback {
            return Ok(result);
        }
        if best
            .as_ref()
            .is_none_or(|b| result.avg_logprob > b.avg_logprob)
        {
            best = Some(result);
        }
    }
    best.ok_or_else(|| WhisperError::Format("no temperatures to decode with".into()))
}

/// Text length ÷ its zlib-compressed length; high means repetitive.
pub fn compression_ratio(text: &str) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = enc
        .write_all(text.as_bytes())
        .and_then(|_| enc.finish())
        .map(|c| c.len())
        .unwrap_or(1);
    text.len() as f64 / compressed.max(1) as f64
}
