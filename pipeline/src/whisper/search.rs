//! Decoding one 30 s window: greedy, best-of-N sampling and beam search,
//! with Whisper's logit filters (blank and token suppression, timestamp
//! rules), as openai-whisper and faster-whisper do it.

use super::decoder::{log_softmax, DecoderState};
use super::model::WhisperModel;
use super::softmax::log_sum_exp;
use super::WhisperError;
use candle_core::Tensor;
use rayon::prelude::*;

/// How to decode a window.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Beams at temperature 0; 1 is greedy.
    pub beam_size: usize,
    /// Samples drawn at temperature > 0, the best kept.
    pub best_of: usize,
    /// Beam search stops after `round(beam_size × patience)` finished candidates.
    pub patience: f32,
    /// `None`: rank by log-prob ÷ length; `Some(a)`: ÷ ((5 + length) / 6)^a.
    pub length_penalty: Option<f32>,
    /// Suppress blank and end-of-text as the first token.
    pub suppress_blank: bool,
    /// The latest the first timestamp may be, in seconds.
    pub max_initial_timestamp: f32,
    /// The most tokens sampled per window.
    pub sample_len: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            beam_size: 5,
            best_of: 5,
            patience: 1.0,
            length_penalty: None,
            suppress_blank: true,
            max_initial_timestamp: 1.0,
            sample_len: 224,
        }
    }
}

/// The outcome of decoding one window at one temperature.
#[derive(Debug, Clone)]
pub struct WindowResult {
    /// Sampled tokens (text and timestamps), without the prefix and end-of-text.
    pub tokens: Vec<u32>,
    /// Sum of the chosen tokens' log-probabilities (end-of-text included).
    pub sum_logprob: f64,
    /// `sum_logprob / (tokens + 1)`.
    pub avg_logprob: f64,
    /// Probability of `<|nospeech|>` at the first step.
    pub no_speech_prob: f32,
    /// The temperature used.
    pub temperature: f32,
}

/// A sequence being decoded.
#[derive(Clone, Default)]
struct Hypothesis {
    tokens: Vec<u32>,
    sum_logprob: f64,
}

/// A tiny deterministic generator for temperature sampling (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Token filters precomputed for a model.
pub struct Filters {
    suppress: Vec<u32>,
    at_begin: Vec<u32>,
    eot: u32,
    no_timestamps: u32,
    timestamp_begin: u32,
    max_initial_index: usize,
}

impl Filters {
    /// Filters for `model`: its suppress list plus the special tokens that are never sampled.
    pub fn new(model: &WhisperModel, opts: &SearchOptions) -> Self {
        let v = &model.vocab;
        let mut suppress = model.suppress.always.clone();
        suppress.extend([v.transcribe, v.translate, v.sot, v.sot_prev]);
        suppress.extend(v.sot_lm);
        suppress.extend(v.no_speech);
        suppress.sort_unstable();
        suppress.dedup();
        let at_begin = if opts.suppress_blank {
            let mut b = model.suppress.at_begin.clone();
            if b.is_empty() {
                b = model.vocab.encode(" ").unwrap_or_default();
                b.push(v.eot);
            }
            b
        } else {
            Vec::new()
        };
        Self {
            suppress,
            at_begin,
            eot: v.eot,
            no_timestamps: v.no_timestamps,
            timestamp_begin: v.timestamp_begin,
            max_initial_index: (opts.max_initial_timestamp / 0.02).round() as usize,
        }
    }

