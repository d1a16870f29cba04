//! Few-row matrix products for the decoder's per-token steps.
//!
//! A decode step multiplies 1–5 rows (one per beam) by every weight matrix
//! of the decoder and by the 51,864 × 384 token embedding. gemm's packed
//! path copies the whole right-hand side for so few rows, so these steps are
//! bound by memory traffic: this kernel streams each weight row once, from
//! its original f16 values where they are exact (CTranslate2 folders store
//! fp16), and multiplies it with every input row while it is in registers.

use super::int8::Int8Rows;
use half::f16;
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

/// A weight matrix `[n, k]`, row-major, in the narrowest exact format.
pub enum Weights {
    /// Every value is an f16 (fp16 checkpoints): half the bytes to stream.
    F16(Vec<f16>),
    /// Values that f16 cannot hold exactly.
    F32(Vec<f32>),
    /// 8 bits with a scale per row (`--weights int8`): a quarter of f32's bytes.
    I8(Int8Rows),
}

/// A row-major `[n, k]` matrix used as the right-hand side of `x · Wᵀ`.
pub struct Matrix {
    weights: Weights,
    n: usize,
    k: usize,
}

/// Output rows handed to one worker at a time.
const ROWS_PER_TASK: usize = 256;

impl Matrix {
    /// Wraps `[n, k]` row-major values, keeping them as f16 when that is exact.
    pub fn new(values: Vec<f32>, n: usize, k: usize) -> Self {
        debug_assert_eq!(values.len(), n * k);
        // Whole-slice conversions (vectorised with F16C), checked chunk by chunk.
        let mut halves = vec![f16::ZERO; values.len()];
        halves.convert_from_f32_slice(&values);
        let mut back = [0f32; 1024];
        let exact = halves
            .chunks(back.len())
            .zip(values.chunks(back.len()))
            .all(|(h, v)| {
                let back = &mut back[..h.len()];
                h.convert_to_f32_slice(back);
                back == v
            });
        let weights = if exact {
            Weights::F16(halves)
        } else {
            Weights::F32(values)
        };
        Self { weights, n, k }
    }

    /// Quantizes `[n, k]` row-major values to 8 bits with a scale per row.
    pub fn int8(values: &[f32], n: usize, k: usize) -> Self {
        Self {
            weights: Weights::I8(Int8Rows::quantize(values, n, k)),
            n,
            k,
        }
    }

    /// Rounds `[n, k]` row-major values to f16 (activations read many times,
    /// where half the bytes matter more than the last bits); values beyond
    /// f16's range keep the whole matrix in f32.
    pub fn f16_rounded(values: Vec<f32>, n: usize, k: usize) -> Self {
        debug_assert_eq!(values.len(), n * k);
        if values.iter().any(|v| v.is_nan() || v.abs() >= 65_000.0) {
            return Self::f32(values, n, k);
        }
        let mut halves = vec![f16::ZERO; values.len()];
        halves.convert_from_f32_slice(&values);
        Self {
            weights: Weights::F16(halves),
            n,
            k,
        }
    }

    /// Wraps `[n, k]` row-major f32 values as they are (activations, not weights).
    pub fn f32(values: Vec<f32>, n: usize, k: usize) -> Self {
        debug_assert_eq!(values.len(), n * k);
        Self {
            weights: Weights::F32(values),
            n,
            k,
        }
    }

    /// [`Matrix::mul_t`] without a bias, on the calling thread (for callers
    /// that already run one product per worker).
    pub fn mul_t_serial(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let (n, k) = (self.n, self.k);
        debug_assert_eq!(x.len(), rows * k);
        let mut by_out = vec![0f32; n * rows];
        match &self.weights {
            Weights::F16(w) => block(x, rows, k, w, &mut by_out),
            Weights::F32(w) => block(x, rows, k, w, &mut by_out),
            Weights::I8(w) => w.block(&w.quantize_input(x, rows), 0, &mut by_out),
        }
        let mut y = vec![0f32; rows * n];
        for (o, values) in by_out.chunks_exact(rows).enumerate() {
            for (r, &v) in values.iter().enumerate() {
                y[r * n + o] = v;
            }
        }
        y
    }

