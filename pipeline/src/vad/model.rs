//! Silero VAD v6 (16 kHz) on candle.
//!
//! Per 512-sample chunk (with the previous 64 samples prepended as context):
//! reflection pad → STFT as a fixed 256-tap conv with stride 128 (4 frames of
//! 129 bins) → magnitude → four conv1d+ReLU blocks (strides 1, 2, 2, 1) →
//! one LSTM cell step (hidden 128, carried across chunks) → ReLU →
//! 1×1 conv → sigmoid. Everything before the LSTM's recurrence depends on one
//! chunk only, so it runs batched over many chunks at once; only the
//! recurrent half of the LSTM runs chunk by chunk.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor, D};

use super::error::VadError;
use super::options::VadOptions;
use super::regions::{regions_from_probs, SpeechRegion};

/// Samples per VAD decision at 16 kHz (32 ms).
pub const CHUNK_SAMPLES: usize = 512;
/// Samples of the previous chunk the model sees before each chunk.
const CONTEXT: usize = 64;
/// Right reflection padding before the STFT.
const REFLECT_PAD: usize = 64;
/// Model input per chunk after context and padding.
const WINDOW: usize = CONTEXT + CHUNK_SAMPLES + REFLECT_PAD;
const N_FFT: usize = 256;
const HOP: usize = 128;
/// STFT frames per chunk: (640 - 256) / 128 + 1.
const FRAMES: usize = (WINDOW - N_FFT) / HOP + 1;
const BINS: usize = N_FFT / 2 + 1;
const HIDDEN: usize = 128;
/// Chunks whose front end runs as one batch (~65 s of audio, ~9 MB of activations).
const BATCH_CHUNKS: usize = 2048;

/// Silero VAD v6 weights, ready to score 16 kHz mono audio.
pub struct SileroVad {
    /// STFT basis as a matrix: (256 taps, 258 = 129 real + 129 imaginary).
    stft_basis_t: Tensor,
    convs: [Conv; 4],
    /// LSTM input weights transposed: (128, 512).
    weight_ih_t: Tensor,
    /// b_ih + b_hh, added once to the batched input projection: (512,).
    lstm_bias: Tensor,
    /// LSTM recurrent weights, row-major (512 gates × 128), for the sequential step.
    weight_hh: Vec<f32>,
    /// Decoder 1×1 conv weights (128,) and bias.
    decoder_w: Vec<f32>,
    decoder_b: f32,
}

/// One encoder block: conv1d (kernel 3, padding 1) + bias + ReLU.
struct Conv {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
}

impl Conv {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.conv1d(&self.weight, 1, self.stride, 1, 1)?
            .broadcast_add(&self.bias.reshape((1, (), 1))?)?
            .relu()
    }
}

