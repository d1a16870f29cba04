//! Decode-step products on 8-bit weights, for `--weights int8`.
//!
//! A decode step reads every weight of the decoder and the 51,864 × 384
//! token embedding for a handful of rows: it is bound by memory traffic, not
//! arithmetic. In 8 bits the embedding is 20 MB instead of 40 (f16), small
//! enough to stay in a server CPU's last-level cache between tokens. Each
//! weight row keeps its own scale (its largest magnitude ÷ 127), as
//! CTranslate2's int8 does; the input rows are quantized to 16 bits per
//! product, so the inputs lose nothing that matters and the sums are exact
//! integers. With AVX512-VNNI, `vpdpwssd` multiplies 32 pairs per
//! instruction; elsewhere a plain loop computes the same integers.

/// A weight matrix `[n, k]` in 8 bits with one scale per row.
pub struct Int8Rows {
    /// Row-major, each row padded with zeros to `k_pad` (a multiple of 32).
    values: Vec<i8>,
    scales: Vec<f32>,
    k: usize,
    k_pad: usize,
}

/// Input rows quantized for one product with an [`Int8Rows`].
pub struct QuantizedInput {
    /// `rows × k_pad`, zero-padded like the weights.
    values: Vec<i16>,
    scales: Vec<f32>,
    rows: usize,
}

/// Values per step of the vector loop (one 512-bit register of i16).
const LANES: usize = 32;

impl Int8Rows {
    /// Quantizes row-major `[n, k]` values.
    pub fn quantize(values: &[f32], n: usize, k: usize) -> Self {
        debug_assert_eq!(values.len(), n * k);
        let k_pad = k.div_ceil(LANES) * LANES;
        let mut quantized = vec![0i8; n * k_pad];
        let mut scales = vec![0f32; n];
        for ((row, dst), scale) in values
            .chunks_exact(k)
            .zip(quantized.chunks_exact_mut(k_pad))
            .zip(&mut scales)
        {
            let largest = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            *scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
            let inverse = 1.0 / *scale;
            for (d, &v) in dst.iter_mut().zip(row) {
                *d = (v * inverse).round().clamp(-127.0, 127.0) as i8;
            }
        }
        Self {
            values: quantized,
            scales,
            k,
            k_pad,
        }
    }

    /// Quantizes `rows` input rows of `k` values each for [`Int8Rows::block`].
    ///
    /// The 16-bit range is narrowed for long rows so that no sum of
    /// `k_pad` products (each at most 127 × the range) can overflow an i32.
    pub fn quantize_input(&self, x: &[f32], rows: usize) -> QuantizedInput {
        debug_assert_eq!(x.len(), rows * self.k);
        let range = (i32::MAX as usize / (self.k_pad * 127)).min(i16::MAX as usize) as f32;
        let mut values = vec![0i16; rows * self.k_pad];
        let mut scales = vec![0f32; rows];
        for ((row, dst), scale) in x
            .chunks_exact(self.k)
            .zip(values.chunks_exact_mut(self.k_pad))
            .zip(&mut scales)
        {
            let largest = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            *scale = if largest > 0.0 { largest / range } else { 1.0 };
            let inverse = 1.0 / *scale;
            for (d, &v) in dst.iter_mut().zip(row) {
                *d = (v * inverse).round().clamp(-range, range) as i16;
            }
        }
        QuantizedInput {
            values,
            scales,
            rows,
        }
    }

    /// `out[(o − first) × rows + r] = x[r] · w[o]` for weight rows
    /// `first..first + out.len() / rows`.
    pub fn block(&self, x: &QuantizedInput, first: usize, out: &mut [f32]) {
        let rows = x.rows;
        let count = out.len() / rows;
        let w = &self.values[first * self.k_pad..(first + count) * self.k_pad];
        let mut sums = vec![0i32; out.len()];
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx512vnni") {
            // SAFETY: the features were just detected; lengths are checked inside.
            unsafe { sums_vnni(&x.values, rows, self.k_pad, w, &mut sums) };
        } else {
            sums_plain(&x.values, rows, self.k_pad, w, &mut sums);
        }
        #[cfg(not(target_arch = "x86_64"))]
        sums_plain(&x.values, rows, self.k_pad, w, &mut sums);
        for (o, (out, sums)) in out
            .chunks_exact_mut(rows)
            .zip(sums.chunks_exact(rows))
            .enumerate()
        {
            let w_scale = self.scales[first + o];
            for ((out, &sum), &x_scale) in out.iter_mut().zip(sums).zip(&x.scales) {
                *out = sum as f32 * w_scale * x_scale;
            }
        }
    }
}

/// `sums[o × rows + r] = Σ x[r, i] · w[o, i]` in integers.
fn sums_plain(x: &[i16], rows: usize, k_pad: usize, w: &[i8], sums: &mut [i32]) {
    for (wr, sums) in w.chunks_exact(k_pad).zip(sums.chunks_exact_mut(rows)) {
        for (xr, sum) in x.chunks_exact(k_pad).zip(sums) {
            *sum = xr.iter().zip(wr).map(|(&a, &b)| a as i32 * b as i32).sum();
        }
    }
}

