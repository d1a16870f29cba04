//! Whisper's audio encoder, computing what candle-transformers'
//! `AudioEncoder` does over the same tensors (`model.encoder.*`) with less
//! memory traffic in self-attention.
//!
//! candle's version materialises the scores of all heads at once
//! (`heads × 1500 × 1500` f32, 54 MB for tiny) and a second such tensor for
//! their softmax, each a fresh allocation the kernel has to fault in and
//! zero. Here each head's scores (9 MB) are computed, softmaxed in place and
//! used before the next head's, so the allocator hands the same block back
//! every time; the query carries the whole `1/√head_dim` scale, saving the
//! scaled copy of the keys; GELU runs in place with a tanh that vectorises.

use super::bf16;
use super::conv::TimeConv;
use super::model::ModelOptions;
use super::projection::{Projection, Use};
use candle_core::{CpuStorage, DType, InplaceOp1, Layout, Module, Result, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use candle_transformers::models::whisper::Config;
use rayon::prelude::*;

fn linear(
    vb: VarBuilder,
    d_in: usize,
    d_out: usize,
    bias: bool,
    options: &ModelOptions,
) -> Result<Projection> {
    Projection::load(vb, d_in, d_out, bias, Use::ManyRows, options)
}

/// A layer norm of `size` from `weight` and `bias` in `vb` (Whisper's ε, 1e-5).
pub(super) fn layer_norm(vb: VarBuilder, size: usize) -> Result<LayerNorm> {
    Ok(LayerNorm::new(
        vb.get(size, "weight")?,
        vb.get(size, "bias")?,
        1e-5,
    ))
}

struct Block {
    attn_ln: LayerNorm,
    q: Projection,
    k: Projection,
    v: Projection,
    out: Projection,
    mlp_ln: LayerNorm,
    fc1: Projection,
    fc2: Projection,
}

/// The encoder's weights.
pub struct AudioEncoder {
    conv1: TimeConv,
    conv2: TimeConv,
    positions: Tensor,
    blocks: Vec<Block>,
    ln_post: LayerNorm,
    n_head: usize,
    /// Attention in bf16 products.
    bf16: bool,
    /// Our CPU operations (in-place softmax and GELU); else candle's.
    cpu_kernels: bool,
}

impl AudioEncoder {
    /// Loads the encoder from `model.encoder.*` tensors.
    pub fn load(vb: VarBuilder, cfg: &Config, options: &ModelOptions) -> Result<Self> {
        let d = cfg.d_model;
        let blocks = (0..cfg.encoder_layers)
            .map(|i| {
                let vb = vb.pp(format!("layers.{i}"));
                let a = vb.pp("self_attn");
                Ok(Block {
                    attn_ln: layer_norm(vb.pp("self_attn_layer_norm"), d)?,
                    q: linear(a.pp("q_proj"), d, d, true, options)?,
                    k: linear(a.pp("k_proj"), d, d, false, options)?,
                    v: linear(a.pp("v_proj"), d, d, true, options)?,
                    out: linear(a.pp("out_proj"), d, d, true, options)?,
                    mlp_ln: layer_norm(vb.pp("final_layer_norm"), d)?,
                    fc1: linear(vb.pp("fc1"), d, 4 * d, true, options)?,
                    fc2: linear(vb.pp("fc2"), 4 * d, d, true, options)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            conv1: TimeConv::load(vb.pp("conv1"), cfg.num_mel_bins, d, 1, options)?,
            conv2: TimeConv::load(vb.pp("conv2"), d, d, 2, options)?,
            positions: sinusoids(cfg.max_source_positions, d, vb.device())?,
            blocks,
            ln_post: layer_norm(vb.pp("layer_norm"), d)?,
            n_head: cfg.encoder_attention_heads,
            bf16: options.uses_bf16(),
            cpu_kernels: options.uses_cpu_kernels(),
        })
    }

    /// Encodes a mel window `[1, n_mels, 3000]` into `[1, 1500, d_model]`.
    pub fn forward(&self, mel: &Tensor) -> Result<Tensor> {
        let gelu = |t: Tensor| {
            if self.cpu_kernels {
                gelu_in_place(t)
            } else {
                t.gelu()
            }
        };
        let x = gelu(self.conv1.forward(mel)?)?;
        let x = gelu(self.conv2.forward(&x)?)?.transpose(1, 2)?;
        let (_, frames, d) = x.dims3()?;
        let mut x = x.broadcast_add(&self.positions.narrow(0, 0, frames)?)?;
        let head_dim = d / self.n_head;
        let scale = (head_dim as f64).powf(-0.5);
        for block in &self.blocks {
            let h = block.attn_ln.forward(&x)?;
            // [frames, d] → [heads, frames, head_dim]
            let heads = |t: Tensor| -> Result<Tensor> {
                t.reshape((frames, self.n_head, head_dim))?
                    .transpose(0, 1)?
                    .contiguous()
            };
            let q = heads((block.q.forward(&h)? * scale)?.squeeze(0)?)?;
            let k = heads(block.k.forward(&h)?.squeeze(0)?)?;
            let v = heads(block.v.forward(&h)?.squeeze(0)?)?;
            let a = if self.bf16 {
                attention_in_bf16(&q, &k, &v)?
            } else if self.cpu_kernels {
                let mut per_head = Vec::with_capacity(self.n_head);
                for i in 0..self.n_head {
                    let scores = q.get(i)?.matmul(&k.get(i)?.t()?)?;
                    scores.inplace_op1(&SoftmaxRows)?;
                    per_head.push(scores.matmul(&v.get(i)?)?);
                }
                Tensor::stack(&per_head, 0)?
            } else {
                // On a GPU all heads at once: memory is not the constraint there.
                let scores = q.matmul(&k.t()?)?;
                candle_nn::ops::softmax_last_dim(&scores)?.matmul(&v)?
            };
            let a = a.transpose(0, 1)?.reshape((1, frames, d))?;
            x = (x + block.out.forward(&a)?)?;
            let h = block.mlp_ln.forward(&x)?;
            x = (&x + block.fc2.forward(&gelu(block.fc1.forward(&h)?)?)?)?;
        }
        self.ln_post.forward(&x)
    }
}

/// Self-attention of every head, `[heads, frames, head_dim]` each, in bf16
/// products: scores (from two-part inputs), softmax straight into bf16 rows, values.
fn attention_in_bf16(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
    let (heads, frames, head_dim) = q.dims3()?;
    let (q, k, v) = (
        q.flatten_all()?.to_vec1::<f32>()?,
        k.flatten_all()?.to_vec1::<f32>()?,
        v.flatten_all()?.to_vec1::<f32>()?,
    );
    let per_head = frames * head_dim;
    let mut out = vec![0f32; heads * per_head];
    let mut scores = vec![0f32; frames * frames];
    // Every head writes all `frames` columns of every row; the padding stays zero.
    let mut weights = bf16::Rows::zeroed(frames, frames);
    for h in 0..heads {
        let head = h * per_head..(h + 1) * per_head;
        // Scores go through exp: one bf16 rounding of q and k (scores of
        // 100 and more) would move a peaked row's weights by tens of percent,
        // so they are computed from two-part values, about as exactly as f32.
        let (q_high, q_low) = bf16::Rows::split(&q[head.clone()], frames, head_dim);
        let (k_high, k_low) = bf16::Packed::split_from_rows(&k[head.clone()], frames, head_dim);
        bf16::matmul_t_sum(
            &[(&q_high, &k_high), (&q_high, &k_low), (&q_low, &k_high)],
            None,
            &mut scores,
        );
        weights
            .blocks_mut()
            .zip(scores.par_chunks_mut(frames * bf16::BLOCK))
            .for_each(|(mut block, rows)| {
                for (i, row) in rows.chunks_exact_mut(frames).enumerate() {
                    super::softmax::softmax_into_bf16(row, block.row_mut(i));
                }
            });
        bf16::matmul_t(
            &weights,
            &bf16::Packed::from_columns(&v[head.clone()], frames, head_dim),
            None,
            &mut out[head],
        );
    }
    Tensor::from_vec(out, (heads, frames, head_dim), &candle_core::Device::Cpu)
}

/// Softmax over the last dimension of a contiguous f32 tensor, in place.
struct SoftmaxRows;

impl InplaceOp1 for SoftmaxRows {
    fn name(&self) -> &'static str {
        "softmax-rows"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("softmax-rows: f32 only");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("softmax-rows: needs a contiguous tensor");
        };
        let cols = layout.dims().last().copied().unwrap_or(1).max(1);
        values[start..end]
            .par_chunks_mut(cols)
            .for_each(super::softmax::softmax_in_place);
        Ok(())
    }
}

/// candle's `gelu` (the tanh form), in place, with a tanh that vectorises.
///
/// candle calls libm's `tanhf` once per element (11 M per window for tiny);
/// this rational approximation (Eigen's `generic_fast_tanh_float`, within a
/// few ulp of `tanhf`) is plain arithmetic the compiler turns into SIMD.
struct GeluInPlace;

/// `tanh(x)` to within a few ulp, branch-free.
#[inline(always)]
fn fast_tanh(x: f32) -> f32 {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    p = p * x2 + -8.604_672e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    p *= x;
    let mut q = x2 * 1.198_258_4e-6 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_6e-3;
    q = q * x2 + 4.893_525e-3;
    p / q
}

/// `√(2/π)`, as candle's gelu uses it.
const SQRT_TWO_OVER_PI: f32 = 0.797_884_6;

fn gelu(v: f32) -> f32 {
    0.5 * v * (1.0 + fast_tanh(SQRT_TWO_OVER_PI * v * (1.0 + 0.044715 * v * v)))
}

impl InplaceOp1 for GeluInPlace {
    fn name(&self) -> &'static str {
        "gelu-in-place"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("gelu-in-place: f32 only");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("gelu-in-place: needs a contiguous tensor");
        };
        values[start..end]
            .par_chunks_mut(16 * 1024)
            .for_each(|chunk| {
                for v in chunk {
                    *v = gelu(*v);
                }
            });
        Ok(())
    }
}

