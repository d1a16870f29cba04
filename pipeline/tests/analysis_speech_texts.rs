//! The built-in engine over every reference text of the shared speech data
//! set (English and Russian, real punctuation and numbers) as one long
//! meeting per language: no panics, and every report invariant holds.

use chrono::{TimeZone, Utc};
use mymeet_pipeline::analysis::{AnalysisInput, BuiltinEngine, MeetingInfo};
use mymeet_pipeline::transcript::Segment;
use std::path::PathBuf;

/// `$MYMEET_TEST_SPEECH_DIR` (scripts/test sets it), else `shared/data/speech` beside the checkout.
fn speech_dir() -> PathBuf {
    PathBuf::from(std::env::var("MYMEET_TEST_SPEECH_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/speech").to_owned()
    }))
}

#[derive(serde::Deserialize)]
struct Clip {
    lang: String,
    text: String,
    duration_s: f64,
}

fn clips(lang: &str) -> Vec<Clip> {
    let path = speech_dir().join("manifest.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str::<Clip>(l).expect("manifest line"))
        .filter(|c| c.lang == lang)
        .collect()
}

fn check(lang: &str) {
    let speakers = ["Ann", "Boris", "Chen"];
    let mut t = 0.0;
    let segments: Vec<Segment> = clips(lang)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let seg = Segment {
                start: t,
                end: t + c.duration_s,
                speaker: Some(speakers[i % 3].to_owned()),
                text: c.text,
                confidence: 0.9,
                language: lang.into(),
            };
            t += c.duration_s + 0.5;
            seg
        })
        .collect();
    assert!(segments.len() > 10, "too few {lang} clips");
    let input = AnalysisInput::new(
        MeetingInfo {
            title: "Speech".into(),
            started_at: Utc
                .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("time"),
            duration_secs: t,
            platform: None,
            meeting_url: None,
            language: "en".into(),
        },
        segments,
    );
    let report = BuiltinEngine.report(&input);
    assert_eq!(report.meeting.language, lang);
    let all_text: String = input
        .segments
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(!report.summary.is_empty());
    for s in &report.summary {
        assert!(
            all_text.contains(s.as_str()),
            "summary sentence not from the transcript: {s}"
        );
    }
    let mut unique = report.summary.clone();
    unique.dedup();
    assert_eq!(unique.len(), report.summary.len());
    let times = report
        .key_points
        .iter()
        .chain(&report.decisions)
        .chain(&report.open_questions)
        .map(|h| h.at_secs)
        .chain(report.action_items.iter().map(|a| a.at_secs));
    for at in times {
        assert!((0.0..=t).contains(&at), "{at} outside 0..{t}");
    }
    assert!(!report.topics.is_empty());
    for pair in report.topics.windows(2) {
        assert_eq!(pair[0].end_secs, pair[1].start_secs);
    }
    for topic in &report.topics {
        assert!(
            topic.start_secs < topic.end_secs && !topic.title.is_empty(),
            "{topic:?}"
        );
    }
    let share: f64 = report.speakers.iter().map(|s| s.share).sum();
    assert!((share - 1.0).abs() < 1e-9);
}

#[test]
fn analysis_of_the_english_speech_texts_keeps_every_invariant() {
    check("en");
}

#[test]
fn analysis_of_the_russian_speech_texts_keeps_every_invariant() {
    check("ru");
}
