//! The products with AVX512-BF16's `vdpbf16ps` (AMD Zen 4 and later, Intel
//! Cooper Lake): sixteen f32 sums, each adding the products of one pair of
//! bf16 values, per instruction. A packed tile row (16 columns × one pair of
//! k) is exactly one register, so the kernel reads [`Packed`] as it is.
//!
//! [`Packed`]: super::Packed

use super::{BlockPair, Part, BLOCK};
use std::arch::x86_64::*;

/// Output rows computed together: 8 rows × 32 columns are 16 accumulators,
/// leaving registers for the two weight vectors and the broadcast inputs.
const GROUP: usize = 8;

/// Whether the CPU has AVX-512F and AVX512-BF16.
pub(super) fn usable() -> bool {
    is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bf16")
}

/// Computes every 32 × 32 block of one 32-row block of the output (only its
/// first `rows` rows), handing each to `emit` with its column-block index.
///
/// # Safety
/// [`usable`] must have returned true.
#[target_feature(enable = "avx512f,avx512bf16")]
pub(super) unsafe fn row_block(
    pairs: &[BlockPair<'_>],
    k_pad: usize,
    column_blocks: usize,
    rows: usize,
    emit: &mut dyn FnMut(usize, &[f32; BLOCK * BLOCK]),
) {
    let mut c = [0f32; BLOCK * BLOCK];
    let half = BLOCK / 2;
    for col_pair in 0..column_blocks {
        for group in 0..rows.div_ceil(GROUP) {
            let mut acc = [[_mm512_setzero_ps(); 2]; GROUP];
            for pair in pairs {
                assert!(pair.rows.len() >= BLOCK * k_pad);
                let left = pair.packed.strip(2 * col_pair);
                let right = pair.packed.strip(2 * col_pair + 1);
                assert!(left.len() >= k_pad * half && right.len() >= k_pad * half);
                let a = pair.rows[group * GROUP * k_pad..].as_ptr();
                for q in 0..k_pad / 2 {
                    // SAFETY: a strip holds k_pad / 2 rows of 32 values (asserted).
                    let (b0, b1) = unsafe {
                        (
                            as_bh(_mm512_loadu_si512(left.as_ptr().add(q * BLOCK).cast())),
                            as_bh(_mm512_loadu_si512(right.as_ptr().add(q * BLOCK).cast())),
                        )
                    };
                    for (r, acc) in acc.iter_mut().enumerate() {
                        // SAFETY: row group·8 + r < 32 of a block of 32 rows of
                        // k_pad values (asserted), and 2q + 1 < k_pad.
                        let pair_bits =
                            unsafe { a.add(r * k_pad + 2 * q).cast::<i32>().read_unaligned() };
                        let x = as_bh(_mm512_set1_epi32(pair_bits));
                        acc[0] = _mm512_dpbf16_ps(acc[0], x, b0);
                        acc[1] = _mm512_dpbf16_ps(acc[1], x, b1);
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate() {
                let row = &mut c[(group * GROUP + r) * BLOCK..][..BLOCK];
                // SAFETY: row holds 32 f32, two stores of 16.
                unsafe {
                    _mm512_storeu_ps(row.as_mut_ptr(), acc[0]);
                    _mm512_storeu_ps(row.as_mut_ptr().add(half), acc[1]);
                }
            }
        }
        emit(col_pair, &c);
    }
}

/// `dst[i]` = the `part` of `src[i]` as bf16, rounded to nearest even
/// (`vcvtneps2bf16`; inputs below f32's normal range count as zero).
///
/// # Safety
/// [`usable`] must have returned true.
#[target_feature(enable = "avx512f,avx512bf16")]
pub(super) unsafe fn convert(part: Part, src: &[f32], dst: &mut [u16]) {
    assert_eq!(src.len(), dst.len());
    let whole = src.len() / 16 * 16;
    for (s, d) in src[..whole]
        .chunks_exact(16)
        .zip(dst[..whole].chunks_exact_mut(16))
    {
        // SAFETY: 16 readable f32 and 16 writable u16.
        unsafe {
            let x = _mm512_loadu_ps(s.as_ptr());
            let high = _mm512_cvtneps_pbh(x);
            let out = match part {
                Part::High => high,
                Part::Low => {
                    let bits = std::mem::transmute::<__m256bh, __m256i>(high);
                    let back =
                        _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
                    _mm512_cvtneps_pbh(_mm512_sub_ps(x, back))
                }
            };
            _mm256_storeu_si256(
                d.as_mut_ptr().cast(),
                std::mem::transmute::<__m256bh, __m256i>(out),
            );
        }
    }
    let convert = match part {
        Part::High => super::bf16_bits,
        Part::Low => super::bf16_remainder,
    };
    for (d, &s) in dst[whole..].iter_mut().zip(&src[whole..]) {
        *d = convert(s);
    }
}

/// The same 512 bits read as 32 bf16 values.
#[inline(always)]
fn as_bh(v: __m512i) -> __m512bh {
    // SAFETY: both are 512-bit vectors of plain bits.
    unsafe { std::mem::transmute::<__m512i, __m512bh>(v) }
}