/// `t` after [`GeluInPlace`] (`t` is a fresh, unshared result).
pub(super) fn gelu_in_place(t: Tensor) -> Result<Tensor> {
    let t = t.contiguous()?;
    t.inplace_op1(&GeluInPlace)?;
    Ok(t)
}

/// Whisper's sinusoidal positions, `[length, channels]` (as candle-transformers builds them).
fn sinusoids(length: usize, channels: usize, device: &candle_core::Device) -> Result<Tensor> {
    let half = channels / 2;
    let increment = 10000f32.ln() / (half - 1) as f32;
    let inv: Vec<f32> = (0..half).map(|i| (i as f32 * -increment).exp()).collect();
    let inv = Tensor::new(inv.as_slice(), device)?.unsqueeze(0)?;
    let time = Tensor::arange(0, length as u32, device)?
        .to_dtype(DType::F32)?
        .unsqueeze(1)?;
    let scaled = (time.broadcast_as((length, half))? * inv.broadcast_as((length, half))?)?;
    Tensor::cat(&[scaled.sin()?, scaled.cos()?], 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_gelu_matches_candles_gelu() {
        let xs: Vec<f32> = (-200_000..=200_000).map(|i| i as f32 * 1e-4).collect();
        let theirs = Tensor::new(xs.as_slice(), &candle_core::Device::Cpu)
            .and_then(|t| t.gelu())
            .and_then(|t| t.to_vec1::<f32>())
            .expect("candle gelu");
        for (&x, &want) in xs.iter().zip(&theirs) {
            let got = gelu(x);
            assert!(
                (got - want).abs() <= 2e-6 * want.abs().max(1.0),
                "gelu({x}) = {got}, candle {want}"
            );
            let t = fast_tanh(x);
            assert!((t - x.tanh()).abs() <= 2e-6, "tanh({x}) = {t}");
        }
    }

    #[test]
    fn equals_candles_encoder_on_real_speech() {
        let (Some(models), Some(speech)) = (
            std::env::var_os("MYMEET_MODELS_DIR"),
            std::env::var_os("MYMEET_TEST_SPEECH_DIR"),
        ) else {
            eprintln!("MYMEET_MODELS_DIR or MYMEET_TEST_SPEECH_DIR unset: skipped");
            return;
        };
        let dir = std::path::Path::new(&models).join("tiny.en");
        // The f32 path, and the bf16 path where this CPU has a bf16 unit.
        for bf16 in [false, true] {
            let options = crate::whisper::ModelOptions {
                bf16,
                ..Default::default()
            };
            let model =
                crate::whisper::WhisperModel::load_with(&dir, &options).expect("load tiny.en");
            compare_with_candle(&model, std::path::Path::new(&speech));
        }
    }

    fn compare_with_candle(model: &crate::whisper::WhisperModel, speech: &std::path::Path) {
        let vb = VarBuilder::from_tensors(
            model.tensors().expect("float weights").clone(),
            DType::F32,
            &candle_core::Device::Cpu,
        );
        let mut reference =
            candle_transformers::models::whisper::model::Whisper::load(&vb, model.config.clone())
                .expect("candle's Whisper");
        let path = speech.join("conversation/lecture_60s.flac");
        let pcm = crate::audio::decode_file(&path).expect("decode the lecture");
        let n_mels = model.config.num_mel_bins;
        let (mel, frames, _) = super::super::mel::log_mel(&model.config, &model.filters, &pcm);
        // A full window and a short one padded with zeros, as long-form cuts them.
        for size in [3000, 548] {
            let mut data = vec![0f32; n_mels * 3000];
            for m in 0..n_mels {
                data[m * 3000..m * 3000 + size]
                    .copy_from_slice(&mel[m * frames + 1000..m * frames + 1000 + size]);
            }
            let input =
                Tensor::from_vec(data, (1, n_mels, 3000), &candle_core::Device::Cpu).unwrap();
            let ours = model.encoder.forward(&input).unwrap();
            let theirs = reference.encoder.forward(&input, true).unwrap();
            let max_abs = |t: &Tensor| -> f32 {
                t.abs()
                    .and_then(|t| t.flatten_all())
                    .and_then(|t| t.max(0))
                    .and_then(|t| t.to_scalar::<f32>())
                    .expect("max")
            };
            let diff = max_abs(&(&ours - &theirs).unwrap());
            let scale = max_abs(&theirs);
            let norm = |t: &Tensor| -> f32 {
                t.sqr()
                    .and_then(|t| t.sum_all())
                    .and_then(|t| t.to_scalar::<f32>())
                    .expect("norm")
                    .sqrt()
            };
            let relative = norm(&(&ours - &theirs).unwrap()) / norm(&theirs);
            // Per frame: cosine similarity of our and candle's vectors.
            let frames_of = |t: &Tensor| {
                t.squeeze(0)
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("frames")
            };
            let cosines: Vec<f32> = frames_of(&ours)
                .iter()
                .zip(frames_of(&theirs))
                .map(|(a, b)| {
                    let dot: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
                    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
                    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
                    dot / (na * nb)
                })
                .collect();
            let worst = cosines.iter().copied().fold(1f32, f32::min);
            let loose = cosines.iter().filter(|&&c| c < 0.999).count();
            eprintln!(
                "{size} frames: largest difference {diff} (largest value {scale}), \
                 relative {relative}, worst frame cosine {worst}, {loose} frames below 0.999"
            );
            // Summation order differs (one scale on the query instead of two):
            // float rounding. In bf16 the products take bf16 inputs (8-bit
            // mantissa), so single values move more, but frames keep their
            // direction; the WER tests check that tokens do not suffer. A rare
            // frame whose residual nearly cancels before the last layer norm
            // has its rounding amplified (one frame of this window: cosine
            // 0.966 on AVX512-BF16, 0.997 on AMX, every other one ≥ 0.9999).
            if model.encoder.bf16 {
                assert!(
                    relative <= 1e-2 && worst >= 0.95 && loose * 1000 <= cosines.len(),
                    "window of {size} frames: relative difference {relative}, worst frame \
                     cosine {worst}, {loose} frames below 0.999"
                );
            } else {
                assert!(
                    diff <= 1e-3 * scale,
                    "window of {size} frames differs by {diff} (largest value {scale})"
                );
            }
        }
    }
}