    /// Applies every filter to one row's logits and returns its log-probabilities.
    fn apply(&self, logits: &mut [f32], sampled: &[u32]) -> Vec<f32> {
        let ninf = f32::NEG_INFINITY;
        let tb = self.timestamp_begin as usize;
        let vocab = logits.len();
        if sampled.is_empty() {
            for &t in &self.at_begin {
                set(logits, t, ninf);
            }
        }
        for &t in &self.suppress {
            set(logits, t, ninf);
        }
        set(logits, self.no_timestamps, ninf);
        // Timestamps come in pairs, never decrease, and the window starts with one.
        let last_ts = sampled.last().is_some_and(|&t| t >= self.timestamp_begin);
        let penultimate_ts =
            sampled.len() < 2 || sampled[sampled.len() - 2] >= self.timestamp_begin;
        if last_ts {
            if penultimate_ts {
                logits[tb.min(vocab)..].fill(ninf);
            } else {
                logits[..(self.eot as usize).min(vocab)].fill(ninf);
            }
        }
        if let Some(&last) = sampled.iter().rev().find(|&&t| t >= self.timestamp_begin) {
            let upto = if last_ts && !penultimate_ts {
                last
            } else {
                last + 1
            } as usize;
            logits[tb.min(vocab)..upto.min(vocab)].fill(ninf);
        }
        if sampled.is_empty() {
            logits[..tb.min(vocab)].fill(ninf);
            let last_allowed = tb + self.max_initial_index;
            if last_allowed + 1 < vocab {
                logits[last_allowed + 1..].fill(ninf);
            }
        }
        let logprobs = log_softmax(logits);
        if tb < vocab {
            let ts_logprob = log_sum_exp(&logprobs[tb..]);
            let max_text = logprobs[..tb]
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            if ts_logprob > max_text {
                logits[..tb].fill(ninf);
                return log_softmax(logits);
            }
        }
        logprobs
    }
}

fn set(logits: &mut [f32], token: u32, value: f32) {
    if let Some(l) = logits.get_mut(token as usize) {
        *l = value;
    }
}

/// Decodes one window from encoder output `audio` after the `prefix` tokens
/// (prompt and start-of-transcript sequence).
pub fn decode_window(
    model: &WhisperModel,
    filters: &Filters,
    audio: &Tensor,
    prefix: &[u32],
    opts: &SearchOptions,
    temperature: f32,
    rng: &mut Rng,
) -> Result<WindowResult, WhisperError> {
    let device = audio.device();
    let decoder = &model.decoder;
    let mut state = decoder.start(audio)?;
    let logits = decoder.forward(&Tensor::new(prefix, device)?.unsqueeze(0)?, &mut state)?;
    let mut rows: Vec<Vec<f32>> = logits.to_vec2()?;
    let no_speech_prob = match model.vocab.no_speech {
        Some(t) => log_softmax(&rows[0])
            .get(t as usize)
            .map_or(0.0, |l| l.exp()),
        None => 0.0,
    };
    let sample_len = opts
        .sample_len
        .min(decoder.max_len().saturating_sub(prefix.len() + 1));
    let beam = temperature == 0.0 && opts.beam_size > 1;
    let width = if beam {
        opts.beam_size
    } else if temperature > 0.0 {
        opts.best_of.max(1)
    } else {
        1
    };
    let mut active = vec![Hypothesis::default()];
    if !beam && width > 1 {
        // Independent samples from the same prefix.
        state.select(&vec![0; width])?;
        rows = vec![rows[0].clone(); width];
        active = vec![Hypothesis::default(); width];
    }
    let max_finished = ((opts.beam_size as f32 * opts.patience).round() as usize).max(1);
    let mut finished: Vec<Hypothesis> = Vec::new();
    for _ in 0..sample_len {
        // Each row's filters and log-softmax over the whole vocabulary are
        // independent: one row per worker.
        let logprobs: Vec<Vec<f32>> = rows
            .par_iter_mut()
            .zip(active.par_iter())
            .map(|(row, h)| filters.apply(row, &h.tokens))
            .collect();
        let (next, keep) = if beam {
            beam_step(
                &active,
                &logprobs,
                opts.beam_size,
                max_finished,
                filters.eot,
                &mut finished,
            )
        } else {
            sample_step(
                &active,
                &logprobs,
                &rows,
                temperature,
                filters.eot,
                rng,
                &mut finished,
            )
        };
        if next.is_empty() || (beam && finished.len() >= max_finished) {
            active = next;
            break;
        }
        state_select(&mut state, &keep, active.len())?;
        let feed: Vec<u32> = next
            .iter()
            .map(|h| h.tokens.last().copied().unwrap_or(filters.eot))
            .collect();
        active = next;
        let logits = decoder.forward(
            &Tensor::new(feed.as_slice(), device)?.unsqueeze(1)?,
            &mut state,
        )?;
        rows = logits.to_vec2()?;
    }
    if finished.is_empty() {
        finished = active;
    }
    let penalty = |len: usize| match opts.length_penalty {
        None => len as f64,
        Some(a) => ((5.0 + len as f64) / 6.0).powf(a as f64),
    };
    let best = finished
        .into_iter()
        .max_by(|a, b| {
            let sa = a.sum_logprob / penalty(a.tokens.len()).max(1.0);
            let sb = b.sum_logprob / penalty(b.tokens.len()).max(1.0);
            sa.total_cmp(&sb)
        })
        .unwrap_or_default();
    let avg_logprob = best.sum_logprob / (best.tokens.len() + 1) as f64;
    Ok(WindowResult {
        tokens: best.tokens,
        sum_logprob: best.sum_logprob,
        avg_logprob,
        no_speech_prob,
        temperature,
    })
}

