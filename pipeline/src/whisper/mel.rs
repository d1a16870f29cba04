//! The log-mel front end: Slaney mel filters (as librosa and Whisper build
//! them) over a real-FFT short-time Fourier transform.
//!
//! It computes what openai-whisper's `log_mel_spectrogram(audio,
//! padding=N_SAMPLES)` does (Hann window, `torch.stft(center=True)` with the
//! start reflect-padded, one-sided power, log10, clamp to max − 8,
//! `(x + 4) / 4`), but only for the frames that read audio: the 30 s of zero
//! padding after it all give the same value, which only enters the maximum.

use candle_transformers::models::whisper as w;
use rayon::prelude::*;
use realfft::RealFftPlanner;

/// Builds the `n_mels × (N_FFT/2 + 1)` Slaney-normalised mel filter bank for
/// 16 kHz, applied to the one-sided power spectrum (as torch's).
pub fn mel_filters(n_mels: usize) -> Vec<f32> {
    let n_freqs = w::N_FFT / 2 + 1;
    let sr = w::SAMPLE_RATE as f64;
    let fft_freqs: Vec<f64> = (0..n_freqs)
        .map(|i| i as f64 * sr / w::N_FFT as f64)
        .collect();
    let (min_mel, max_mel) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let mel_points: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(min_mel + (max_mel - min_mel) * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut filters = vec![0f32; n_mels * n_freqs];
    for m in 0..n_mels {
        let (lo, mid, hi) = (mel_points[m], mel_points[m + 1], mel_points[m + 2]);
        let norm = 2.0 / (hi - lo);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let lower = (f - lo) / (mid - lo);
            let upper = (hi - f) / (hi - mid);
            filters[m * n_freqs + k] = (lower.min(upper).max(0.0) * norm) as f32;
        }
    }
    filters
}

