//! The products on Intel AMX tiles (Sapphire Rapids and later Xeons):
//! `tdpbf16ps` multiplies a 16 × 32 bf16 tile by a 32 × 16 one into 16 × 16
//! f32 sums in one instruction. Stable Rust has no AMX intrinsics, so the
//! few instructions are inline asm.

use super::{BlockPair, BLOCK, TILE_K, TILE_ROWS};
use std::arch::asm;

/// Whether the CPU has AMX-BF16 and Linux grants this process the tile state.
pub(super) fn usable() -> bool {
    cpu_has_amx_bf16() && request_tile_data()
}

fn cpu_has_amx_bf16() -> bool {
    // CPUID leaf 7: EDX bit 22 is AMX-BF16, bit 24 AMX-TILE.
    let leaf = std::arch::x86_64::__cpuid_count(7, 0);
    leaf.edx & (1 << 22) != 0 && leaf.edx & (1 << 24) != 0
}

/// Asks Linux for the tile registers' state (off by default for each process).
fn request_tile_data() -> bool {
    const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
    const XFEATURE_XTILEDATA: libc::c_long = 18;
    // SAFETY: arch_prctl with these arguments only changes this process's permissions.
    unsafe {
        libc::syscall(
            libc::SYS_arch_prctl,
            ARCH_REQ_XCOMP_PERM,
            XFEATURE_XTILEDATA,
        ) == 0
    }
}

/// The tile configuration: palette 1, eight tiles of 16 rows × 64 bytes.
#[repr(C, align(64))]
struct TileConfig {
    palette: u8,
    start_row: u8,
    reserved: [u8; 14],
    bytes_per_row: [u16; 16],
    rows: [u8; 16],
    tail: [u8; 16],
}

impl TileConfig {
    fn all_full() -> Self {
        let mut config = Self {
            palette: 1,
            start_row: 0,
            reserved: [0; 14],
            bytes_per_row: [0; 16],
            rows: [0; 16],
            tail: [0; 16],
        };
        for t in 0..8 {
            config.bytes_per_row[t] = (TILE_K * 2) as u16;
            config.rows[t] = TILE_ROWS as u8;
        }
        config
    }
}

/// Computes every 32 × 32 block of one 32-row block of the output, handing
/// each to `emit` with its column-block index.
///
/// # Safety
/// [`usable`] must have returned true in this process.
pub(super) unsafe fn row_block(
    pairs: &[BlockPair<'_>],
    k_pad: usize,
    column_blocks: usize,
    emit: &mut dyn FnMut(usize, &[f32; BLOCK * BLOCK]),
) {
    let k_tiles = k_pad / TILE_K;
    let a_stride = k_pad * 2;
    let mut c = [0f32; BLOCK * BLOCK];
    let config = TileConfig::all_full();
    // SAFETY: AMX is usable (the caller's promise); this thread's tile state
    // is configured before use and released at the end.
    unsafe { asm!("ldtilecfg [{}]", in(reg) &config, options(nostack)) };
    for col_pair in 0..column_blocks {
        // SAFETY: tmm0–3 are this block's sums.
        unsafe {
            asm!(
                "tilezero tmm0",
                "tilezero tmm1",
                "tilezero tmm2",
                "tilezero tmm3",
                options(nostack, nomem)
            )
        };
        for kt in 0..k_tiles {
            for pair in pairs {
                let a_top = pair.rows[kt * TILE_K..].as_ptr();
                let a_bottom = pair.rows[TILE_ROWS * k_pad + kt * TILE_K..].as_ptr();
                let w_left = pair.packed.tile(2 * col_pair, kt);
                let w_right = pair.packed.tile(2 * col_pair + 1, kt);
                // SAFETY: every pointer addresses a whole tile inside its
                // buffer (rows and k are padded to whole tiles).
                unsafe {
                    asm!(
                        "tileloadd tmm4, [{at} + {astride}*1]",
                        "tileloadd tmm5, [{ab} + {astride}*1]",
                        "tileloadd tmm6, [{wl} + {wstride}*1]",
                        "tileloadd tmm7, [{wr} + {wstride}*1]",
                        "tdpbf16ps tmm0, tmm4, tmm6",
                        "tdpbf16ps tmm1, tmm4, tmm7",
                        "tdpbf16ps tmm2, tmm5, tmm6",
                        "tdpbf16ps tmm3, tmm5, tmm7",
                        at = in(reg) a_top,
                        ab = in(reg) a_bottom,
                        wl = in(reg) w_left,
                        wr = in(reg) w_right,
                        astride = in(reg) a_stride,
                        wstride = in(reg) TILE_K * 2,
                        options(nostack, readonly)
                    )
                };
            }
        }
        let c_ptr = c.as_mut_ptr();
        // SAFETY: c holds 32 × 32 f32; each store writes a 16 × 16 quarter.
        unsafe {
            asm!(
                "tilestored [{c} + {stride}*1], tmm0",
                "tilestored [{c2} + {stride}*1], tmm1",
                "tilestored [{c3} + {stride}*1], tmm2",
                "tilestored [{c4} + {stride}*1], tmm3",
                c = in(reg) c_ptr,
                c2 = in(reg) c_ptr.add(TILE_ROWS),
                c3 = in(reg) c_ptr.add(TILE_ROWS * BLOCK),
                c4 = in(reg) c_ptr.add(TILE_ROWS * BLOCK + TILE_ROWS),
                stride = in(reg) BLOCK * 4,
                options(nostack)
            )
        };
        emit(col_pair, &c);
    }
    // SAFETY: releases this thread's tile state.
    unsafe { asm!("tilerelease", options(nostack, nomem)) };
}
