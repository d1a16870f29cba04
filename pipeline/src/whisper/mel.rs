//! The log-mel front end: Slaney mel filters (as librosa and Whisper build
//! them) fed to candle's `pcm_to_mel`.

use candle_transformers::models::whisper::{self as w, audio};

/// Builds the `n_mels × (N_FFT/2 + 1)` Slaney-normalised mel filter bank for 16 kHz.
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
    // candle's STFT folds the mirrored half of the spectrum onto bins
    // 1..N_FFT/2 (doubling their power); halve those weights so the result
    // equals torch's one-sided |STFT|².
    for m in 0..n_mels {
        for k in 1..n_freqs - 1 {
            filters[m * n_freqs + k] *= 0.5;
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

/// The log-mel spectrogram of a whole recording, `n_mels` rows of
/// frames, padded with 30 s of silence as Whisper does so that every window
/// can be cut whole; returns `(mel, frames_per_row, content_frames)`.
pub fn log_mel(config: &w::Config, filters: &[f32], pcm: &[f32]) -> (Vec<f32>, usize, usize) {
    let content_frames = pcm.len() / w::HOP_LENGTH;
    // candle's frames start at i × hop; Whisper's (torch.stft, center=True)
    // are centred there, with the start reflect-padded by N_FFT/2.
    let half = w::N_FFT / 2;
    let mut padded = Vec::with_capacity(half + pcm.len() + w::N_SAMPLES);
    padded.extend((1..=half).rev().map(|i| pcm.get(i).copied().unwrap_or(0.0)));
    padded.extend_from_slice(pcm);
    padded.resize(half + pcm.len() + w::N_SAMPLES, 0.0);
    let mel = audio::pcm_to_mel(config, &padded, filters);
    let frames = mel.len() / config.num_mel_bins;
    (mel, frames, content_frames)
}
