//! Matrix products with bf16 inputs and f32 sums, for whole windows.
//!
//! The encoder is most of a window's work (≈ 37 GFLOP for tiny), and gemm's
//! f32 kernels reach ≈ 60 GFLOP/s on two cores. CPUs with a bf16 dot
//! product do several times more work per cycle: Intel's AMX tiles
//! ([`amx`], Sapphire Rapids and later) and AVX512-BF16 ([`avx512`], AMD
//! Zen 4 and later). CTranslate2 (through oneDNN) uses the same units on the
//! same machines. bf16 keeps f32's range with 8 bits of mantissa: the sums
//! stay f32, so a product is off by a few parts in a thousand, below what
//! changes Whisper's tokens (checked by the WER tests); where that is too
//! coarse, [`Rows::split`] and [`Packed::split_from_rows`] carry 16 bits.
//!
//! Both units read the same layouts ([`Rows`], [`Packed`]). Where the CPU has
//! neither, [`available`] is false and callers keep their f32 path (as they
//! do when `[transcription] bf16` is off).

mod amx;
mod avx512;

use rayon::prelude::*;
use std::sync::OnceLock;

/// Rows of a tile; a C block is two tiles high.
const TILE_ROWS: usize = 16;
/// bf16 values in one tile row (64 bytes): the `k` step of one product.
const TILE_K: usize = 32;
/// Output rows and columns of one block (2 × 2 tiles).
pub(super) const BLOCK: usize = 32;
/// u16 values in one packed right-hand tile (16 pairs of k × 16 columns × 2).
const TILE_VALUES: usize = TILE_ROWS * TILE_K;

/// The unit that multiplies bf16 values on this CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// Intel AMX tiles.
    Amx,
    /// AVX512-BF16 dot products.
    Avx512,
}

/// The fastest unit this process can use, if any (asked once).
fn unit() -> Option<Unit> {
    static UNIT: OnceLock<Option<Unit>> = OnceLock::new();
    *UNIT.get_or_init(|| {
        let unit = if amx::usable() {
            Some(Unit::Amx)
        } else if avx512::usable() {
            Some(Unit::Avx512)
        } else {
            None
        };
        tracing::debug!(?unit, "bf16 products");
        unit
    })
}

/// Whether bf16 products run on this CPU (AMX or AVX512-BF16).
pub fn available() -> bool {
    unit().is_some()
}

/// f32 → bf16, rounding to nearest even (NaN stays NaN for quiet NaNs).
#[inline(always)]
pub(super) fn bf16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

/// Which part of an f32 a bf16 conversion keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The value rounded to bf16 ([`bf16_bits`]).
    High,
    /// What the rounding left, itself rounded ([`bf16_remainder`]).
    Low,
}

/// What [`bf16_bits`] leaves of `x`, itself as bf16.
fn bf16_remainder(x: f32) -> u16 {
    let high = f32::from_bits((bf16_bits(x) as u32) << 16);
    bf16_bits(x - high)
}

fn round_up(x: usize, to: usize) -> usize {
    x.div_ceil(to) * to
}

/// Left-hand rows `[m, k]` as bf16, padded with zeros to whole blocks.
pub struct Rows {
    values: Vec<u16>,
    m: usize,
    k_pad: usize,
}

impl Rows {
    /// Converts `m` rows of `k` f32 values each (row-major).
    pub fn new(values: &[f32], m: usize, k: usize) -> Self {
        Self::converted(values, m, k, Part::High)
    }

    /// The same rows as two bf16 parts, `high + low`, whose products carry
    /// about 16 bits of each value instead of 8 (see [`matmul_t_sum`]).
    pub fn split(values: &[f32], m: usize, k: usize) -> (Self, Self) {
        (
            Self::converted(values, m, k, Part::High),
            Self::converted(values, m, k, Part::Low),
        )
    }

    fn converted(values: &[f32], m: usize, k: usize, part: Part) -> Self {
        debug_assert_eq!(values.len(), m * k);
        let mut rows = Self::zeroed(m, k);
        let k_pad = rows.k_pad;
        let vector = avx512::usable();
        rows.values
            .par_chunks_mut(k_pad * BLOCK)
            .zip(values.par_chunks(k * BLOCK))
            .for_each(|(dst, src)| {
                for (d, s) in dst.chunks_exact_mut(k_pad).zip(src.chunks_exact(k)) {
                    let d = &mut d[..k];
                    if vector {
                        // SAFETY: AVX512-BF16 was detected above.
                        unsafe { avx512::convert(part, s, d) };
                    } else {
                        let convert = match part {
                            Part::High => bf16_bits,
                            Part::Low => bf16_remainder,
                        };
                        for (d, &s) in d.iter_mut().zip(s) {
                            *d = convert(s);
                        }
                    }
                }
            });
        rows
    }