    /// Output size `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `x · Wᵀ (+ bias)` for `x` of `rows × k`; returns `rows × n`.
    pub fn mul_t(&self, x: &[f32], rows: usize, bias: Option<&[f32]>) -> Vec<f32> {
        let (n, k) = (self.n, self.k);
        debug_assert_eq!(x.len(), rows * k);
        // Computed output-major (each task writes one contiguous block), transposed at the end.
        let mut by_out = vec![0f32; n * rows];
        // Each task gets `(first weight row, its block of outputs)`.
        let tasks = by_out
            .par_chunks_mut(ROWS_PER_TASK * rows)
            .enumerate()
            .map(|(task, out)| (task * ROWS_PER_TASK, out));
        match &self.weights {
            Weights::F16(w) => tasks.for_each(|(first, out)| {
                block(x, rows, k, &w[first * k..][..out.len() / rows * k], out)
            }),
            Weights::F32(w) => tasks.for_each(|(first, out)| {
                block(x, rows, k, &w[first * k..][..out.len() / rows * k], out)
            }),
            Weights::I8(w) => {
                let quantized = w.quantize_input(x, rows);
                tasks.for_each(|(first, out)| w.block(&quantized, first, out))
            }
        }
        let mut y = vec![0f32; rows * n];
        for (o, values) in by_out.chunks_exact(rows).enumerate() {
            for (r, &v) in values.iter().enumerate() {
                y[r * n + o] = v + bias.map_or(0.0, |b| b[o]);
            }
        }
        y
    }
}

/// An element type weights can be streamed in.
trait Element: Copy + Send + Sync {
    fn to_f32(self) -> f32;
    /// Loads 8 values as f32.
    ///
    /// # Safety
    /// `p` must point at 8 readable values and the CPU must have AVX2, FMA and F16C.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256;
    /// Loads 16 values as f32.
    ///
    /// # Safety
    /// `p` must point at 16 readable values and the CPU must have AVX-512F.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512;
}

