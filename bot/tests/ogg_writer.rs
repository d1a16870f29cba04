//! The timeline-true Ogg Opus writer: timestamp wrap, reordering, gaps, and
//! files that ffmpeg decodes to the right length.

mod support;

use mymeet_bot::ogg::{OpusTrackWriter, PushOutcome, SILENCE_FRAME};

/// A 20 ms CELT frame that is not silence (any payload bytes decode).
const FRAME: [u8; 4] = [0xf8, 0x12, 0x34, 0x56];

/// Pages of an Ogg stream: (header type, granule, packets).
fn pages(bytes: &[u8]) -> Vec<(u8, u64, Vec<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        assert_eq!(&bytes[at..at + 4], b"OggS", "page at {at}");
        let kind = bytes[at + 5];
        let granule = u64::from_le_bytes(bytes[at + 6..at + 14].try_into().unwrap());
        let n = bytes[at + 26] as usize;
        let lacing = &bytes[at + 27..at + 27 + n];
        let mut body = at + 27 + n;
        let mut packets = Vec::new();
        let mut current = Vec::new();
        for &l in lacing {
            current.extend_from_slice(&bytes[body..body + l as usize]);
            body += l as usize;
            if l < 255 {
                packets.push(std::mem::take(&mut current));
            }
        }
        out.push((kind, granule, packets));
        at = body;
    }
    out
}

fn audio_packets(bytes: &[u8]) -> Vec<Vec<u8>> {
    pages(bytes)
        .into_iter()
        .skip(2)
        .flat_map(|(_, _, p)| p)
        .collect()
}

fn last_granule(bytes: &[u8]) -> u64 {
    pages(bytes).last().unwrap().1
}

#[test]
fn a_timestamp_wrap_is_continuous() {
    let mut w = OpusTrackWriter::new(Vec::new(), 1).unwrap();
    let start = u32::MAX - 960 * 5 + 1;
    for i in 0..10u32 {
        let ts = start.wrapping_add(i * 960);
        let outcome = w.push(ts, &FRAME, u64::from(i) * 960).unwrap();
        assert_eq!(
            outcome,
            PushOutcome::Written { silence_frames: 0 },
            "packet {i}"
        );
    }
    let (bytes, counters) = w.finish(10 * 960).unwrap();
    assert_eq!(counters.packets, 10);
    assert_eq!(counters.silence_frames, 0);
    assert_eq!(last_granule(&bytes), 9600);
}

#[test]
fn reordered_and_duplicate_packets_are_dropped_and_granules_stay_monotonic() {
    let mut w = OpusTrackWriter::new(Vec::new(), 1).unwrap();
    let order = [0u32, 1, 3, 2, 4, 4, 5];
    let mut outcomes = Vec::new();
    for &i in &order {
        outcomes.push(w.push(1000 + i * 960, &FRAME, u64::from(i) * 960).unwrap());
    }
    assert_eq!(outcomes[3], PushOutcome::Late);
    assert_eq!(outcomes[5], PushOutcome::Late);
    // Packet 3 arrived before 2: a frame of silence holds 2's place.
    assert_eq!(outcomes[2], PushOutcome::Written { silence_frames: 1 });
    let (bytes, counters) = w.finish(6 * 960).unwrap();
    assert_eq!(counters.late_packets, 2);
    let granules: Vec<u64> = pages(&bytes).iter().map(|p| p.1).collect();
    assert!(granules.windows(2).all(|g| g[0] <= g[1]), "{granules:?}");
    assert_eq!(last_granule(&bytes), 6 * 960);
}

#[test]
fn gaps_are_filled_with_silence_to_keep_wall_clock_time() {
    let mut w = OpusTrackWriter::new(Vec::new(), 1).unwrap();
    // First packet 1 s into the recording; then 10 packets, a 2 s gap (DTX), 10 more.
    let mut ts = 5000u32;
    let mut arrival = 48_000u64;
    for _ in 0..10 {
        w.push(ts, &FRAME, arrival).unwrap();
        ts = ts.wrapping_add(960);
        arrival += 960;
    }
    ts = ts.wrapping_add(96_000);
    arrival += 96_000;
    let after_gap = w.push(ts, &FRAME, arrival).unwrap();
    assert_eq!(
        after_gap,
        PushOutcome::Written {
            silence_frames: 100
        }
    );
    let (bytes, counters) = w.finish(48_000 * 4).unwrap();
    assert_eq!(
        counters.silence_frames,
        50 + 100 + (48_000 * 4 - arrival - 960) / 960
    );
    assert_eq!(last_granule(&bytes), 48_000 * 4);
    let packets = audio_packets(&bytes);
    assert_eq!(
        packets[..50]
            .iter()
            .filter(|p| **p == SILENCE_FRAME)
            .count(),
        50
    );
    assert_eq!(packets[50], FRAME);
}

#[test]
fn a_jump_in_rtp_time_reanchors_to_arrival() {
    let mut w = OpusTrackWriter::new(Vec::new(), 1).unwrap();
    w.push(0, &FRAME, 0).unwrap();
    w.push(960, &FRAME, 960).unwrap();
    // A new source behind the same stream: timestamps jump by hours.
    w.push(0x4000_0000, &FRAME, 48_000).unwrap();
    let (_, counters) = w.finish(48_000 + 960).unwrap();
    assert_eq!(counters.reanchors, 1);
    assert_eq!(counters.silence_frames, 48);
}

#[test]
fn the_file_decodes_to_its_wall_clock_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.ogg");
    let mut w = OpusTrackWriter::new(std::fs::File::create(&path).unwrap(), 9).unwrap();
    for i in 0..50u32 {
        w.push(
            (u32::MAX - 960 * 20).wrapping_add(i * 960),
            &SILENCE_FRAME,
            24_000 + u64::from(i) * 960,
        )
        .unwrap();
    }
    w.finish(48_000 * 3).unwrap();
    let samples = support::decode(&path, 48_000);
    assert_eq!(samples.len(), 48_000 * 3);
}

#[test]
fn a_writer_killed_mid_stream_leaves_whole_pages_that_decode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.ogg");
    let mut w = OpusTrackWriter::new(std::fs::File::create(&path).unwrap(), 9).unwrap();
    for i in 0..120u32 {
        w.push(i * 960, &SILENCE_FRAME, u64::from(i) * 960).unwrap();
    }
    w.flush().unwrap();
    // No finish(): as if the process died here.
    std::mem::forget(w);
    let samples = support::decode(&path, 48_000);
    assert_eq!(samples.len(), 120 * 960);
}
