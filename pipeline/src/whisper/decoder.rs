//! Whisper's text decoder with a key/value cache for self-attention as well
//! as cross-attention, batched over beams.
//!
//! candle-transformers' `TextDecoder` caches only the cross-attention and
//! recomputes the whole prefix at every step; this one feeds one new token
//! per sequence per step. It reads the same tensors (`model.decoder.*`).

use super::encoder::{gelu_in_place, layer_norm};
use super::kernels::Matrix;
use super::model::{ModelOptions, WeightFormat};
use super::projection::{Projection, Use};
use super::softmax::{log_sum_exp, softmax_in_place};
use candle_core::{DType, Device, Module, Result, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use rayon::prelude::*;

fn linear(
    vb: VarBuilder,
    d_in: usize,
    d_out: usize,
    bias: bool,
    options: &ModelOptions,
) -> Result<Projection> {
    Projection::load(vb, d_in, d_out, bias, Use::Both, options)
}

/// Query, key, value and output projections of one attention.
struct Attention {
    q: Projection,
    k: Projection,
    v: Projection,
    out: Projection,
}

impl Attention {
    fn load(vb: VarBuilder, d: usize, options: &ModelOptions) -> Result<Self> {
        Ok(Self {
            q: linear(vb.pp("q_proj"), d, d, true, options)?,
            k: linear(vb.pp("k_proj"), d, d, false, options)?,
            v: linear(vb.pp("v_proj"), d, d, true, options)?,
            out: linear(vb.pp("out_proj"), d, d, true, options)?,
        })
    }
}

struct Block {
    self_attn: Attention,
    self_ln: LayerNorm,
    cross_attn: Attention,
    cross_ln: LayerNorm,
    fc1: Projection,
    fc2: Projection,
    mlp_ln: LayerNorm,
}

/// The decoder's weights.
pub struct CachedDecoder {
    embed: Tensor,
    /// The embedding again, as the output projection's weight.
    vocab: Projection,
    positions: Tensor,
    blocks: Vec<Block>,
    ln: LayerNorm,
    n_head: usize,
    /// Cross-attention through our CPU kernels; else candle's operations.
    cpu_kernels: bool,
    /// The audio's keys and values rounded to f16 for decode steps
    /// (`--weights int8`: half the bytes each step reads).
    cross_f16: bool,
}

/// One head's cross-attention keys `[frames, head_dim]` and its values
/// transposed, `[head_dim, frames]`: both right-hand sides of `x · Wᵀ`.
struct CrossHead {
    k: Matrix,
    v_t: Matrix,
}

/// The audio's cross-attention keys and values of one window, per layer.
enum CrossCache {
    /// On the CPU: per head, ready for the few-row kernel.
    Heads(Vec<Vec<CrossHead>>),
    /// Elsewhere: `(k, v)`, each `[1, heads, frames, head_dim]`.
    Tensors(Vec<(Tensor, Tensor)>),
}

/// Per-window decoding state: cross-attention keys/values (shared by all
/// sequences) and each sequence's self-attention cache.
pub struct DecoderState {
    cross: CrossCache,
    /// Per layer `(k, v)`, shaped `[batch, heads, len, head_dim]`.
    own: Vec<Option<(Tensor, Tensor)>>,
    len: usize,
}

impl DecoderState {
    /// Keeps the self-attention caches of the rows in `rows`, in that order
    /// (rows may repeat: one prefix can grow into several beams).
    pub fn select(&mut self, rows: &[u32]) -> Result<()> {
        for kv in self.own.iter_mut().flatten() {
            let idx = Tensor::new(rows, kv.0.device())?;
            *kv = (kv.0.index_select(&idx, 0)?, kv.1.index_select(&idx, 0)?);
        }
        Ok(())
    }
}

impl CachedDecoder {
    /// Loads the decoder from `model.decoder.*` tensors.
    pub fn load(
        vb: VarBuilder,
        cfg: &candle_transformers::models::whisper::Config,
        options: &ModelOptions,
    ) -> Result<Self> {
        let d = cfg.d_model;
        let embed = vb.get((cfg.vocab_size, d), "embed_tokens.weight")?;
        let positions = vb.get((cfg.max_target_positions, d), "embed_positions.weight")?;
        let blocks = (0..cfg.decoder_layers)
            .map(|i| {
                let vb = vb.pp(format!("layers.{i}"));
                Ok(Block {
                    self_attn: Attention::load(vb.pp("self_attn"), d, options)?,
                    self_ln: layer_norm(vb.pp("self_attn_layer_norm"), d)?,
                    cross_attn: Attention::load(vb.pp("encoder_attn"), d, options)?,
                    cross_ln: layer_norm(vb.pp("encoder_attn_layer_norm"), d)?,
                    fc1: linear(vb.pp("fc1"), d, 4 * d, true, options)?,
                    fc2: linear(vb.pp("fc2"), 4 * d, d, true, options)?,
                    mlp_ln: layer_norm(vb.pp("final_layer_norm"), d)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let ln = layer_norm(vb.pp("layer_norm"), d)?;
        let vocab = Projection::new(embed.clone(), None, Use::FewRows, options)?;
        Ok(Self {
            embed,
            vocab,
            positions,
            blocks,
            ln,
            n_head: cfg.decoder_attention_heads,
            cpu_kernels: options.uses_cpu_kernels(),
            cross_f16: options.weights == WeightFormat::Int8,
        })
    }

    /// The longest token sequence the decoder accepts.
    pub fn max_len(&self) -> usize {
        self.positions.dims()[0]
    }

    /// Starts a window: projects the encoder output `[1, frames, d]` to the cross-attention keys and values once.
    pub fn start(&self, audio: &Tensor) -> Result<DecoderState> {
        let cross = if self.cpu_kernels {
            CrossCache::Heads(
                self.blocks
                    .iter()
                    .map(|b| self.cross_heads(b, audio))
                    .collect::<Result<_>>()?,
            )
        } else {
            CrossCache::Tensors(
                self.blocks
                    .iter()
                    .map(|b| {
                        let k = self.heads(&b.cross_attn.k.forward(audio)?)?.contiguous()?;
                        let v = self.heads(&b.cross_attn.v.forward(audio)?)?.contiguous()?;
                        Ok((k, v))
                    })
                    .collect::<Result<_>>()?,
            )
        };
        Ok(DecoderState {
            cross,
            own: vec![None; self.blocks.len()],
            len: 0,
        })
    }

    /// One layer's cross-attention keys and transposed values, per head.
    fn cross_heads(&self, b: &Block, audio: &Tensor) -> Result<Vec<CrossHead>> {
        // [heads, frames, head_dim]
        let k = self
            .heads(&b.cross_attn.k.forward(audio)?)?
            .squeeze(0)?
            .to_vec3::<f32>()?;
        let v = self
            .heads(&b.cross_attn.v.forward(audio)?)?
            .squeeze(0)?
            .to_vec3::<f32>()?;
        Ok(k.into_iter()
            .zip(v)
            .map(|(k, v)| {
                let (frames, head_dim) = (k.len(), k.first().map_or(0, Vec::len));
                let mut v_t = vec![0f32; frames * head_dim];
                for (f, row) in v.iter().enumerate() {
                    for (j, &value) in row.iter().enumerate() {
                        v_t[j * frames + f] = value;
                    }
                }
                let matrix = if self.cross_f16 {
                    Matrix::f16_rounded
                } else {
                    Matrix::f32
                };
                CrossHead {
                    k: matrix(k.concat(), frames, head_dim),
                    v_t: matrix(v_t, head_dim, frames),
                }
            })
            .collect())
    }

    /// `[b, t, d]` → `[b, heads, t, head_dim]`.
    fn heads(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, d) = x.dims3()?;
        x.reshape((b, t, self.n_head, d / self.n_head))?
            .transpose(1, 2)
    }

    /// Feeds `tokens` (`[batch, t]`, the same `t` for every row) and returns
    /// the logits after each row's last token, `[batch, vocab]`.
    pub fn forward(&self, tokens: &Tensor, state: &mut DecoderState) -> Result<Tensor> {
        let (b, t) = tokens.dims2()?;
        let past = state.len;
        let d = self.embed.dim(1)?;
        let head_dim = d / self.n_head;
        let scale = (head_dim as f64).powf(-0.5);
        let emb = self
            .embed
            .index_select(&tokens.flatten_all()?, 0)?
            .reshape((b, t, d))?;
        let mut x = emb.broadcast_add(&self.positions.narrow(0, past, t)?)?;
        let mask = if t > 1 {
            Some(causal_mask(past, t, tokens.device())?)
        } else {
            None
        };
        for (i, block) in self.blocks.iter().enumerate() {
            // Self-attention over the cache plus the new tokens.
            let h = block.self_ln.forward(&x)?;
            let q = (self.heads(&block.self_attn.q.forward(&h)?)? * scale)?;
            let k_new = self.heads(&block.self_attn.k.forward(&h)?)?;
            let v_new = self.heads(&block.self_attn.v.forward(&h)?)?;
            let (k, v) = match &state.own[i] {
                Some((k, v)) => (Tensor::cat(&[k, &k_new], 2)?, Tensor::cat(&[v, &v_new], 2)?),
                None => (k_new.contiguous()?, v_new.contiguous()?),
            };
            let mut w = q.contiguous()?.matmul(&k.t()?)?;
            if let Some(mask) = &mask {
                w = w.broadcast_add(mask)?;
            }
            let w = candle_nn::ops::softmax_last_dim(&w)?;
            let a = w.matmul(&v)?.transpose(1, 2)?.reshape((b, t, d))?;
            state.own[i] = Some((k, v));
            x = (x + block.self_attn.out.forward(&a)?)?;

            let h = block.cross_ln.forward(&x)?;
            let a = match &state.cross {
                CrossCache::Heads(layers) => {
                    let q = (block.cross_attn.q.forward(&h)? * scale)?;
                    cross_attention_by_head(&q, &layers[i], (b, t, d), head_dim)?
                }
                CrossCache::Tensors(layers) => {
                    let (k, v) = &layers[i];
                    // cuBLAS takes a transposed right-hand side, not a strided left one.
                    let q = self
                        .heads(&(block.cross_attn.q.forward(&h)? * scale)?)?
                        .contiguous()?;
                    let w = candle_nn::ops::softmax_last_dim(&q.broadcast_matmul(&k.t()?)?)?;
                    w.broadcast_matmul(v)?.transpose(1, 2)?.reshape((b, t, d))?
                }
            };
            x = (x + block.cross_attn.out.forward(&a)?)?;

            let h = block.mlp_ln.forward(&x)?;
            let hidden = block.fc1.forward(&h)?;
            let hidden = if self.cpu_kernels {
                gelu_in_place(hidden)?
            } else {
                hidden.gelu()?
            };
            x = (&x + block.fc2.forward(&hidden)?)?;
        }
        state.len += t;
        let last = self.ln.forward(&x.narrow(1, t - 1, 1)?.squeeze(1)?)?;
        // Logits against the tied embedding: one pass over its 51,864 rows for all beams.
        self.vocab.forward(&last)
    }
}

/// Cross-attention on the CPU: every row attends to the same audio, so all
/// rows go through one pass over each head's keys and values; one head per
/// worker. `q` is `[b, t, d]`, already scaled.
fn cross_attention_by_head(
    q: &Tensor,
    heads: &[CrossHead],
    (b, t, d): (usize, usize, usize),
    head_dim: usize,
) -> Result<Tensor> {
    let q = q.flatten_all()?.to_vec1::<f32>()?;
    let rows = b * t;
    let per_head: Vec<Vec<f32>> = heads
        .par_iter()
        .enumerate()
        .map(|(head, c)| {
            let q_head: Vec<f32> = q
                .chunks_exact(d)
                .flat_map(|row| &row[head * head_dim..(head + 1) * head_dim])
                .copied()
                .collect();
            let mut w = c.k.mul_t_serial(&q_head, rows);
            for row in w.chunks_exact_mut(c.k.n()) {
                softmax_in_place(row);
            }
            c.v_t.mul_t_serial(&w, rows)
        })
        .collect();
    let mut a = vec![0f32; rows * d];
    for (head, out) in per_head.iter().enumerate() {
        for (row, values) in a.chunks_exact_mut(d).zip(out.chunks_exact(head_dim)) {
            row[head * head_dim..(head + 1) * head_dim].copy_from_slice(values);
        }
    }
    Tensor::from_vec(a, (b, t, d), &Device::Cpu)
}

/// Additive mask letting new token `i` see the `past` cached tokens and new tokens `≤ i`.
fn causal_mask(past: usize, t: usize, device: &Device) -> Result<Tensor> {
    let values: Vec<f32> = (0..t)
        .flat_map(|i| {
            (0..past + t).map(move |j| if j > past + i { f32::NEG_INFINITY } else { 0.0 })
        })
        .collect();
    Tensor::from_vec(values, (t, past + t), device)?.to_dtype(DType::F32)
}

/// Log-softmax of one row of logits (the sum in lanes of f32, vectorised).
pub fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let log_sum = log_sum_exp(logits);
    logits.iter().map(|&l| l - log_sum).collect()
}
