//! Pure logic around the VAD: timestamp rules, chunking, timeline mapping.

use mymeet_pipeline::vad::{
    chunk_regions, regions_from_probs, Edge, SpeechRegion, TimelineMap, VadOptions,
};

const CHUNK: usize = 512;

fn region(start: usize, end: usize) -> SpeechRegion {
    SpeechRegion { start, end }
}

/// Probabilities for `n` chunks, speech (0.9) on the given [from, to) chunk ranges.
fn probs(n: usize, speech: &[(usize, usize)]) -> Vec<f32> {
    (0..n)
        .map(|i| {
            if speech.iter().any(|&(from, to)| (from..to).contains(&i)) {
                0.9
            } else {
                0.05
            }
        })
        .collect()
}

#[test]
fn speech_chunks_become_padded_regions() {
    // Chunks 10..30 are speech: 5120..15360 samples, padded by 30 ms (480).
    let p = probs(60, &[(10, 30)]);
    let regions = regions_from_probs(&p, 60 * CHUNK, &VadOptions::default());
    assert_eq!(regions, [region(10 * CHUNK - 480, 30 * CHUNK + 480)]);
}

#[test]
fn short_blips_and_short_pauses_follow_the_reference_rules() {
    // A 3-chunk blip (96 ms < 250 ms) is dropped; a 2-chunk pause (64 ms < 100 ms) does not split.
    let p = probs(100, &[(5, 8), (20, 40), (42, 60)]);
    let regions = regions_from_probs(&p, 100 * CHUNK, &VadOptions::default());
    assert_eq!(regions, [region(20 * CHUNK - 480, 60 * CHUNK + 480)]);
}

#[test]
fn hysteresis_keeps_speech_between_the_two_thresholds() {
    // 0.4 is below the start threshold (0.5) but above the exit one (0.35).
    let mut p = probs(80, &[(10, 20)]);
    for v in &mut p[20..40] {
        *v = 0.4;
    }
    let regions = regions_from_probs(&p, 80 * CHUNK, &VadOptions::default());
    assert_eq!(regions, [region(10 * CHUNK - 480, 40 * CHUNK + 480)]);
}

#[test]
fn close_regions_share_the_gap_instead_of_overlapping() {
    // A 5-chunk pause (160 ms ≥ 100 ms) splits the speech.
    let p = probs(100, &[(10, 30), (35, 60)]);
    let regions = regions_from_probs(&p, 100 * CHUNK, &VadOptions::default());
    assert_eq!(
        regions,
        [
            region(10 * CHUNK - 480, 30 * CHUNK + 480),
            region(35 * CHUNK - 480, 60 * CHUNK + 480)
        ]
    );
    // With 100 ms of padding the 2560-sample gap is less than 2 × 1600: each side takes half.
    let wide = VadOptions {
        speech_pad_ms: 100,
        ..VadOptions::default()
    };
    let regions = regions_from_probs(&p, 100 * CHUNK, &wide);
    assert_eq!(
        regions,
        [
            region(10 * CHUNK - 1600, 30 * CHUNK + 1280),
            region(35 * CHUNK - 1280, 60 * CHUNK + 1600)
        ]
    );
}

#[test]
fn over_long_speech_is_split_at_its_longest_pause() {
    let options = VadOptions {
        max_speech_duration_s: 3.0,
        ..VadOptions::default()
    };
    // 0..40 speech, pause 40..44 (128 ms), speech 44..60, pause 60..63, speech 63..140.
    let p = probs(160, &[(0, 40), (44, 60), (63, 140)]);
    let regions = regions_from_probs(&p, 160 * CHUNK, &options);
    assert!(regions.len() >= 2, "{regions:?}");
    // The first cut is at the longest pause, chunk 40.
    assert_eq!(regions[0].start, 0);
    assert_eq!(regions[0].end, 40 * CHUNK + 480);
    for r in &regions {
        assert!(
            r.len() <= 3 * 16_000 + 2 * 480 + CHUNK,
            "{r:?} longer than the maximum"
        );
    }
}

#[test]
fn speech_running_to_the_end_ends_at_the_audio_length() {
    let p = probs(50, &[(20, 50)]);
    let regions = regions_from_probs(&p, 50 * CHUNK - 100, &VadOptions::default());
    assert_eq!(regions, [region(20 * CHUNK - 480, 50 * CHUNK - 100)]);
}

#[test]
fn chunks_hold_at_most_max_s_of_speech() {
    let s = 16_000;
    let regions = [
        region(0, 10 * s),
        region(12 * s, 25 * s),
        region(26 * s, 35 * s),
        region(100 * s, 101 * s),
    ];
    let chunks = chunk_regions(&regions, 30.0, f64::INFINITY);
    // 10 + 13 = 23 s fit; + 9 s = 32 s does not: a second chunk, which also takes the far region.
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].regions, &regions[..2]);
    assert_eq!(chunks[1].regions, &regions[2..]);
    assert_eq!(chunks[0].speech_samples(), 23 * s);
    // With a gap limit the far region starts its own chunk.
    let chunks = chunk_regions(&regions, 30.0, 5.0);
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks[2].regions, [regions[3]]);
}

#[test]
fn a_region_longer_than_max_s_is_cut_into_pieces() {
    let s = 16_000;
    let chunks = chunk_regions(&[region(s, 71 * s)], 30.0, f64::INFINITY);
    let spans: Vec<_> = chunks.iter().map(|c| (c.start(), c.end())).collect();
    assert_eq!(spans, [(s, 31 * s), (31 * s, 61 * s), (61 * s, 71 * s)]);
}

#[test]
fn chunk_audio_is_the_concatenated_speech() {
    let pcm: Vec<f32> = (0..100).map(|i| i as f32).collect();
    let chunks = chunk_regions(&[region(10, 20), region(50, 55)], 30.0, f64::INFINITY);
    let audio = chunks[0].audio(&pcm);
    let expected: Vec<f32> = (10..20).chain(50..55).map(|i| i as f32).collect();
    assert_eq!(audio, expected);
}

#[test]
fn timeline_maps_concatenated_times_back() {
    let s = 16_000;
    // Speech 2–5 s and 10–12 s: concatenated 0–3 s and 3–5 s.
    let map = TimelineMap::new(&[region(2 * s, 5 * s), region(10 * s, 12 * s)]);
    assert_eq!(map.concatenated_len(), 5 * s);
    assert!((map.original_s(0.0, Edge::Start) - 2.0).abs() < 1e-9);
    assert!((map.original_s(1.5, Edge::Start) - 3.5).abs() < 1e-9);
    // The cut at 3 s: an end belongs to the first region, a start to the second.
    assert!((map.original_s(3.0, Edge::End) - 5.0).abs() < 1e-9);
    assert!((map.original_s(3.0, Edge::Start) - 10.0).abs() < 1e-9);
    assert!((map.original_s(4.25, Edge::End) - 11.25).abs() < 1e-9);
    // Past the end extends the last region rather than jumping.
    assert!((map.original_s(6.0, Edge::End) - 13.0).abs() < 1e-9);
    assert_eq!(map.original_sample(3 * s + 7, Edge::Start), 10 * s + 7);
}

#[test]
fn an_empty_map_is_the_identity() {
    let map = TimelineMap::new(&[]);
    assert!((map.original_s(1.25, Edge::Start) - 1.25).abs() < 1e-9);
}
