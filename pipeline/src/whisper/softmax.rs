//! Softmax over a row of attention scores, with an `exp` that vectorises.
//!
//! The encoder's attention alone takes 54 M exponentials per 30 s window
//! (tiny: 6 heads × 1500² × 4 layers). libm's `expf` is one call per value;
//! [`fast_exp`] is plain arithmetic (range reduction by ln 2, a degree-6
//! polynomial, the exponent written into the bits), which the compiler turns
//! into SIMD, and the row function is compiled for AVX-512 and AVX2 as well
//! as the baseline and picked at run time.

/// log₂(e).
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln 2 in two parts, so that `n · ln 2` is exact for the reduction.
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
/// 1.5 · 2²³: adding it rounds to an integer held in the low mantissa bits.
const ROUNDER: f32 = 12_582_912.0;

/// `eˣ` within 4e−7 (≈ 3 ulp) for `x ≤ 88`; below −87 it returns ≈ 1.6e−38, not 0.
#[inline(always)]
pub fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * LOG2_E + ROUNDER;
    let n = shifted - ROUNDER;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // The integer n sits in the low bits of `shifted`; |n| ≤ 127 here.
    let n = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    p * f32::from_bits(n.wrapping_add(127) << 23)
}

/// Lanes of the partial maxima and sums: the loops run over fixed-size
/// chunks so that the compiler vectorises them (a single running sum is a
/// sequential dependency it may not reorder).
const LANES: usize = 16;

/// The largest value of `row`.
#[inline(always)]
fn row_max(row: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (m, &v) in lanes.iter_mut().zip(chunk) {
            if v > *m {
                *m = v;
            }
        }
    }
    lanes
        .iter()
        .chain(rest)
        .copied()
        .fold(f32::NEG_INFINITY, f32::max)
}

/// Replaces each value by `exp(value − max)` and returns their sum.
#[inline(always)]
fn exp_shifted(row: &mut [f32], max: f32) -> f32 {
    let mut sums = [0f32; LANES];
    let mut chunks = row.chunks_exact_mut(LANES);
    for chunk in &mut chunks {
        for (s, v) in sums.iter_mut().zip(chunk.iter_mut()) {
            *v = fast_exp(*v - max);
            *s += *v;
        }
    }
    let mut sum: f32 = sums.iter().sum();
    for v in chunks.into_remainder() {
        *v = fast_exp(*v - max);
        sum += *v;
    }
    sum
}

#[inline(always)]
fn softmax_row(row: &mut [f32]) {
    let sum = exp_shifted(row, row_max(row));
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

#[inline(always)]
fn softmax_row_bf16(row: &mut [f32], out: &mut [u16]) {
    let sum = exp_shifted(row, row_max(row));
    let inv = 1.0 / sum;
    for (o, &v) in out.iter_mut().zip(row.iter()) {
        *o = super::bf16::bf16_bits(v * inv);
    }
}

/// `ln Σ exp(v)` over `row`, without overflow; −∞ for a row of −∞.
#[inline(always)]
fn log_sum_exp_row(row: &[f32]) -> f32 {
    let max = row_max(row);
    if max == f32::NEG_INFINITY {
        return max;
    }
    let mut sums = [0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (s, &v) in sums.iter_mut().zip(chunk) {
            *s += fast_exp(v - max);
        }
    }
    let sum: f32 = sums.iter().sum::<f32>() + rest.iter().map(|&v| fast_exp(v - max)).sum::<f32>();
    max + sum.ln()
}

/// Picks the widest vector code the CPU runs: the same function compiled
/// for AVX-512, for AVX2 + FMA, and for the x86-64 baseline.
macro_rules! dispatch {
    ($name:ident, $body:ident, ($($arg:ident: $ty:ty),*)) => {
        dispatch!($name, $body, ($($arg: $ty),*) -> ());
    };
    ($name:ident, $body:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        #[doc = concat!("[`", stringify!($body), "`] for the widest vectors this CPU has.")]
        pub fn $name($($arg: $ty),*) -> $ret {
            #[target_feature(enable = "avx512f")]
            unsafe fn wide($($arg: $ty),*) -> $ret {
                $body($($arg),*)
            }
            #[target_feature(enable = "avx2,fma")]
            unsafe fn narrow($($arg: $ty),*) -> $ret {
                $body($($arg),*)
            }
            if is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F.
                unsafe { wide($($arg),*) }
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has AVX2 and FMA.
                unsafe { narrow($($arg),*) }
            } else {
                $body($($arg),*)
            }
        }
    };
}

dispatch!(softmax_in_place, softmax_row, (row: &mut [f32]));
dispatch!(softmax_into_bf16, softmax_row_bf16, (row: &mut [f32], out: &mut [u16]));
dispatch!(log_sum_exp, log_sum_exp_row, (row: &[f32]) -> f32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_within_a_few_ulp() {
        for i in -870_000..=880_000 {
            let x = i as f32 * 1e-4;
            let want = (x as f64).exp();
            let got = fast_exp(x) as f64;
            assert!(
                (got - want).abs() <= 4e-7 * want,
                "exp({x}) = {got}, want {want}"
            );
        }
        assert_eq!(fast_exp(0.0), 1.0);
        assert!(fast_exp(f32::NEG_INFINITY) < 1e-37);
    }

    #[test]
    fn the_bf16_softmax_is_the_f32_one_rounded() {
        let mut row: Vec<f32> = (0..1503)
            .map(|i| ((i * 53) % 97) as f32 * 0.2 - 9.0)
            .collect();
        let mut copy = row.clone();
        let mut out = vec![0u16; row.len()];
        softmax_into_bf16(&mut row, &mut out);
        softmax_in_place(&mut copy);
        for (&o, &p) in out.iter().zip(&copy) {
            assert_eq!(o, super::super::bf16::bf16_bits(p));
        }
    }

    #[test]
    fn log_sum_exp_matches_f64() {
        let row: Vec<f32> = (0..51_865)
            .map(|i| ((i * 7919 % 1000) as f32 - 700.0) / 37.0)
            .collect();
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let want = max
            + row
                .iter()
                .map(|&v| (v as f64 - max).exp())
                .sum::<f64>()
                .ln();
        let got = log_sum_exp(&row) as f64;
        assert!((got - want).abs() < 1e-5, "{got} against {want}");
        let mut masked = row.clone();
        masked[..51_000].fill(f32::NEG_INFINITY);
        let max = masked.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let want = max
            + masked[51_000..]
                .iter()
                .map(|&v| (v as f64 - max).exp())
                .sum::<f64>()
                .ln();
        assert!((log_sum_exp(&masked) as f64 - want).abs() < 1e-5);
        assert_eq!(log_sum_exp(&[f32::NEG_INFINITY; 3]), f32::NEG_INFINITY);
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut row: Vec<f32> = (0..1500)
            .map(|i| ((i * 37) % 101) as f32 * 0.3 - 15.0)
            .collect();
        let original = row.clone();
        softmax_in_place(&mut row);
        let sum: f64 = row.iter().map(|&v| v as f64).sum();
        assert!((sum - 1.0).abs() < 1e-5, "sum {sum}");
        let max = original.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let denom: f64 = original.iter().map(|&v| ((v - max) as f64).exp()).sum();
        for (&p, &x) in row.iter().zip(&original) {
            let want = ((x - max) as f64).exp() / denom;
            assert!(
                (p as f64 - want).abs() <= 1e-6 * want.max(1e-3),
                "{p} against {want}"
            );
        }
    }
}
