//! A linear layer `x · Wᵀ + b` that picks the fastest path for where it
//! runs and how many input rows it gets: on the CPU, few rows (decode steps)
//! stream the weight once through [`Matrix`], and many rows (the encoder's
//! 30 s window; under `int8` the decoder's prompts and audio keys too) go
//! through bf16 products where the CPU has a bf16 unit; otherwise candle's
//! matmul on the model's device, or candle's `q8_0` kernels for a quantized
//! model.

use super::bf16;
use super::kernels::Matrix;
use super::model::{ModelOptions, WeightFormat};
use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};

/// The most rows a product goes through [`Matrix`] for; longer inputs use
/// the many-row path, which is faster there.
const FEW_ROWS: usize = 8;

/// Which input sizes a [`Projection`] prepares its CPU paths for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// Whole windows (the encoder).
    ManyRows,
    /// Decode steps (the vocabulary projection).
    FewRows,
    /// Both (the decoder's layers: decode steps, and the prompt and the
    /// audio's keys and values once per window, the latter in f32).
    Both,
}

/// The weight in the format products read it.
enum Weight {
    /// f32 (fp16 checkpoints widened exactly).
    Float(Linear),
    /// candle's `q8_0`.
    Quantized(QMatMul, Option<Tensor>),
}

/// A linear layer with paths per input size.
pub(crate) struct Projection {
    weight: Weight,
    /// The weight for decode steps on the CPU.
    few_rows: Option<Matrix>,
    /// The weight packed for bf16 products, on CPUs with a bf16 unit.
    packed: Option<bf16::Packed>,
    /// The bias as values, for the CPU paths.
    bias: Option<Vec<f32>>,
    n: usize,
    k: usize,
}

impl Projection {
    /// Loads `weight` `[d_out, d_in]` and, if `bias`, `bias` `[d_out]` from `vb`.
    pub(crate) fn load(
        vb: VarBuilder,
        d_in: usize,
        d_out: usize,
        bias: bool,
        usage: Use,
        options: &ModelOptions,
    ) -> Result<Self> {
        let w = vb.get((d_out, d_in), "weight")?;
        let b = if bias {
            Some(vb.get(d_out, "bias")?)
        } else {
            None
        };
        Self::new(w, b, usage, options)
    }

    /// Wraps a weight `[n, k]` (and bias `[n]`) already loaded.
    pub(crate) fn new(
        w: Tensor,
        b: Option<Tensor>,
        usage: Use,
        options: &ModelOptions,
    ) -> Result<Self> {
        let (n, k) = w.dims2()?;
        if options.weights == WeightFormat::Q8 {
            // A fresh tensor: `quantize` reads the whole storage, and the
            // CTranslate2 loader's q/k/v are views into one fused weight.
            let fresh = Tensor::from_vec(w.flatten_all()?.to_vec1::<f32>()?, (n, k), w.device())?;
            let q = QTensor::quantize(&fresh, GgmlDType::Q8_0)?;
            return Ok(Self {
                weight: Weight::Quantized(QMatMul::from_qtensor(q)?, b),
                few_rows: None,
                packed: None,
                bias: None,
                n,
                k,
            });
        }
        let on_cpu = options.uses_cpu_kernels();
        // The decoder's many-row products (the audio's keys and values, a
        // prompt) stay f32 for float weights: its cross-attention keys feed
        // `exp`, where bf16 inputs move the weights. `int8` trades that
        // precision for speed, as it does for the decode steps.
        let many_rows_in_bf16 = match usage {
            Use::ManyRows => true,
            Use::Both => options.weights == WeightFormat::Int8,
            Use::FewRows => false,
        };
        let want_packed = on_cpu && many_rows_in_bf16 && options.uses_bf16();
        let want_few_rows = on_cpu && usage != Use::ManyRows;
        // The weight's values are copied out only for a CPU path that uses them.
        let values = if want_packed || want_few_rows {
            Some(w.flatten_all()?.to_vec1::<f32>()?)
        } else {
            None
        };
        let packed = match &values {
            Some(v) if want_packed => Some(bf16::Packed::from_rows(v, n, k)),
            _ => None,
        };
        let few_rows = match values {
            Some(v) if want_few_rows && options.weights == WeightFormat::Int8 => {
                Some(Matrix::int8(&v, n, k))
            }
            Some(v) if want_few_rows => Some(Matrix::new(v, n, k)),
            _ => None,
        };
        let bias = match (&b, on_cpu) {
            (Some(b), true) => Some(b.to_vec1::<f32>()?),
            _ => None,
        };
        Ok(Self {
            weight: Weight::Float(Linear::new(w, b)),
            few_rows,
            packed,
            bias,
            n,
            k,
        })
    }

    /// `x · Wᵀ + b` over the last dimension of `x`.
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let rows = x.elem_count() / self.k;
        let y = match (&self.few_rows, &self.packed) {
            (Some(m), _) if rows <= FEW_ROWS => {
                let values = x.flatten_all()?.to_vec1::<f32>()?;
                m.mul_t(&values, rows, self.bias.as_deref())
            }
            (_, Some(packed)) => {
                let values = x.flatten_all()?.to_vec1::<f32>()?;
                let mut y = vec![0f32; rows * self.n];
                bf16::matmul_t(
                    &bf16::Rows::new(&values, rows, self.k),
                    packed,
                    self.bias.as_deref(),
                    &mut y,
                );
                y
            }
            _ => {
                return match &self.weight {
                    Weight::Float(linear) => linear.forward(x),
                    Weight::Quantized(q, bias) => {
                        let y = q.forward(x)?;
                        match bias {
                            Some(b) => y.broadcast_add(b),
                            None => Ok(y),
                        }
                    }
                }
            }
        };
        let mut shape = x.dims().to_vec();
        if let Some(last) = shape.last_mut() {
            *last = self.n;
        }
        Tensor::from_vec(y, shape, x.device())
    }
}
