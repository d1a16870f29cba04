//! A linear layer `x · Wᵀ + b` that picks the fastest CPU path for the
//! number of input rows: few rows (decode steps) stream the weight once
//! through [`Matrix`]; many rows (a 30 s window, a prompt) go through AMX
//! tiles where the CPU has them, and candle's gemm otherwise.

use super::amx;
use super::kernels::Matrix;
use candle_core::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};

/// The most rows a product goes through [`Matrix`] for; longer inputs use
/// the many-row path, which is faster there.
const FEW_ROWS: usize = 8;

/// A linear layer with a few-row and a many-row CPU path.
pub(crate) struct Projection {
    linear: Linear,
    /// The weight for decode steps (decoder layers only).
    few_rows: Option<Matrix>,
    /// The weight as bf16 tiles, on CPUs with AMX.
    tiles: Option<amx::Packed>,
    bias: Option<Vec<f32>>,
    n: usize,
    k: usize,
}

/// Which CPU paths a [`Projection`] prepares its weight for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// Only whole windows (the encoder).
    ManyRows,
    /// Decode steps as well (the decoder).
    AlsoFewRows,
}

impl Projection {
    /// Loads `weight` `[d_out, d_in]` and, if `bias`, `bias` `[d_out]` from `vb`.
    pub(crate) fn load(
        vb: VarBuilder,
        d_in: usize,
        d_out: usize,
        bias: bool,
        usage: Use,
    ) -> Result<Self> {
        let w = vb.get((d_out, d_in), "weight")?;
        let b = if bias {
            Some(vb.get(d_out, "bias")?)
        } else {
            None
        };
        let on_cpu = w.device().is_cpu();
        let values = if on_cpu {
            Some(w.flatten_all()?.to_vec1::<f32>()?)
        } else {
            None
        };
        let tiles = match &values {
            Some(v) if amx::available() => Some(amx::Packed::from_rows(v, d_out, d_in)),
            _ => None,
        };
        let few_rows = match values {
            Some(v) if usage == Use::AlsoFewRows => Some(Matrix::new(v, d_out, d_in)),
            _ => None,
        };
        let bias_values = match (&b, on_cpu) {
            (Some(b), true) => Some(b.to_vec1::<f32>()?),
            _ => None,
        };
        Ok(Self {
            linear: Linear::new(w, b),
            few_rows,
            tiles,
            bias: bias_values,
            n: d_out,
            k: d_in,
        })
    }

    /// `x · Wᵀ + b` over the last dimension of `x`.
    pub(crate) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let rows = x.elem_count() / self.k;
        let y = match (&self.few_rows, &self.tiles) {
            (Some(m), _) if rows <= FEW_ROWS => {
                let values = x.flatten_all()?.to_vec1::<f32>()?;
                m.mul_t(&values, rows, self.bias.as_deref())
            }
            (_, Some(tiles)) => {
                let values = x.flatten_all()?.to_vec1::<f32>()?;
                let mut y = vec![0f32; rows * self.n];
                amx::matmul_t(
                    &amx::Rows::new(&values, rows, self.k),
                    tiles,
                    self.bias.as_deref(),
                    &mut y,
                );
                y
            }
            _ => return self.linear.forward(x),
        };
        let mut shape = x.dims().to_vec();
        if let Some(last) = shape.last_mut() {
            *last = self.n;
        }
        Tensor::from_vec(y, shape, x.device())
    }
}
