//! What the first bytes of an Opus packet (RFC 6716 §3.1) say about its length.

/// A 20 ms CELT fullband mono frame that decodes to digital silence.
///
/// Used to fill gaps so a track's timeline stays true to wall-clock time;
/// decoders produce zeros for it and apply no packet-loss concealment.
pub const SILENCE_FRAME: [u8; 3] = [0xf8, 0xff, 0xfe];

/// Samples (at 48 kHz) in [`SILENCE_FRAME`].
pub const SILENCE_FRAME_SAMPLES: u64 = 960;

/// The number of 48 kHz samples in an Opus packet, or `None` when the packet
/// is empty or malformed.
pub fn samples_in_packet(packet: &[u8]) -> Option<u64> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    // Frame length in 48 kHz samples, per the configuration number.
    let frame: u64 = match config {
        0..=11 => [480, 960, 1920, 2880][(config % 4) as usize],
        12..=15 => [480, 960][(config % 2) as usize],
        _ => [120, 240, 480, 960][(config % 4) as usize],
    };
    let frames: u64 = match toc & 0x03 {
        0 => 1,
        1 | 2 => 2,
        _ => u64::from(*packet.get(1)? & 0x3f),
    };
    let total = frame * frames;
    // RFC 6716: a packet never holds more than 120 ms.
    (frames > 0 && total <= 5760).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_frame_sizes_and_counts() {
        // Config 31 (CELT FB 20 ms), one frame.
        assert_eq!(samples_in_packet(&SILENCE_FRAME), Some(960));
        // Config 1 (SILK NB 20 ms), two frames of equal size (code 1).
        assert_eq!(samples_in_packet(&[(1 << 3) | 1, 0]), Some(1920));
        // Config 16 (CELT 2.5 ms), code 3 with 4 frames.
        assert_eq!(samples_in_packet(&[(16 << 3) | 3, 4]), Some(480));
        // Hybrid 10 ms.
        assert_eq!(samples_in_packet(&[12 << 3]), Some(480));
    }

    #[test]
    fn rejects_empty_and_oversized_packets() {
        assert_eq!(samples_in_packet(&[]), None);
        assert_eq!(samples_in_packet(&[(31 << 3) | 3]), None);
        assert_eq!(samples_in_packet(&[(31 << 3) | 3, 0]), None);
        // 60 ms SILK × 3 frames = 180 ms: over the limit.
        assert_eq!(samples_in_packet(&[(3 << 3) | 3, 3]), None);
    }
}