impl SileroVad {
    /// Loads `silero_vad_16k.safetensors` from the silero-vad 6.x wheel.
    pub fn load(safetensors_path: &Path) -> Result<Self, VadError> {
        if !safetensors_path.is_file() {
            return Err(VadError::ModelMissing {
                path: safetensors_path.to_owned(),
            });
        }
        let invalid = |reason: String| VadError::ModelInvalid {
            path: safetensors_path.to_owned(),
            reason,
        };
        let tensors = candle_core::safetensors::load(safetensors_path, &Device::Cpu)
            .map_err(|e| invalid(e.to_string()))?;
        let weights = Weights {
            tensors: &tensors,
            invalid: &invalid,
        };
        let stft = weights.get("stft_conv.weight", &[2 * BINS, 1, N_FFT])?;
        let conv = |i: usize, out: usize, inp: usize, stride: usize| -> Result<Conv, VadError> {
            Ok(Conv {
                weight: weights.get(&format!("conv{i}.weight"), &[out, inp, 3])?,
                bias: weights.get(&format!("conv{i}.bias"), &[out])?,
                stride,
            })
        };
        let convs = [
            conv(1, 128, BINS, 1)?,
            conv(2, 64, 128, 2)?,
            conv(3, 64, 64, 2)?,
            conv(4, HIDDEN, 64, 1)?,
        ];
        let weight_ih = weights.get("lstm_cell.weight_ih", &[4 * HIDDEN, HIDDEN])?;
        let weight_hh = weights.get("lstm_cell.weight_hh", &[4 * HIDDEN, HIDDEN])?;
        let bias_ih = weights.get("lstm_cell.bias_ih", &[4 * HIDDEN])?;
        let bias_hh = weights.get("lstm_cell.bias_hh", &[4 * HIDDEN])?;
        let decoder_w = weights.get("final_conv.weight", &[1, HIDDEN, 1])?;
        let decoder_b = weights.get("final_conv.bias", &[1])?;
        let to_vec = |t: &Tensor| {
            t.flatten_all()
                .and_then(|t| t.to_vec1::<f32>())
                .map_err(|e| invalid(e.to_string()))
        };
        Ok(Self {
            stft_basis_t: stft.reshape((2 * BINS, N_FFT))?.t()?.contiguous()?,
            convs,
            weight_ih_t: weight_ih.t()?.contiguous()?,
            lstm_bias: (bias_ih + bias_hh)?,
            weight_hh: to_vec(&weight_hh)?,
            decoder_w: to_vec(&decoder_w)?,
            decoder_b: to_vec(&decoder_b)?[0],
        })
    }

    /// Speech regions with silero-vad's default options.
    pub fn speech_regions(&self, pcm: &[f32]) -> Result<Vec<SpeechRegion>, VadError> {
        self.speech_regions_with(pcm, &VadOptions::default())
    }

    /// Speech regions of 16 kHz mono `pcm`, in samples.
    pub fn speech_regions_with(
        &self,
        pcm: &[f32],
        options: &VadOptions,
    ) -> Result<Vec<SpeechRegion>, VadError> {
        let probs = self.speech_probabilities(pcm)?;
        Ok(regions_from_probs(&probs, pcm.len(), options))
    }

    /// Speech probability of every 512-sample chunk (the last one zero-padded),
    /// with the model state starting fresh at the start of `pcm`.
    pub fn speech_probabilities(&self, pcm: &[f32]) -> Result<Vec<f32>, VadError> {
        let n_chunks = pcm.len().div_ceil(CHUNK_SAMPLES);
        let mut probs = Vec::with_capacity(n_chunks);
        let mut state = LstmState::default();
        for first in (0..n_chunks).step_by(BATCH_CHUNKS) {
            let count = BATCH_CHUNKS.min(n_chunks - first);
            let gate_inputs = self.gate_inputs(pcm, first, count)?;
            for chunk_gates in gate_inputs.chunks_exact(4 * HIDDEN) {
                state.step(chunk_gates, &self.weight_hh);
                probs.push(self.decode(&state.h));
            }
        }
        Ok(probs)
    }

    /// The batched, per-chunk half: everything up to the LSTM's input
    /// projection (W_ih·x + b_ih + b_hh), flattened as (count, 512).
    fn gate_inputs(&self, pcm: &[f32], first: usize, count: usize) -> Result<Vec<f32>, VadError> {
        let frames = stft_frames(pcm, first, count);
        let frames = Tensor::from_vec(frames, (count * FRAMES, N_FFT), &Device::Cpu)?;
        let spectrum = frames.matmul(&self.stft_basis_t)?; // (count*4, 258)
        let real = spectrum.narrow(1, 0, BINS)?;
        let imag = spectrum.narrow(1, BINS, BINS)?;
        let magnitude = (real.sqr()? + imag.sqr()?)?.sqrt()?;
        // (count, 4 frames, 129 bins) → (count, 129 channels, 4 steps) for conv1d.
        let mut x = magnitude
            .reshape((count, FRAMES, BINS))?
            .transpose(1, 2)?
            .contiguous()?;
        for conv in &self.convs {
            x = conv.forward(&x)?;
        }
        // Strides 1·2·2·1 leave one step: (count, 128, 1) → (count, 128).
        let features = x.squeeze(D::Minus1)?;
        let gates = features
            .matmul(&self.weight_ih_t)?
            .broadcast_add(&self.lstm_bias)?;
        Ok(gates
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?)
    }

