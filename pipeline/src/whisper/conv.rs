//! The encoder's two convolutions over time (width 3, padding 1).
//!
//! Under `--weights int8`, where whole windows run in bf16, a convolution
//! becomes one product: each output frame's row holds the three input
//! frames it sees (im2col), times the weight as `[c_out, c_in · 3]`, through
//! a [`Projection`]. Elsewhere candle's `conv1d` runs: the log-mel input in
//! bf16 moves a rare sensitive frame of the encoder's output further (its
//! cosine to the f32 result from 0.97 to 0.94), which `float` avoids.

use super::model::{ModelOptions, WeightFormat};
use super::projection::{Projection, Use};
use candle_core::{Module, Result, Tensor};
use candle_nn::{Conv1d, Conv1dConfig, VarBuilder};
use rayon::prelude::*;

/// Taps of each convolution.
const WIDTH: usize = 3;

/// One convolution over time, `[1, c_in, t]` → `[1, c_out, t_out]`.
pub(super) struct TimeConv {
    conv: Conv1d,
    /// The weight as `[c_out, c_in · 3]`, under `int8` where whole windows run in bf16.
    product: Option<Projection>,
    c_in: usize,
    stride: usize,
}

impl TimeConv {
    /// Loads `weight` `[c_out, c_in, 3]` and `bias` `[c_out]` from `vb`.
    pub(super) fn load(
        vb: VarBuilder,
        c_in: usize,
        c_out: usize,
        stride: usize,
        options: &ModelOptions,
    ) -> Result<Self> {
        let weight = vb.get((c_out, c_in, WIDTH), "weight")?;
        let bias = vb.get(c_out, "bias")?;
        let product = if options.uses_bf16() && options.weights == WeightFormat::Int8 {
            Some(Projection::new(
                weight.reshape((c_out, c_in * WIDTH))?,
                Some(bias.clone()),
                Use::ManyRows,
                options,
            )?)
        } else {
            None
        };
        let config = Conv1dConfig {
            padding: 1,
            stride,
            groups: 1,
            dilation: 1,
            cudnn_fwd_algo: None,
        };
        Ok(Self {
            conv: Conv1d::new(weight, Some(bias), config),
            product,
            c_in,
            stride,
        })
    }

    /// Convolves `[1, c_in, t]` into `[1, c_out, t_out]` (on the bf16 path
    /// a transposed view of a time-major result).
    pub(super) fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let Some(product) = &self.product else {
            return self.conv.forward(x);
        };
        let (_, c_in, t) = x.dims3()?;
        debug_assert_eq!(c_in, self.c_in);
        let t_out = (t + 2 - WIDTH) / self.stride + 1;
        let values = x.flatten_all()?.to_vec1::<f32>()?;
        let row = c_in * WIDTH;
        let mut columns = vec![0f32; t_out * row];
        columns
            .par_chunks_mut(row)
            .enumerate()
            .for_each(|(frame, out)| {
                for (c, taps) in out.chunks_exact_mut(WIDTH).enumerate() {
                    let channel = &values[c * t..(c + 1) * t];
                    for (j, tap) in taps.iter_mut().enumerate() {
                        // Input frame frame·stride + j − 1; zero outside (padding 1).
                        if let Some(i) = (frame * self.stride + j).checked_sub(1) {
                            *tap = channel.get(i).copied().unwrap_or(0.0);
                        }
                    }
                }
            });
        let columns = Tensor::from_vec(columns, (1, t_out, row), x.device())?;
        product.forward(&columns)?.transpose(1, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whisper::test_values::values;
    use candle_core::{DType, Device};
    use std::collections::HashMap;

    #[test]
    fn the_im2col_product_equals_candles_convolution() {
        let options = ModelOptions {
            weights: WeightFormat::Int8,
            ..ModelOptions::default()
        };
        if !options.uses_bf16() {
            eprintln!("no bf16 unit on this CPU: skipped");
            return;
        }
        let (c_in, c_out, t) = (20, 24, 51);
        for stride in [1, 2] {
            let tensors = HashMap::from([
                (
                    "weight".to_owned(),
                    Tensor::from_vec(
                        values(c_out * c_in * WIDTH, 1),
                        (c_out, c_in, WIDTH),
                        &Device::Cpu,
                    )
                    .expect("weight"),
                ),
                (
                    "bias".to_owned(),
                    Tensor::from_vec(values(c_out, 2), c_out, &Device::Cpu).expect("bias"),
                ),
            ]);
            let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
            let conv = TimeConv::load(vb, c_in, c_out, stride, &options).expect("load");
            assert!(conv.product.is_some());
            let x = Tensor::from_vec(values(c_in * t, 3), (1, c_in, t), &Device::Cpu).expect("x");
            let ours = conv.forward(&x).expect("ours");
            let theirs = conv.conv.forward(&x).expect("candle");
            assert_eq!(ours.dims(), theirs.dims());
            let diff = (ours - &theirs)
                .and_then(|d| d.abs())
                .and_then(|d| d.flatten_all())
                .and_then(|d| d.max(0))
                .and_then(|d| d.to_scalar::<f32>())
                .expect("diff");
            // bf16 inputs: a few parts in a thousand of sums of 60 products ≤ 0.25.
            assert!(diff < 0.02, "stride {stride}: largest difference {diff}");
        }
    }
}
