//! Reads back the pages of an Ogg file this crate wrote, for crash recovery:
//! a killed bot leaves complete pages followed, at worst, by a torn one.

use std::io;
use std::path::Path;

/// Size of the fixed part of a page header.
const HEADER: usize = 27;

/// The granule position of the last complete page that carries one (for
/// Opus: samples at 48 kHz since the start), or `None` when there is none.
/// A torn page at the end (a write cut short) is ignored.
pub fn last_granule(path: &Path) -> io::Result<Option<u64>> {
    let data = std::fs::read(path)?;
    let mut at = 0usize;
    let mut last = None;
    while data.len() >= at + HEADER && &data[at..at + 4] == b"OggS" {
        let segments = data[at + 26] as usize;
        let table_end = at + HEADER + segments;
        let Some(table) = data.get(at + HEADER..table_end) else {
            break;
        };
        let body: usize = table.iter().map(|&l| l as usize).sum();
        if data.len() < table_end + body {
            break;
        }
        let mut granule = [0u8; 8];
        granule.copy_from_slice(&data[at + 6..at + 14]);
        let granule = i64::from_le_bytes(granule);
        // -1 marks a page on which no packet ends.
        if granule >= 0 {
            last = Some(granule as u64);
        }
        at = table_end + body;
    }
    Ok(last)
}