/// [`sums_plain`] with `vpdpwssd`, up to eight input rows per pass over the
/// weights.
///
/// # Safety
/// The CPU must have AVX-512BW and AVX512-VNNI.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn sums_vnni(x: &[i16], rows: usize, k_pad: usize, w: &[i8], sums: &mut [i32]) {
    assert!(k_pad.is_multiple_of(LANES) && x.len() == rows * k_pad);
    assert!(w.len().is_multiple_of(k_pad) && sums.len() * k_pad == w.len() * rows);
    let mut r = 0;
    while r < rows {
        let take = (rows - r).min(8);
        let xs = &x[r * k_pad..(r + take) * k_pad];
        // SAFETY: the caller's features; the slices' lengths are checked inside.
        unsafe {
            match take {
                1 => sums_vnni_rows::<1>(xs, k_pad, w, sums, rows, r),
                2 => sums_vnni_rows::<2>(xs, k_pad, w, sums, rows, r),
                3 => sums_vnni_rows::<3>(xs, k_pad, w, sums, rows, r),
                4 => sums_vnni_rows::<4>(xs, k_pad, w, sums, rows, r),
                5 => sums_vnni_rows::<5>(xs, k_pad, w, sums, rows, r),
                6 => sums_vnni_rows::<6>(xs, k_pad, w, sums, rows, r),
                7 => sums_vnni_rows::<7>(xs, k_pad, w, sums, rows, r),
                _ => sums_vnni_rows::<8>(xs, k_pad, w, sums, rows, r),
            }
        }
        r += take;
    }
}

/// [`sums_vnni`] for `R` input rows starting at row `r0`, two weight rows in
/// flight (one input row alone would wait on each instruction's latency).
///
/// # Safety
/// The CPU must have AVX-512BW and AVX512-VNNI.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn sums_vnni_rows<const R: usize>(
    xs: &[i16],
    k_pad: usize,
    w: &[i8],
    sums: &mut [i32],
    rows: usize,
    r0: usize,
) {
    use std::arch::x86_64::*;
    assert!(xs.len() == R * k_pad && w.len().is_multiple_of(k_pad));
    let outputs = w.len() / k_pad;
    let mut o = 0;
    while o < outputs {
        let pair = (outputs - o).min(2);
        let mut acc = [[_mm512_setzero_si512(); 2]; R];
        let mut i = 0;
        while i < k_pad {
            let mut wv = [_mm512_setzero_si512(); 2];
            for (g, v) in wv.iter_mut().enumerate().take(pair) {
                // SAFETY: weight row o + g exists and i + 32 ≤ k_pad.
                let bytes =
                    unsafe { _mm256_loadu_si256(w.as_ptr().add((o + g) * k_pad + i).cast()) };
                *v = _mm512_cvtepi8_epi16(bytes);
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                // SAFETY: input row r has k_pad values and i + 32 ≤ k_pad.
                let xv = unsafe { _mm512_loadu_si512(xs.as_ptr().add(r * k_pad + i).cast()) };
                acc[0] = _mm512_dpwssd_epi32(acc[0], xv, wv[0]);
                acc[1] = _mm512_dpwssd_epi32(acc[1], xv, wv[1]);
            }
            i += LANES;
        }
        for (r, acc) in acc.iter().enumerate() {
            for (g, a) in acc.iter().enumerate().take(pair) {
                sums[(o + g) * rows + r0 + r] = _mm512_reduce_add_epi32(*a);
            }
        }
        o += pair;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whisper::test_values::values;

    #[test]
    fn products_are_within_the_weights_rounding_for_every_row_count() {
        for (n, k) in [(45, 384), (7, 1536), (33, 70)] {
            let w = values(n * k, 1);
            let q = Int8Rows::quantize(&w, n, k);
            assert_eq!(q.scales.len(), n);
            for rows in 1..=11 {
                let x: Vec<f32> = values(rows * k, 2 + rows as u32)
                    .iter()
                    .map(|v| v * 30.0)
                    .collect();
                let xq = q.quantize_input(&x, rows);
                let mut out = vec![0f32; n * rows];
                q.block(&xq, 0, &mut out);
                let mut plain = vec![0i32; n * rows];
                sums_plain(&xq.values, rows, q.k_pad, &q.values, &mut plain);
                for o in 0..n {
                    for r in 0..rows {
                        let (xr, wr) = (&x[r * k..(r + 1) * k], &w[o * k..(o + 1) * k]);
                        let exact: f64 =
                            xr.iter().zip(wr).map(|(&a, &b)| a as f64 * b as f64).sum();
                        // Each weight moves by at most half a step (scale / 2).
                        let bound: f64 = xr.iter().map(|&a| a.abs() as f64).sum::<f64>()
                            * q.scales[o] as f64
                            * 0.51;
                        let got = out[o * rows + r] as f64;
                        assert!(
                            (got - exact).abs() <= bound,
                            "{n}×{k}, {rows} rows, out {o} row {r}: {got} against {exact} (bound {bound})"
                        );
                        // The vector kernel's integers are the plain loop's.
                        let from_sums = plain[o * rows + r] as f32 * q.scales[o] * xq.scales[r];
                        assert_eq!(out[o * rows + r], from_sums);
                    }
                }
            }
        }
    }

    #[test]
    fn long_rows_at_full_range_do_not_overflow() {
        let k = 1536;
        let w = vec![1.0f32; k];
        let q = Int8Rows::quantize(&w, 1, k);
        let x = vec![-3.0f32; k];
        let xq = q.quantize_input(&x, 1);
        let mut out = [0f32];
        q.block(&xq, 0, &mut out);
        assert!((out[0] - (-3.0 * k as f32)).abs() < 1.0, "{}", out[0]);
    }

    #[test]
    fn a_zero_row_has_a_usable_scale() {
        let q = Int8Rows::quantize(&[0.0; 64], 2, 32);
        let xq = q.quantize_input(&[0.0; 32], 1);
        let mut out = [1f32; 2];
        q.block(&xq, 0, &mut out);
        assert_eq!(out, [0.0, 0.0]);
    }
}