/// Keeps the decoder rows the next step grows from, skipping the copy when nothing moved.
fn state_select(state: &mut DecoderState, keep: &[u32], rows: usize) -> Result<(), WhisperError> {
    let identity = keep.len() == rows && keep.iter().enumerate().all(|(i, &k)| i as u32 == k);
    if !identity {
        state.select(keep)?;
    }
    Ok(())
}

/// Greedy (temperature 0) or sampled next tokens; finished rows leave the batch.
fn sample_step(
    active: &[Hypothesis],
    logprobs: &[Vec<f32>],
    logits: &[Vec<f32>],
    temperature: f32,
    eot: u32,
    rng: &mut Rng,
    finished: &mut Vec<Hypothesis>,
) -> (Vec<Hypothesis>, Vec<u32>) {
    let mut next = Vec::new();
    let mut keep = Vec::new();
    for (i, (h, lp)) in active.iter().zip(logprobs).enumerate() {
        let token = if temperature > 0.0 {
            sample(&logits[i], temperature, rng)
        } else {
            argmax(lp)
        };
        let mut h = h.clone();
        h.sum_logprob += lp[token as usize] as f64;
        if token == eot {
            finished.push(h);
        } else {
            h.tokens.push(token);
            next.push(h);
            keep.push(i as u32);
        }
    }
    (next, keep)
}

/// One beam-search step: the best `beam` continuations over all beams; those ending in end-of-text are finished.
fn beam_step(
    active: &[Hypothesis],
    logprobs: &[Vec<f32>],
    beam: usize,
    max_finished: usize,
    eot: u32,
    finished: &mut Vec<Hypothesis>,
) -> (Vec<Hypothesis>, Vec<u32>) {
    let mut candidates: Vec<(f64, usize, u32)> = Vec::new();
    for (i, (h, lp)) in active.iter().zip(logprobs).enumerate() {
        for (token, l) in top_k(lp, beam + 1) {
            candidates.push((h.sum_logprob + l as f64, i, token));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut next = Vec::new();
    let mut keep = Vec::new();
    for (score, i, token) in candidates {
        if score == f64::NEG_INFINITY {
            break;
        }
        if token == eot {
            if finished.len() < max_finished {
                finished.push(Hypothesis {
                    tokens: active[i].tokens.clone(),
                    sum_logprob: score,
                });
            }
        } else {
            let mut tokens = active[i].tokens.clone();
            tokens.push(token);
            next.push(Hypothesis {
                tokens,
                sum_logprob: score,
            });
            keep.push(i as u32);
            if next.len() == beam {
                break;
            }
        }
    }
    (next, keep)
}

fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best as u32
}

/// The `k` largest values with their indices, largest first.
fn top_k(values: &[f32], k: usize) -> Vec<(u32, f32)> {
    let mut top: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
    for (i, &v) in values.iter().enumerate() {
        if v == f32::NEG_INFINITY || (top.len() == k && v <= top[k - 1].1) {
            continue;
        }
        let pos = top.partition_point(|&(_, t)| t >= v);
        top.insert(pos, (i as u32, v));
        top.truncate(k);
    }
    top
}

/// Draws a token from `softmax(logits / temperature)` (logits already filtered).
fn sample(logits: &[f32], temperature: f32, rng: &mut Rng) -> u32 {
    let scaled: Vec<f32> = logits.iter().map(|&l| l / temperature).collect();
    let probs: Vec<f64> = log_softmax(&scaled)
        .iter()
        .map(|&l| (l as f64).exp())
        .collect();
    let mut r = rng.next_f64();
    for (i, p) in probs.iter().enumerate() {
        r -= p;
        if r <= 0.0 {
            return i as u32;
        }
    }
    argmax(logits)
}
