//! The Silero VAD port on real speech, silence and noise.

use std::path::{Path, PathBuf};

use mymeet_pipeline::audio::decode_file;
use mymeet_pipeline::vad::{SileroVad, SpeechRegion, CHUNK_SAMPLES};

fn speech_dir() -> PathBuf {
    std::env::var_os("MYMEET_TEST_SPEECH_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/speech"),
        PathBuf::from,
    )
}

/// Loads the weights where `mymeet models fetch silero-vad` puts them.
fn load_vad() -> SileroVad {
    let dir = std::env::var_os("MYMEET_MODELS_DIR")
        .map_or_else(|| PathBuf::from("/var/tmp/mymeet-models"), PathBuf::from);
    let path = dir.join("silero-vad/silero_vad_16k.safetensors");
    assert!(
        path.is_file(),
        "{} is missing: run `mymeet models fetch silero-vad` (or set MYMEET_MODELS_DIR)",
        path.display()
    );
    SileroVad::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn seconds(regions: &[SpeechRegion]) -> f64 {
    regions.iter().map(|r| r.len()).sum::<usize>() as f64 / 16_000.0
}

/// Union of the speakers' turns in an RTTM file, in seconds, sorted and merged.
fn rttm_speech(path: &Path) -> Vec<(f64, f64)> {
    let text = std::fs::read_to_string(path).expect("read rttm");
    let mut turns: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| l.starts_with("SPEAKER"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let start: f64 = f[3].parse().expect("rttm start");
            let dur: f64 = f[4].parse().expect("rttm duration");
            (start, start + dur)
        })
        .collect();
    turns.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (s, e) in turns {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn intersection(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    a.iter()
        .flat_map(|x| {
            b.iter()
                .map(move |y| (x.1.min(y.1) - x.0.max(y.0)).max(0.0))
        })
        .sum()
}

#[test]
fn phone_call_regions_cover_the_rttm_speech() {
    let vad = load_vad();
    let dir = speech_dir().join("conversation");
    let pcm = decode_file(&dir.join("phonecall_30s.flac")).expect("decode phone call");
    let regions = vad.speech_regions(&pcm).expect("vad");
    let found: Vec<(f64, f64)> = regions.iter().map(|r| (r.start_s(), r.end_s())).collect();
    let reference = rttm_speech(&dir.join("phonecall_30s.rttm"));
    let reference_s: f64 = reference.iter().map(|(s, e)| e - s).sum();
    let found_s: f64 = found.iter().map(|(s, e)| e - s).sum();
    let hit = intersection(&found, &reference);
    let coverage = hit / reference_s;
    let false_alarm = found_s - hit;
    eprintln!(
        "phone call: reference speech {reference_s:.2} s, VAD speech {found_s:.2} s in {} regions, \
         coverage {:.1} %, false alarm {false_alarm:.2} s ({:.1} % of the VAD speech)",
        regions.len(),
        100.0 * coverage,
        100.0 * false_alarm / found_s.max(1e-9)
    );
    assert!(
        coverage >= 0.90,
        "VAD covers only {:.1} % of the RTTM speech",
        100.0 * coverage
    );
    // Padding and short pauses add some non-speech, but not a large share.
    assert!(
        false_alarm / found_s <= 0.25,
        "false alarm {false_alarm:.2} s of {found_s:.2} s"
    );
}

#[test]
fn digital_silence_has_no_speech() {
    let vad = load_vad();
    let regions = vad.speech_regions(&vec![0.0; 16_000 * 10]).expect("vad");
    assert!(regions.is_empty(), "{regions:?}");
}

#[test]
fn white_noise_has_no_speech() {
    let vad = load_vad();
    // Uniform noise with RMS 0.05 (−26 dBFS), a loud room or line hiss; fixed seed.
    let mut x: u32 = 0x1234_5678;
    let amplitude = 0.05 * 3.0f32.sqrt();
    let noise: Vec<f32> = (0..16_000 * 10)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect();
    let regions = vad.speech_regions(&noise).expect("vad");
    assert!(
        regions.is_empty(),
        "noise gave {:.2} s of speech: {regions:?}",
        seconds(&regions)
    );
}

#[test]
fn asterisk_silence_clips_have_almost_no_speech() {
    let vad = load_vad();
    let mut clips: Vec<PathBuf> = ["asterisk-en", "asterisk-ru"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(speech_dir().join(d))
                .expect("speech set")
                .flatten()
        })
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("silence__"))
        })
        .collect();
    clips.sort();
    assert!(
        clips.len() >= 5,
        "expected the silence__*.flac clips, found {clips:?}"
    );
    let (mut total_s, mut speech_s) = (0.0, 0.0);
    for clip in &clips {
        let pcm = decode_file(clip).expect("decode");
        let regions = vad.speech_regions(&pcm).expect("vad");
        total_s += pcm.len() as f64 / 16_000.0;
        speech_s += seconds(&regions);
        eprintln!("{}: {:.2} s of speech", clip.display(), seconds(&regions));
    }
    eprintln!("silence clips: {speech_s:.2} s of speech in {total_s:.1} s");
    assert!(
        speech_s <= 0.05 * total_s,
        "{speech_s:.2} s of speech in {total_s:.1} s of silence"
    );
}

#[test]
fn probabilities_restart_per_call_and_cover_every_chunk() {
    let vad = load_vad();
    let pcm = decode_file(&speech_dir().join("jfk/jfk.flac")).expect("decode");
    let first = vad.speech_probabilities(&pcm).expect("vad");
    let second = vad.speech_probabilities(&pcm).expect("vad");
    assert_eq!(first, second, "state must not leak between calls");
    assert_eq!(first.len(), pcm.len().div_ceil(CHUNK_SAMPLES));
    assert!(first.iter().all(|p| (0.0..=1.0).contains(p)));
    // JFK speaks most of the clip.
    let speech = first.iter().filter(|&&p| p >= 0.5).count() as f64 / first.len() as f64;
    assert!(
        speech > 0.5,
        "only {:.0} % of the chunks are speech",
        100.0 * speech
    );
}

#[test]
fn a_missing_model_names_the_fetch_command() {
    let err = SileroVad::load(Path::new("/nonexistent/silero_vad_16k.safetensors"))
        .err()
        .expect("missing model must fail");
    assert!(
        err.to_string().contains("mymeet models fetch silero-vad"),
        "{err}"
    );
}