impl Element for f32 {
    fn to_f32(self) -> f32 {
        self
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256 {
        // SAFETY: the caller guarantees 8 readable f32 and AVX.
        unsafe { std::arch::x86_64::_mm256_loadu_ps(p) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512 {
        // SAFETY: the caller guarantees 16 readable f32 and AVX-512F.
        unsafe { std::arch::x86_64::_mm512_loadu_ps(p) }
    }
}

impl Element for f16 {
    fn to_f32(self) -> f32 {
        f16::to_f32(self)
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load8(p: *const Self) -> std::arch::x86_64::__m256 {
        use std::arch::x86_64::{__m128i, _mm256_cvtph_ps, _mm_loadu_si128};
        // SAFETY: the caller guarantees 8 readable f16 (16 bytes) and F16C.
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p.cast::<__m128i>())) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load16(p: *const Self) -> std::arch::x86_64::__m512 {
        use std::arch::x86_64::{__m256i, _mm256_loadu_si256, _mm512_cvtph_ps};
        // SAFETY: the caller guarantees 16 readable f16 (32 bytes) and AVX-512F.
        unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(p.cast::<__m256i>())) }
    }
}

/// Input rows multiplied per pass over the weights: one accumulator register
/// each, leaving registers for the weights and inputs (AVX2 has 16), so a
/// beam of 5 reads every weight once per step.
const MAX_ROWS: usize = 8;

/// `out[o × rows + r] = x[r] · w[o]` for the weight rows in `w`.
fn block<E: Element>(x: &[f32], rows: usize, k: usize, w: &[E], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx512f") {
        let mut r = 0;
        while r < rows {
            let take = (rows - r).min(MAX_ROWS);
            let xs = &x[r * k..(r + take) * k];
            // SAFETY: AVX-512F was just detected; the slices' lengths are checked inside.
            unsafe {
                match take {
                    1 => block_avx512::<E, 1, 4>(xs, k, w, out, rows, r),
                    2 => block_avx512::<E, 2, 4>(xs, k, w, out, rows, r),
                    3 => block_avx512::<E, 3, 2>(xs, k, w, out, rows, r),
                    4 => block_avx512::<E, 4, 2>(xs, k, w, out, rows, r),
                    5 => block_avx512::<E, 5, 2>(xs, k, w, out, rows, r),
                    6 => block_avx512::<E, 6, 2>(xs, k, w, out, rows, r),
                    7 => block_avx512::<E, 7, 2>(xs, k, w, out, rows, r),
                    _ => block_avx512::<E, 8, 2>(xs, k, w, out, rows, r),
                }
            }
            r += take;
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && is_x86_feature_detected!("f16c")
    {
        let mut r = 0;
        while r < rows {
            let take = (rows - r).min(MAX_ROWS);
            let xs = &x[r * k..(r + take) * k];
            // SAFETY: the features were just detected; the slices' lengths are checked inside.
            unsafe {
                match take {
                    1 => block_avx::<E, 1>(xs, k, w, out, rows, r),
                    2 => block_avx::<E, 2>(xs, k, w, out, rows, r),
                    3 => block_avx::<E, 3>(xs, k, w, out, rows, r),
                    4 => block_avx::<E, 4>(xs, k, w, out, rows, r),
                    5 => block_avx::<E, 5>(xs, k, w, out, rows, r),
                    6 => block_avx::<E, 6>(xs, k, w, out, rows, r),
                    7 => block_avx::<E, 7>(xs, k, w, out, rows, r),
                    _ => block_avx::<E, 8>(xs, k, w, out, rows, r),
                }
            }
            r += take;
        }
        return;
    }
    for (o, wr) in w.chunks_exact(k).enumerate() {
        for r in 0..rows {
            let xr = &x[r * k..(r + 1) * k];
            out[o * rows + r] = xr.iter().zip(wr).map(|(&a, &b)| a * b.to_f32()).sum();
        }
    }
}

/// [`block`] for `R` input rows starting at row `r0`, eight lanes at a time.
///
/// # Safety
/// The CPU must have AVX2, FMA and F16C.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn block_avx<E: Element, const R: usize>(
    xs: &[f32],
    k: usize,
    w: &[E],
    out: &mut [f32],
    rows: usize,
    r0: usize,
) {
    use std::arch::x86_64::*;
    assert!(xs.len() == R * k && w.len().is_multiple_of(k) && out.len() * k == w.len() * rows);
    let lanes = k / 8 * 8;
    for (o, wr) in w.chunks_exact(k).enumerate() {
        let mut acc = [_mm256_setzero_ps(); R];
        let mut i = 0;
        while i < lanes {
            // SAFETY: i + 8 ≤ k, the length of wr and of every input row.
            let wv = unsafe { E::load8(wr.as_ptr().add(i)) };
            for (r, a) in acc.iter_mut().enumerate() {
                // SAFETY: as above, row r of xs has k values.
                let xv = unsafe { _mm256_loadu_ps(xs.as_ptr().add(r * k + i)) };
                *a = _mm256_fmadd_ps(wv, xv, *a);
            }
            i += 8;
        }
        for (r, a) in acc.iter().enumerate() {
            // Horizontal sum of the 8 lanes.
            let hi = _mm256_extractf128_ps(*a, 1);
            let s = _mm_add_ps(_mm256_castps256_ps128(*a), hi);
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
            let mut sum = _mm_cvtss_f32(s);
            for j in lanes..k {
                sum += xs[r * k + j] * wr[j].to_f32();
            }
            out[o * rows + r0 + r] = sum;
        }
    }
}

/// [`block`] for `R` input rows starting at row `r0` and `O` weight rows at
/// a time, sixteen lanes at a time.
///
/// `O` independent weight rows give `R × O` independent sums: with one input
/// row (greedy decoding) a single chain of FMAs would wait on each one's
/// latency; several weight streams keep the FMA units busy. From three rows
/// up two weight rows suffice (a beam of 5 was 8–10 % faster with 2 than 4).
///
/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn block_avx512<E: Element, const R: usize, const O: usize>(
    xs: &[f32],
    k: usize,
    w: &[E],
    out: &mut [f32],
    rows: usize,
    r0: usize,
) {
    use std::arch::x86_64::*;
    assert!(xs.len() == R * k && w.len().is_multiple_of(k) && out.len() * k == w.len() * rows);
    let lanes = k / 16 * 16;
    let outputs = w.len() / k;
    let mut o = 0;
    while o < outputs {
        let group = (outputs - o).min(O);
        let mut acc = [[_mm512_setzero_ps(); O]; R];
        let mut i = 0;
        while i < lanes {
            let mut wv = [_mm512_setzero_ps(); O];
            for (g, v) in wv.iter_mut().enumerate().take(group) {
                // SAFETY: weight row o + g exists and i + 16 ≤ k.
                *v = unsafe { E::load16(w.as_ptr().add((o + g) * k + i)) };
            }
            for (r, acc_r) in acc.iter_mut().enumerate() {
                // SAFETY: row r of xs has k values and i + 16 ≤ k.
                let xv = unsafe { _mm512_loadu_ps(xs.as_ptr().add(r * k + i)) };
                for (a, &v) in acc_r.iter_mut().zip(&wv) {
                    *a = _mm512_fmadd_ps(v, xv, *a);
                }
            }
            i += 16;
        }
        for (r, acc_r) in acc.iter().enumerate() {
            for (g, a) in acc_r.iter().enumerate().take(group) {
                let mut sum = _mm512_reduce_add_ps(*a);
                let wr = &w[(o + g) * k..(o + g + 1) * k];
                for j in lanes..k {
                    sum += xs[r * k + j] * wr[j].to_f32();
                }
                out[(o + g) * rows + r0 + r] = sum;
            }
        }
        o += group;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(x: &[f32], rows: usize, w: &[f32], n: usize, k: usize, b: &[f32]) -> Vec<f32> {
        let mut y = vec![0f32; rows * n];
        for r in 0..rows {
            for o in 0..n {
                let s: f64 = (0..k)
                    .map(|i| x[r * k + i] as f64 * w[o * k + i] as f64)
                    .sum();
                y[r * n + o] = s as f32 + b[o];
            }
        }
        y
    }

    #[test]
    fn matches_a_plain_product_for_every_row_count_and_both_formats() {
        let (n, k) = (601, 390);
        let w16: Vec<f32> = (0..n * k)
            .map(|i| f16::from_f32(((i * 7919 % 1000) as f32 - 500.0) / 700.0).to_f32())
            .collect();
        let w32: Vec<f32> = w16.iter().map(|v| v + 1e-7).collect();
        let bias: Vec<f32> = (0..n).map(|o| o as f32 / 100.0).collect();
        for w in [&w16, &w32] {
            let m = Matrix::new(w.clone(), n, k);
            assert_eq!(matches!(m.weights, Weights::F16(_)), std::ptr::eq(w, &w16));
            for rows in 1..=17 {
                let x: Vec<f32> = (0..rows * k)
                    .map(|i| ((i * 31 % 97) as f32 - 48.0) / 50.0)
                    .collect();
                let got = m.mul_t(&x, rows, Some(&bias));
                let want = reference(&x, rows, w, n, k, &bias);
                for (g, e) in got.iter().zip(&want) {
                    assert!((g - e).abs() < 1e-3, "{rows} rows: {g} vs {e}");
                }
                let serial = Matrix::f32(w.clone(), n, k).mul_t_serial(&x, rows);
                let want = reference(&x, rows, w, n, k, &vec![0.0; n]);
                for (g, e) in serial.iter().zip(&want) {
                    assert!((g - e).abs() < 1e-3, "{rows} rows, serial: {g} vs {e}");
                }
            }
        }
    }
}
