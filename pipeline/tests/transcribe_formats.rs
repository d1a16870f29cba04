//! SRT and VTT output of a real transcription are valid.

mod whisper_support;

use mymeet_pipeline::transcribe::Transcriber;
use mymeet_pipeline::transcript::{render, Format, Segment, Transcript};
use mymeet_pipeline::whisper::{TranscribeOptions, WhisperModel};
use whisper_support::{model_dir, speech_dir};

/// Parses `HH:MM:SS<sep>mmm` into seconds, or None when malformed.
fn parse_time(s: &str, sep: char) -> Option<f64> {
    let (hms, ms) = s.split_once(sep)?;
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() != 3 || ms.len() != 3 || parts.iter().any(|p| p.len() != 2) {
        return None;
    }
    let n = |p: &str| p.parse::<u64>().ok();
    let (h, m, sec, milli) = (n(parts[0])?, n(parts[1])?, n(parts[2])?, n(ms)?);
    (m < 60 && sec < 60).then(|| (h * 3600 + m * 60 + sec) as f64 + milli as f64 / 1000.0)
}

fn check_cue_times(line: &str, sep: char) -> (f64, f64) {
    let (a, b) = line
        .split_once(" --> ")
        .unwrap_or_else(|| panic!("not a timing line: {line}"));
    let start = parse_time(a, sep).unwrap_or_else(|| panic!("bad start {a}"));
    let end = parse_time(b, sep).unwrap_or_else(|| panic!("bad end {b}"));
    assert!(start <= end, "{line}");
    (start, end)
}

fn validate_srt(srt: &str) -> usize {
    let blocks: Vec<&str> = srt.trim_end().split("\n\n").collect();
    let mut last_start = 0.0;
    for (i, block) in blocks.iter().enumerate() {
        let lines: Vec<&str> = block.lines().collect();
        assert!(lines.len() >= 3, "cue {i} incomplete: {block:?}");
        assert_eq!(lines[0], (i + 1).to_string(), "cue numbers count from 1");
        let (start, _) = check_cue_times(lines[1], ',');
        assert!(start >= last_start, "cues in time order");
        last_start = start;
        assert!(lines[2..].iter().all(|l| !l.trim().is_empty()));
    }
    blocks.len()
}

fn validate_vtt(vtt: &str) -> usize {
    let rest = vtt
        .strip_prefix("WEBVTT\n\n")
        .expect("WEBVTT header and a blank line");
    let blocks: Vec<&str> = rest.trim_end().split("\n\n").collect();
    for block in &blocks {
        let lines: Vec<&str> = block.lines().collect();
        assert!(lines.len() >= 2, "{block:?}");
        check_cue_times(lines[0], '.');
        assert!(lines[1..]
            .iter()
            .all(|l| !l.contains("-->") && !l.trim().is_empty()));
    }
    blocks.len()
}

#[test]
fn srt_and_vtt_of_a_transcription_are_valid() {
    let model = WhisperModel::load(&model_dir("tiny.en")).expect("load tiny.en");
    let mut options = TranscribeOptions::default();
    options.search.beam_size = 1;
    let mut transcriber = Transcriber::new(model, None, options);
    let transcript = transcriber
        .transcribe_file(&speech_dir().join("jfk/jfk.flac"), &mut |_, _| {})
        .expect("transcribe jfk");
    assert!(!transcript.segments.is_empty());
    assert!(transcript
        .segments
        .iter()
        .all(|s| s.confidence > 0.0 && s.confidence <= 1.0 && s.language == "en"));
    assert_eq!(
        validate_srt(&render(&transcript, Format::Srt)),
        transcript.segments.len()
    );
    assert_eq!(
        validate_vtt(&render(&transcript, Format::Vtt)),
        transcript.segments.len()
    );
    let json: Transcript =
        serde_json::from_str(&render(&transcript, Format::Json)).expect("JSON round trip");
    assert_eq!(json, transcript);
}

#[test]
fn long_times_speakers_and_awkward_text_stay_valid() {
    let segment = |start: f64, end: f64, text: &str| Segment {
        start,
        end,
        speaker: Some("Alice".into()),
        text: text.into(),
        confidence: 0.9,
        language: "en".into(),
    };
    let transcript = Transcript {
        language: "en".into(),
        language_probability: 1.0,
        duration: 4000.0,
        segments: vec![
            segment(0.0, 1.2345, "first\n\nline --> arrow"),
            segment(3725.5, 3999.9995, "late"),
        ],
    };
    let srt = render(&transcript, Format::Srt);
    assert_eq!(validate_srt(&srt), 2);
    assert!(srt.contains("01:02:05,500 --> 01:06:40,000"), "{srt}");
    let vtt = render(&transcript, Format::Vtt);
    assert_eq!(validate_vtt(&vtt), 2);
    assert!(
        vtt.contains("00:00:00.000 --> 00:00:01.235")
            || vtt.contains("00:00:00.000 --> 00:00:01.234"),
        "{vtt}"
    );
    assert!(vtt.contains("<v Alice>"));
    assert_eq!(render(&transcript, Format::Txt).lines().count(), 2);
    assert!("xml".parse::<Format>().is_err());
}