/// Slaney's mel scale: linear below 1 kHz, logarithmic above.
fn hz_to_mel(f: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if f >= min_log_hz {
        min_log_mel + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// The log10 of the floor on mel power (what a frame of pure silence gives).
const LOG_FLOOR: f32 = -10.0;

/// Frames handed to one worker at a time (each worker plans its FFT once).
const FRAMES_PER_TASK: usize = 256;

/// The log-mel spectrogram of a whole recording: `n_mels` rows of `frames`
/// values each; returns `(mel, frames, content_frames)`.
///
/// `frames` covers every frame that reads a sample of `pcm` (a few more than
/// the `content_frames = pcm.len() / HOP_LENGTH` that windows are cut from).
/// The normalisation's maximum also counts the frames of the 30 s of silence
/// Whisper pads the audio with, so the values equal Whisper's.
pub fn log_mel(config: &w::Config, filters: &[f32], pcm: &[f32]) -> (Vec<f32>, usize, usize) {
    let n_mels = config.num_mel_bins;
    let content_frames = pcm.len() / w::HOP_LENGTH;
    let half = w::N_FFT / 2;
    // Frame i is centred on sample i × hop: it starts at i × hop in a signal
    // whose start is reflect-padded by N_FFT/2 (torch.stft, center=True).
    let mut padded = Vec::with_capacity(half + pcm.len() + w::N_FFT);
    padded.extend((1..=half).rev().map(|i| pcm.get(i).copied().unwrap_or(0.0)));
    padded.extend_from_slice(pcm);
    let frames = padded.len().div_ceil(w::HOP_LENGTH).max(content_frames);
    padded.resize((frames - 1) * w::HOP_LENGTH + w::N_FFT, 0.0);

    let n_freqs = w::N_FFT / 2 + 1;
    // The periodic Hann window (torch.hann_window).
    let hann: Vec<f32> = (0..w::N_FFT)
        .map(|i| {
            (0.5 * (1.0 - (2.0 * std::f64::consts::PI * i as f64 / w::N_FFT as f64).cos())) as f32
        })
        .collect();
    // Frame-major log-mel, transposed to mel-major at the end.
    let mut by_frame = vec![0f32; frames * n_mels];
    by_frame
        .par_chunks_mut(FRAMES_PER_TASK * n_mels)
        .enumerate()
        .for_each(|(task, out)| {
            let fft = RealFftPlanner::<f32>::new().plan_fft_forward(w::N_FFT);
            let mut input = fft.make_input_vec();
            let mut spectrum = fft.make_output_vec();
            let mut scratch = fft.make_scratch_vec();
            let mut power = vec![0f32; n_freqs];
            for (j, row) in out.chunks_mut(n_mels).enumerate() {
                let start = (task * FRAMES_PER_TASK + j) * w::HOP_LENGTH;
                let samples = &padded[start..start + w::N_FFT];
                for ((x, &s), &h) in input.iter_mut().zip(samples).zip(&hann) {
                    *x = s * h;
                }
                // The lengths come from the same plan, so this cannot fail.
                if fft
                    .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
                    .is_err()
                {
                    row.fill(LOG_FLOOR);
                    continue;
                }
                for (p, c) in power.iter_mut().zip(&spectrum) {
                    *p = c.re * c.re + c.im * c.im;
                }
                for (m, v) in row.iter_mut().enumerate() {
                    let weights = &filters[m * n_freqs..(m + 1) * n_freqs];
                    let sum: f32 = weights.iter().zip(&power).map(|(a, b)| a * b).sum();
                    *v = sum.max(1e-10).log10();
                }
            }
        });
    let max = by_frame.iter().copied().fold(LOG_FLOOR, f32::max);
    let floor = max - 8.0;
    let mut mel = vec![0f32; n_mels * frames];
    for (i, row) in by_frame.chunks(n_mels).enumerate() {
        for (m, &v) in row.iter().enumerate() {
            mel[m * frames + i] = v.max(floor) / 4.0 + 1.0;
        }
    }
    (mel, frames, content_frames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_transformers::models::whisper::audio;

    /// The front end this module replaced: candle's `pcm_to_mel` over the
    /// audio reflect-padded at the start and followed by 30 s of zeros, with
    /// the filters halved on the bins its STFT folds the mirrored half onto.
    fn candle_log_mel(config: &w::Config, pcm: &[f32]) -> (Vec<f32>, usize) {
        let n_freqs = w::N_FFT / 2 + 1;
        let mut filters = mel_filters(config.num_mel_bins);
        for m in 0..config.num_mel_bins {
            for k in 1..n_freqs - 1 {
                filters[m * n_freqs + k] *= 0.5;
            }
        }
        let half = w::N_FFT / 2;
        let mut padded = Vec::new();
        padded.extend((1..=half).rev().map(|i| pcm.get(i).copied().unwrap_or(0.0)));
        padded.extend_from_slice(pcm);
        padded.resize(half + pcm.len() + w::N_SAMPLES, 0.0);
        let mel = audio::pcm_to_mel(config, &padded, &filters);
        let frames = mel.len() / config.num_mel_bins;
        (mel, frames)
    }

    fn config(n_mels: usize) -> w::Config {
        w::Config {
            num_mel_bins: n_mels,
            max_source_positions: 1500,
            d_model: 384,
            encoder_attention_heads: 6,
            encoder_layers: 4,
            vocab_size: 51864,
            max_target_positions: 448,
            decoder_attention_heads: 6,
            decoder_layers: 4,
            suppress_tokens: Vec::new(),
        }
    }

    /// Largest absolute difference between the two front ends over the frames windows read.
    fn max_difference(n_mels: usize, pcm: &[f32]) -> f32 {
        let config = config(n_mels);
        let (new, frames, content) = log_mel(&config, &mel_filters(n_mels), pcm);
        let (old, old_frames) = candle_log_mel(&config, pcm);
        assert_eq!(content, pcm.len() / w::HOP_LENGTH);
        assert!(frames >= content && old_frames >= frames);
        let mut worst = 0f32;
        for m in 0..n_mels {
            for i in 0..frames {
                let d = (new[m * frames + i] - old[m * old_frames + i]).abs();
                worst = worst.max(d);
            }
        }
        worst
    }

    fn speech() -> Option<Vec<f32>> {
        let dir = std::env::var_os("MYMEET_TEST_SPEECH_DIR")?;
        let path = std::path::Path::new(&dir).join("conversation/lecture_60s.flac");
        Some(crate::audio::decode_file(&path).expect("decode the lecture"))
    }

    #[test]
    fn equals_candles_front_end_on_real_speech() {
        let Some(pcm) = speech() else {
            eprintln!("MYMEET_TEST_SPEECH_DIR unset: skipped");
            return;
        };
        // 20.7 s: a length that is not a whole number of hops.
        let pcm = &pcm[..331_234.min(pcm.len())];
        for n_mels in [80, 128] {
            let worst = max_difference(n_mels, pcm);
            // Normalised units (1 = a factor 10^4 in power); float rounding only.
            assert!(worst < 1e-3, "{n_mels} mels differ by up to {worst}");
        }
    }

    #[test]
    fn equals_candles_front_end_on_short_and_quiet_input() {
        // A quiet tone: its maximum sits below the silence floor + 8, so the clamp matters.
        let tone: Vec<f32> = (0..5_000).map(|i| 1e-4 * (i as f32 * 0.05).sin()).collect();
        assert!(max_difference(80, &tone) < 1e-3);
        // Shorter than one FFT frame, and empty.
        assert!(max_difference(80, &tone[..150]) < 1e-3);
        let (mel, frames, content) = log_mel(&config(80), &mel_filters(80), &[]);
        assert_eq!((content, mel.len()), (0, frames * 80));
    }
}