    /// `m` rows of `k` zeros, to be filled block by block with [`Rows::blocks_mut`].
    pub fn zeroed(m: usize, k: usize) -> Self {
        let k_pad = round_up(k, TILE_K);
        Self {
            values: vec![0; round_up(m, BLOCK) * k_pad],
            m,
            k_pad,
        }
    }

    /// Mutable access to whole blocks of 32 rows, for filling in parallel.
    pub fn blocks_mut(&mut self) -> impl IndexedParallelIterator<Item = RowBlock<'_>> {
        let k_pad = self.k_pad;
        self.values
            .par_chunks_mut(k_pad * BLOCK)
            .map(move |values| RowBlock { k_pad, values })
    }
}

/// 32 consecutive rows of a [`Rows`].
pub struct RowBlock<'a> {
    k_pad: usize,
    values: &'a mut [u16],
}

impl RowBlock<'_> {
    /// The block's row `i`: `k` values, then zeros up to a whole tile.
    pub fn row_mut(&mut self, i: usize) -> &mut [u16] {
        &mut self.values[i * self.k_pad..(i + 1) * self.k_pad]
    }
}

/// A right-hand side `W` `[n, k]` of `x · Wᵀ`, as bf16 tiles in the layout
/// `tdpbf16ps` reads: per 16 columns and 32 k, pairs of k interleaved.
pub struct Packed {
    tiles: Vec<u16>,
    n: usize,
    k_pad: usize,
    n_pad: usize,
}

impl Packed {
    /// Packs a row-major `[n, k]` matrix (a linear layer's weight).
    pub fn from_rows(w: &[f32], n: usize, k: usize) -> Self {
        debug_assert_eq!(w.len(), n * k);
        Self::pack(n, k, |j, kk| bf16_bits(w[j * k + kk]))
    }

    /// [`Packed::from_rows`] as two bf16 parts, `high + low` (see [`Rows::split`]).
    pub fn split_from_rows(w: &[f32], n: usize, k: usize) -> (Self, Self) {
        debug_assert_eq!(w.len(), n * k);
        (
            Self::pack(n, k, |j, kk| bf16_bits(w[j * k + kk])),
            Self::pack(n, k, |j, kk| bf16_remainder(w[j * k + kk])),
        )
    }

    /// Packs the transpose of a row-major `[k, n]` matrix (attention values).
    pub fn from_columns(v: &[f32], k: usize, n: usize) -> Self {
        debug_assert_eq!(v.len(), k * n);
        Self::pack(n, k, |j, kk| bf16_bits(v[kk * n + j]))
    }

    fn pack(n: usize, k: usize, at: impl Fn(usize, usize) -> u16 + Sync) -> Self {
        let k_pad = round_up(k, TILE_K);
        let n_pad = round_up(n, BLOCK);
        let k_tiles = k_pad / TILE_K;
        let mut tiles = vec![0u16; n_pad * k_pad];
        tiles
            .par_chunks_mut(TILE_VALUES * k_tiles)
            .enumerate()
            .for_each(|(col_tile, strip)| {
                for (kt, tile) in strip.chunks_exact_mut(TILE_VALUES).enumerate() {
                    for c in 0..TILE_ROWS {
                        let j = col_tile * TILE_ROWS + c;
                        if j >= n {
                            break;
                        }
                        for p in 0..TILE_K {
                            let kk = kt * TILE_K + p;
                            if kk >= k {
                                break;
                            }
                            // Row p/2 of the tile, column c, element p%2.
                            tile[(p / 2) * TILE_K + c * 2 + p % 2] = at(j, kk);
                        }
                    }
                }
            });
        Self {
            tiles,
            n,
            k_pad,
            n_pad,
        }
    }

    fn tile(&self, col_tile: usize, k_tile: usize) -> *const u16 {
        let k_tiles = self.k_pad / TILE_K;
        self.tiles[(col_tile * k_tiles + k_tile) * TILE_VALUES..].as_ptr()
    }

    /// Every tile of 16 columns, in k order: k_pad / 2 rows of 16 pairs.
    fn strip(&self, col_tile: usize) -> &[u16] {
        let len = self.k_pad / TILE_K * TILE_VALUES;
        &self.tiles[col_tile * len..(col_tile + 1) * len]
    }
}