    /// Decoder: ReLU → 1×1 conv → sigmoid.
    fn decode(&self, h: &[f32; HIDDEN]) -> f32 {
        let logit = self
            .decoder_w
            .iter()
            .zip(h)
            .map(|(w, v)| w * v.max(0.0))
            .sum::<f32>()
            + self.decoder_b;
        sigmoid(logit)
    }
}

/// Builds the 4 STFT frames of each chunk in `first..first + count`, as
/// (count × 4, 256) row-major: zero context before the first chunk, zero
/// padding after the last sample, reflection padding on the right.
fn stft_frames(pcm: &[f32], first: usize, count: usize) -> Vec<f32> {
    let mut frames = Vec::with_capacity(count * FRAMES * N_FFT);
    let mut window = [0.0f32; WINDOW];
    for chunk in first..first + count {
        // window[0..576] = pcm[chunk*512 - 64 .. chunk*512 + 512], zeros outside pcm.
        let origin = (chunk * CHUNK_SAMPLES) as isize - CONTEXT as isize;
        for (i, slot) in window[..CONTEXT + CHUNK_SAMPLES].iter_mut().enumerate() {
            let at = origin + i as isize;
            *slot = if at >= 0 {
                pcm.get(at as usize).copied().unwrap_or(0.0)
            } else {
                0.0
            };
        }
        // Reflection (edge excluded), as torch's pad(mode="reflect").
        let n = CONTEXT + CHUNK_SAMPLES;
        for j in 0..REFLECT_PAD {
            window[n + j] = window[n - 2 - j];
        }
        for frame in 0..FRAMES {
            frames.extend_from_slice(&window[frame * HOP..frame * HOP + N_FFT]);
        }
    }
    frames
}

/// The LSTM cell's hidden and cell state, carried from chunk to chunk.
struct LstmState {
    h: [f32; HIDDEN],
    c: [f32; HIDDEN],
    gates: Vec<f32>,
}

impl Default for LstmState {
    fn default() -> Self {
        Self {
            h: [0.0; HIDDEN],
            c: [0.0; HIDDEN],
            gates: vec![0.0; 4 * HIDDEN],
        }
    }
}

impl LstmState {
    /// One step: gates = input projection + W_hh·h; PyTorch gate order i, f, g, o.
    fn step(&mut self, gate_inputs: &[f32], weight_hh: &[f32]) {
        for ((gate, input), row) in self
            .gates
            .iter_mut()
            .zip(gate_inputs)
            .zip(weight_hh.chunks_exact(HIDDEN))
        {
            *gate = input + dot(row, &self.h);
        }
        for k in 0..HIDDEN {
            let i = sigmoid(self.gates[k]);
            let f = sigmoid(self.gates[HIDDEN + k]);
            let g = self.gates[2 * HIDDEN + k].tanh();
            let o = sigmoid(self.gates[3 * HIDDEN + k]);
            self.c[k] = f * self.c[k] + i * g;
            self.h[k] = o * self.c[k].tanh();
        }
    }
}

/// Dot product in 8 independent lanes so the compiler can vectorise it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    for (ca, cb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for l in 0..8 {
            lanes[l] += ca[l] * cb[l];
        }
    }
    lanes.iter().sum()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Looks up tensors by name and checks their shapes.
struct Weights<'a, F: Fn(String) -> VadError> {
    tensors: &'a HashMap<String, Tensor>,
    invalid: &'a F,
}

impl<F: Fn(String) -> VadError> Weights<'_, F> {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor, VadError> {
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| (self.invalid)(format!("tensor {name} is missing")))?;
        if tensor.dims() != shape {
            return Err((self.invalid)(format!(
                "tensor {name} has shape {:?}, expected {shape:?}",
                tensor.dims()
            )));
        }
        Ok(tensor.to_dtype(DType::F32)?)
    }
}
