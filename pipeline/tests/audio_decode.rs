//! Decoding real speech from every common container to 16 kHz mono.

use std::path::{Path, PathBuf};
use std::process::Command;

use mymeet_pipeline::audio::{
    decode_file, decode_file_from, decode_file_with_progress, AudioError, SAMPLE_RATE,
};

fn speech_dir() -> PathBuf {
    std::env::var_os("MYMEET_TEST_SPEECH_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/speech"),
        PathBuf::from,
    )
}

/// The JFK clip: 11 s of real speech with pauses, 16 kHz mono FLAC.
fn reference_clip() -> PathBuf {
    let path = speech_dir().join("jfk/jfk.flac");
    assert!(
        path.is_file(),
        "{} missing: the shared speech data set is required (see ../shared/data/speech/README.md)",
        path.display()
    );
    path
}

/// Converts `input` with the ffmpeg CLI; fails the test with how to install it.
fn ffmpeg_convert(input: &Path, output: &Path, args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-i"])
        .arg(input)
        .args(args)
        .arg(output)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run ffmpeg ({e}): install it with `apt-get install ffmpeg` (scripts/setup)"
            )
        });
    assert!(
        status.success(),
        "ffmpeg failed converting to {}",
        output.display()
    );
}

/// Pearson correlation of two signals over their common length.
fn correlation(x: &[f32], y: &[f32]) -> f64 {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mean = |s: &[f32]| s.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&p, &q) in x.iter().zip(y) {
        let (dp, dq) = (f64::from(p) - mx, f64::from(q) - my);
        sxy += dp * dq;
        sxx += dp * dp;
        syy += dq * dq;
    }
    sxy / (sxx.sqrt() * syy.sqrt()).max(1e-12)
}

/// Correlation after aligning by the best lag within ±`max_lag` samples
/// (found on a 2 s stretch of speech; encoders may shift the signal).
fn best_correlation(a: &[f32], b: &[f32], max_lag: usize) -> (f64, isize) {
    let shifted = |lag: isize| -> (&[f32], &[f32]) {
        if lag >= 0 {
            (a, &b[lag as usize..])
        } else {
            (&a[(-lag) as usize..], b)
        }
    };
    let window = 16_000 * 2;
    let from = 16_000 * 3;
    let lag = (-(max_lag as isize)..=max_lag as isize)
        .map(|lag| {
            let (x, y) = shifted(lag);
            (
                correlation(&x[from..from + window], &y[from..from + window]),
                lag,
            )
        })
        .fold((f64::MIN, 0), |best, c| if c.0 > best.0 { c } else { best })
        .1;
    let (x, y) = shifted(lag);
    (correlation(x, y), lag)
}

#[test]
fn flac_decodes_to_16k_mono_with_the_files_duration() {
    let pcm = decode_file(&reference_clip()).expect("decode jfk.flac");
    let seconds = pcm.len() as f64 / f64::from(SAMPLE_RATE);
    assert!(
        (10.9..11.1).contains(&seconds),
        "jfk.flac decoded to {seconds} s, expected 11.0 s"
    );
    let peak = pcm.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(
        peak > 0.1 && peak <= 1.0,
        "peak {peak} is not normalised speech"
    );
}

#[test]
fn every_common_format_decodes_to_the_same_signal() {
    let flac = reference_clip();
    let reference = decode_file(&flac).expect("decode flac");
    let dir = tempfile::tempdir().expect("temp dir");
    // (file name, ffmpeg output args, minimum correlation): lossy codecs at
    // moderate bitrates stay well above 0.9 on speech.
    let cases: &[(&str, &[&str], f64)] = &[
        (
            "s16_44k_stereo.wav",
            &["-ar", "44100", "-ac", "2", "-c:a", "pcm_s16le"],
            0.999,
        ),
        ("clip.ogg", &["-c:a", "libopus", "-b:a", "48k"], 0.95),
        ("clip.mp3", &["-c:a", "libmp3lame", "-b:a", "64k"], 0.95),
        ("clip.m4a", &["-c:a", "aac", "-b:a", "64k"], 0.95),
        ("clip.webm", &["-c:a", "libopus", "-b:a", "32k"], 0.9),
        // A video container with a video track first: the audio stream is found anyway.
        (
            "clip.mp4",
            &[
                "-f",
                "lavfi",
                "-i",
                "color=c=black:s=64x64:r=5",
                "-map",
                "1:v",
                "-map",
                "0:a",
                "-c:v",
                "mpeg4",
                "-c:a",
                "aac",
                "-shortest",
            ],
            0.95,
        ),
    ];
    for (name, args, min_corr) in cases {
        let path = dir.path().join(name);
        ffmpeg_convert(&flac, &path, args);
        let pcm = decode_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let diff_ms = (pcm.len() as f64 - reference.len() as f64) / 16.0;
        assert!(
            diff_ms.abs() <= 20.0,
            "{name}: {} samples vs {} in the flac ({diff_ms:+.1} ms)",
            pcm.len(),
            reference.len()
        );
        let (corr, lag) = best_correlation(&reference, &pcm, 200);
        assert!(
            corr >= *min_corr,
            "{name}: correlation {corr:.4} (lag {lag}) below {min_corr}"
        );
    }
}

#[test]
fn progress_reaches_the_duration() {
    let mut last = None;
    let pcm = decode_file_with_progress(&reference_clip(), |p| last = Some(p)).expect("decode");
    let last = last.expect("progress was reported");
    assert!((last.decoded_s - pcm.len() as f64 / 16_000.0).abs() < 1e-6);
    let total = last.total_s.expect("flac states its duration");
    assert!((total - 11.0).abs() < 0.1, "total {total}");
}