/// One 32-row block of a left-hand side and the right-hand side it meets.
struct BlockPair<'a> {
    rows: &'a [u16],
    packed: &'a Packed,
}

/// `out[m, n] = a · wᵀ (+ bias)` in bf16. Call only when [`available`].
pub fn matmul_t(a: &Rows, w: &Packed, bias: Option<&[f32]>, out: &mut [f32]) {
    matmul_t_sum(&[(a, w)], bias, out)
}

/// `out[m, n] = Σ aᵢ · wᵢᵀ (+ bias)` over same-shaped pairs, summed in f32
/// before rounding. With the parts of [`Rows::split`] and [`Packed::split_from_rows`],
/// `(hi, hi), (hi, lo), (lo, hi)` gives a product about as exact as f32's
/// (attention scores need it: they go through `exp`).
pub fn matmul_t_sum(pairs: &[(&Rows, &Packed)], bias: Option<&[f32]>, out: &mut [f32]) {
    let unit = unit().expect("bf16 products need AMX or AVX512-BF16");
    matmul_t_sum_on(unit, pairs, bias, out)
}

fn matmul_t_sum_on(unit: Unit, pairs: &[(&Rows, &Packed)], bias: Option<&[f32]>, out: &mut [f32]) {
    let Some(&(first, first_w)) = pairs.first() else {
        return;
    };
    let (m, n, k_pad) = (first.m, first_w.n, first.k_pad);
    for (a, w) in pairs {
        assert!(
            a.m == m && a.k_pad == k_pad && w.n == n && w.k_pad == k_pad,
            "shapes differ"
        );
    }
    assert_eq!(out.len(), m * n);
    let column_blocks = first_w.n_pad / BLOCK;
    out.par_chunks_mut(n * BLOCK)
        .enumerate()
        .for_each(|(block_index, out_block)| {
            let rows = out_block.len() / n;
            let first_value = block_index * BLOCK * k_pad;
            let blocks: Vec<BlockPair<'_>> = pairs
                .iter()
                .map(|(a, w)| BlockPair {
                    rows: &a.values[first_value..first_value + BLOCK * k_pad],
                    packed: w,
                })
                .collect();
            let mut emit = |col_pair: usize, c: &[f32; BLOCK * BLOCK]| {
                let j0 = col_pair * BLOCK;
                let cols = BLOCK.min(n.saturating_sub(j0));
                for r in 0..rows {
                    let dst = &mut out_block[r * n + j0..r * n + j0 + cols];
                    let src = &c[r * BLOCK..r * BLOCK + cols];
                    match bias {
                        Some(b) => {
                            for ((d, &s), &b) in dst.iter_mut().zip(src).zip(&b[j0..j0 + cols]) {
                                *d = s + b;
                            }
                        }
                        None => dst.copy_from_slice(src),
                    }
                }
            };
            // SAFETY: `unit` is one this CPU has (from `unit()`, or checked by the tests).
            unsafe {
                match unit {
                    Unit::Amx => amx::row_block(&blocks, k_pad, column_blocks, &mut emit),
                    Unit::Avx512 => {
                        avx512::row_block(&blocks, k_pad, column_blocks, rows, &mut emit)
                    }
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whisper::test_values::values;

    /// The units this CPU has, each tested on its own.
    fn units() -> Vec<Unit> {
        let mut units = Vec::new();
        if amx::usable() {
            units.push(Unit::Amx);
        }
        if avx512::usable() {
            units.push(Unit::Avx512);
        }
        if units.is_empty() {
            eprintln!("no bf16 unit on this CPU: skipped");
        }
        units
    }

    fn matmul_t_on(unit: Unit, a: &Rows, w: &Packed, bias: Option<&[f32]>, out: &mut [f32]) {
        matmul_t_sum_on(unit, &[(a, w)], bias, out)
    }

    fn reference(a: &[f32], w: &[f32], m: usize, n: usize, k: usize) -> Vec<f64> {
        let round = |x: f32| f32::from_bits((bf16_bits(x) as u32) << 16) as f64;
        (0..m * n)
            .map(|i| {
                let (r, j) = (i / n, i % n);
                (0..k)
                    .map(|kk| round(a[r * k + kk]) * round(w[j * k + kk]))
                    .sum()
            })
            .collect()
    }

    #[test]
    fn split_products_are_as_exact_as_f32() {
        for unit in units() {
            split_products_on(unit);
        }
    }

    fn split_products_on(unit: Unit) {
        let (m, n, k) = (45, 70, 64);
        // Large values, as attention scores have them.
        let a: Vec<f32> = values(m * k, 4).iter().map(|v| v * 40.0).collect();
        let w: Vec<f32> = values(n * k, 5).iter().map(|v| v * 40.0).collect();
        let (a_high, a_low) = Rows::split(&a, m, k);
        let (w_high, w_low) = Packed::split_from_rows(&w, n, k);
        let mut out = vec![0f32; m * n];
        matmul_t_sum_on(
            unit,
            &[(&a_high, &w_high), (&a_high, &w_low), (&a_low, &w_high)],
            None,
            &mut out,
        );
        let mut plain = vec![0f32; m * n];
        matmul_t_on(unit, &a_high, &w_high, None, &mut plain);
        let (mut split_err, mut plain_err, mut largest) = (0f64, 0f64, 0f64);
        for i in 0..m * n {
            let (r, j) = (i / n, i % n);
            let want: f64 = (0..k)
                .map(|kk| a[r * k + kk] as f64 * w[j * k + kk] as f64)
                .sum();
            largest = largest.max(want.abs());
            split_err = split_err.max((out[i] as f64 - want).abs());
            plain_err = plain_err.max((plain[i] as f64 - want).abs());
        }
        // Two parts keep ≈ 16 bits of each input: errors of a few 1e-6 of the largest sum.
        assert!(
            split_err < 1e-5 * largest,
            "{unit:?} split: {split_err} of {largest}"
        );
        assert!(
            plain_err > 20.0 * split_err,
            "one bf16 pass: {plain_err}, split {split_err}"
        );
    }

    #[test]
    fn vector_conversion_equals_the_scalar_one() {
        if !avx512::usable() {
            eprintln!("no AVX512-BF16 on this CPU: skipped");
            return;
        }
        let mut x: Vec<f32> = values(1000, 7).iter().map(|v| v * 300.0).collect();
        // Halfway cases and exact values.
        x.extend([1.0 + 1.0 / 256.0, 1.0 + 3.0 / 256.0, -2.0, 0.0, 65504.0]);
        for part in [Part::High, Part::Low] {
            let scalar = match part {
                Part::High => bf16_bits,
                Part::Low => bf16_remainder,
            };
            let mut got = vec![0u16; x.len()];
            // SAFETY: AVX512-BF16 was detected above.
            unsafe { avx512::convert(part, &x, &mut got) };
            for (i, (&g, &v)) in got.iter().zip(&x).enumerate() {
                assert_eq!(g, scalar(v), "{part:?} of {v} at {i}");
            }
        }
    }

    #[test]
    fn bf16_rounds_to_nearest_even() {
        assert_eq!(bf16_bits(1.0), 0x3f80);
        assert_eq!(bf16_bits(-2.0), 0xc000);
        // 1 + 2⁻⁸ lies halfway between two bf16 values: even (down).
        assert_eq!(bf16_bits(1.0 + 1.0 / 256.0), 0x3f80);
        assert_eq!(bf16_bits(1.0 + 3.0 / 256.0), 0x3f82);
    }

    #[test]
    fn products_equal_a_plain_sum_of_the_rounded_inputs() {
        for unit in units() {
            products_on(unit);
        }
    }

    fn products_on(unit: Unit) {
        // Shapes that are not whole tiles in any dimension, and ones that are.
        for (m, n, k) in [(37, 45, 70), (64, 64, 64), (1, 3, 5), (33, 96, 384)] {
            let a = values(m * k, 1);
            let w = values(n * k, 2);
            let bias = values(n, 3);
            let mut out = vec![0f32; m * n];
            matmul_t_on(
                unit,
                &Rows::new(&a, m, k),
                &Packed::from_rows(&w, n, k),
                Some(&bias),
                &mut out,
            );
            let want = reference(&a, &w, m, n, k);
            for (i, (&got, &want)) in out.iter().zip(&want).enumerate() {
                let want = want + bias[i % n] as f64;
                assert!(
                    (got as f64 - want).abs() < 1e-4,
                    "{unit:?} {m}×{n}×{k} at {i}: {got} against {want}"
                );
            }
            // The same product with the right-hand side given by columns.
            let mut wt = vec![0f32; k * n];
            for j in 0..n {
                for kk in 0..k {
                    wt[kk * n + j] = w[j * k + kk];
                }
            }
            let mut again = vec![0f32; m * n];
            matmul_t_on(
                unit,
                &Rows::new(&a, m, k),
                &Packed::from_columns(&wt, k, n),
                Some(&bias),
                &mut again,
            );
            assert_eq!(out, again);
        }
    }
}
