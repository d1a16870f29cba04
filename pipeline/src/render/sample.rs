//! A made-up report with every field filled, which custom templates are
//! test-rendered against when saved (and which previews can show).

use crate::analysis::{ActionItem, Highlight, MeetingInfo, MeetingReport, SpeakerStats, Topic};
use crate::transcript::Segment;
use chrono::{DateTime, NaiveDate, Utc};

/// A sample report in which no field is empty or `None`, so a strict render
/// of a template against it reaches every field the template names.
pub fn sample_report() -> MeetingReport {
    let started_at = DateTime::<Utc>::from_timestamp(1_764_165_600, 0).unwrap_or_default();
    let segment = |start: f64, end: f64, speaker: &str, text: &str| Segment {
        start,
        end,
        speaker: Some(speaker.to_owned()),
        text: text.to_owned(),
        confidence: 0.9,
        language: "en".into(),
    };
    let highlight = |text: &str, speaker: &str, at_secs: f64| Highlight {
        text: text.to_owned(),
        speaker: Some(speaker.to_owned()),
        at_secs,
    };
    MeetingReport {
        meeting: MeetingInfo {
            title: "Weekly sync".into(),
            started_at,
            duration_secs: 1800.0,
            platform: Some("meet".into()),
            meeting_url: Some("https://meet.google.com/abc-defg-hij".into()),
            language: "en".into(),
        },
        summary: vec!["The team reviewed the release and agreed on the date.".into()],
        key_points: vec![highlight("The release is on track.", "Alice", 12.0)],
        action_items: vec![ActionItem {
            text: "Send the release notes".into(),
            owner: Some("Bob".into()),
            due: NaiveDate::from_ymd_opt(2026, 11, 28),
            at_secs: 95.0,
        }],
        decisions: vec![highlight("We ship on Friday.", "Alice", 300.0)],
        open_questions: vec![highlight("Who reviews the docs?", "Bob", 600.0)],
        topics: vec![Topic {
            title: "Release".into(),
            start_secs: 0.0,
            end_secs: 900.0,
        }],
        speakers: vec![SpeakerStats {
            name: "Alice".into(),
            talk_secs: 1000.0,
            share: 0.6,
            words: 2100,
            words_per_minute: 126.0,
        }],
        segments: vec![
            segment(0.0, 4.0, "Alice", "Let's start with the release."),
            segment(4.5, 9.0, "Bob", "I will send the release notes by Friday."),
        ],
        engine: "builtin".into(),
    }
}