#[test]
fn a_missing_file_names_the_path() {
    let path = Path::new("/nonexistent/mymeet/recording.ogg");
    let err = decode_file(path).expect_err("missing file must fail");
    assert!(matches!(err, AudioError::NotFound { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("/nonexistent/mymeet/recording.ogg") && text.contains("no such file"),
        "{text}"
    );
}

#[test]
fn a_text_file_is_not_media() {
    let dir = tempfile::tempdir().expect("temp dir");
    let notes = "These are meeting notes, not audio.\n".repeat(50);
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, &notes).expect("write");
    let err = decode_file(&path).expect_err("text must fail");
    // FFmpeg's probe takes plain text for teletype "video": no audio in it.
    assert!(matches!(err, AudioError::NoAudioStream { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("cannot decode") && text.contains("notes.txt"),
        "{text}"
    );
    assert!(text.contains("no audio stream"), "{text}");

    // Zeros with an audio name are not media at all.
    let path = dir.path().join("junk.mp3");
    std::fs::write(&path, [0u8; 4096]).expect("write");
    let err = decode_file(&path).expect_err("zeros must fail");
    let text = err.to_string();
    assert!(
        text.starts_with("cannot decode") && text.contains("junk.mp3"),
        "{text}"
    );

    // Named like audio, the container's demuxer is tried and runs out of data.
    let path = dir.path().join("notes.ogg");
    std::fs::write(&path, &notes).expect("write");
    let err = decode_file(&path).expect_err("text must fail");
    assert!(matches!(err, AudioError::NotMedia { .. }), "{err:?}");
    assert!(err.to_string().contains("not an audio/video file"), "{err}");
}

#[test]
fn random_bytes_are_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("garbage.wav");
    // Deterministic pseudo-random bytes (xorshift), no valid header anywhere.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&path, bytes).expect("write");
    let err = decode_file(&path).expect_err("garbage must fail");
    let text = err.to_string();
    assert!(
        text.contains("garbage.wav") && text.starts_with("cannot decode"),
        "{text}"
    );
}

#[test]
fn a_file_cut_inside_its_header_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ogg = dir.path().join("full.ogg");
    ffmpeg_convert(&reference_clip(), &ogg, &["-c:a", "libopus"]);
    let bytes = std::fs::read(&ogg).expect("read");
    let cut = dir.path().join("cut.ogg");
    std::fs::write(&cut, &bytes[..20]).expect("write");
    let err = decode_file(&cut).expect_err("a 20-byte ogg must fail");
    let text = err.to_string();
    assert!(
        text.contains("cut.ogg") && text.starts_with("cannot decode"),
        "{text}"
    );
}

#[test]
fn a_tail_decodes_in_place_from_a_whole_or_a_growing_recording() {
    // The transcription stage decodes only what follows its draft: the
    // tail must line up with the same stretch of a whole decode, from a
    // finished file as well as from a bot's live upload (no end-of-stream).
    let dir = tempfile::tempdir().expect("temp dir");
    let ogg = dir.path().join("lecture.ogg");
    let lecture = speech_dir().join("conversation/lecture_60s.flac");
    ffmpeg_convert(&lecture, &ogg, &["-c:a", "libopus", "-b:a", "32k"]);
    let whole = decode_file(&ogg).expect("decode the whole lecture");
    let from = 30 * SAMPLE_RATE as usize;
    let bytes = std::fs::read(&ogg).expect("read");
    let growing = dir.path().join("growing.ogg");
    std::fs::write(&growing, &bytes[..bytes.len() * 3 / 4]).expect("write");
    for (name, path) in [("whole", &ogg), ("growing", &growing)] {
        let tail = decode_file_from(path, 30.0).expect("decode the tail");
        if name == "whole" {
            let missing = (whole.len() - from) as isize - tail.len() as isize;
            assert!(
                missing.abs() <= 320,
                "{name}: tail is {missing} samples short of the whole decode's"
            );
        }
        let (corr, lag) = best_correlation(&whole[from..], &tail, 800);
        assert!(
            lag.abs() <= 160,
            "{name}: tail is {lag} samples off the whole decode"
        );
        assert!(
            corr > 0.98,
            "{name}: tail correlates {corr:.3} with the whole decode"
        );
    }
    let beyond = decode_file_from(&ogg, 120.0).expect("a start past the end");
    assert!(beyond.is_empty(), "{} samples past the end", beyond.len());
}

#[test]
fn a_recording_cut_midway_keeps_what_was_recorded() {
    // A bot that crashed leaves a truncated file; its audio is still worth transcribing.
    let dir = tempfile::tempdir().expect("temp dir");
    let ogg = dir.path().join("full.ogg");
    ffmpeg_convert(&reference_clip(), &ogg, &["-c:a", "libopus"]);
    let bytes = std::fs::read(&ogg).expect("read");
    let half = dir.path().join("half.ogg");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).expect("write");
    let pcm = decode_file(&half).expect("the first half decodes");
    let seconds = pcm.len() as f64 / 16_000.0;
    assert!(
        (3.0..8.0).contains(&seconds),
        "half the file gave {seconds} s"
    );
}

#[test]
fn a_video_without_audio_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("silent-video.mp4");
    let status = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=64x64:r=5:d=1",
            "-c:v",
            "mpeg4",
        ])
        .arg(&path)
        .status()
        .expect("ffmpeg runs (install with `apt-get install ffmpeg`)");
    assert!(status.success());
    let err = decode_file(&path).expect_err("no audio stream");
    assert!(matches!(err, AudioError::NoAudioStream { .. }), "{err:?}");
    assert!(err.to_string().contains("no audio stream"), "{err}");
}
