//! The built-in engine on transcripts written for the test, with known
//! action items, decisions, open questions, topics and talk time.

use chrono::{NaiveDate, TimeZone, Utc};
use mymeet_pipeline::analysis::{
    AnalysisEngine, AnalysisInput, BuiltinEngine, MeetingInfo, MeetingReport,
};
use mymeet_pipeline::transcript::Segment;

/// Monday, 2 March 2026: "by Friday" is the 6th.
fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid date")
}

fn d(month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, month, day)
}

/// Segments of `secs` seconds each, back to back.
fn script(lines: &[(&str, &str)], secs: f64, language: &str) -> Vec<Segment> {
    lines
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| Segment {
            start: i as f64 * secs,
            end: (i + 1) as f64 * secs,
            speaker: (!speaker.is_empty()).then(|| speaker.to_string()),
            text: text.to_string(),
            confidence: 0.9,
            language: language.into(),
        })
        .collect()
}

fn input(segments: Vec<Segment>) -> AnalysisInput {
    let duration = segments.last().map_or(0.0, |s| s.end);
    let meeting = MeetingInfo {
        title: "Weekly sync".into(),
        started_at: Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("valid time"),
        duration_secs: duration,
        platform: Some("meet".into()),
        meeting_url: None,
        // Deliberately wrong: the engine must pick the language from the transcript.
        language: "xx".into(),
    };
    let input = AnalysisInput::new(meeting, segments);
    assert_eq!(input.date, monday());
    input
}

async fn analyse(segments: Vec<Segment>) -> MeetingReport {
    BuiltinEngine
        .analyse(&input(segments))
        .await
        .expect("the built-in engine never fails")
}

fn texts<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    items.into_iter().collect()
}

const ENGLISH: &[(&str, &str)] = &[
    (
        "Alice",
        "Good morning everyone, let's review the mobile app launch plan for the spring release.",
    ),
    (
        "Bob",
        "The mobile app launch depends on the payment integration, which is almost finished.",
    ),
    (
        "Carol",
        "The payment integration passed the security review last week.",
    ),
    (
        "Alice",
        "Great. After the discussion we decided to launch the mobile app on April 15.",
    ),
    (
        "Bob",
        "I'll finish the payment integration tests by Friday.",
    ),
    (
        "Alice",
        "Carol, can you prepare the release notes for the mobile app launch by March 10?",
    ),
    ("Carol", "Sure, no problem."),
    (
        "Bob",
        "What about the marketing budget for the launch campaign?",
    ),
    (
        "Carol",
        "Let's move on to the hiring plan for the support team.",
    ),
    (
        "Alice",
        "We need two more support engineers before the launch.",
    ),
    (
        "Carol",
        "Let's go with the external recruiting agency for the support engineers.",
    ),
    ("Bob", "Alice will contact the agency tomorrow."),
    (
        "Alice",
        "Whether we need weekend support is still an open question.",
    ),
    (
        "Bob",
        "The mobile app launch plan looks solid, and the payment integration is on track.",
    ),
];

#[tokio::test]
async fn analysis_english_action_items_decisions_and_open_questions() {
    let report = analyse(script(ENGLISH, 6.0, "en")).await;
    assert_eq!(report.meeting.language, "en");
    assert_eq!(report.engine, "builtin");

    let actions: Vec<(&str, Option<&str>, Option<NaiveDate>)> = report
        .action_items
        .iter()
        .map(|a| (a.text.as_str(), a.owner.as_deref(), a.due))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "I'll finish the payment integration tests by Friday.",
                Some("Bob"),
                d(3, 6)
            ),
            (
                "Carol, can you prepare the release notes for the mobile app launch by March 10?",
                Some("Carol"),
                d(3, 10)
            ),
            (
                "Alice will contact the agency tomorrow.",
                Some("Alice"),
                d(3, 3)
            ),
        ]
    );
    assert_eq!(report.action_items[0].at_secs, 24.0);

    assert_eq!(
        texts(report.decisions.iter().map(|h| h.text.as_str())),
        [
            "After the discussion we decided to launch the mobile app on April 15.",
            "Let's go with the external recruiting agency for the support engineers.",
        ]
    );
    assert_eq!(report.decisions[1].speaker.as_deref(), Some("Carol"));

    assert_eq!(
        texts(report.open_questions.iter().map(|h| h.text.as_str())),
        [
            "What about the marketing budget for the launch campaign?",
            "Whether we need weekend support is still an open question.",
        ]
    );
}

const RUSSIAN: &[(&str, &str)] = &[
    (
        "Иван",
        "Коллеги, сегодня обсуждаем запуск нового сайта и бюджет на рекламу.",
    ),
    (
        "Мария",
        "Дизайн нового сайта почти готов, осталось согласовать главную страницу.",
    ),
    ("Олег", "Мы решили перенести запуск сайта на первое апреля."),
    ("Мария", "Я подготовлю макет главной страницы до пятницы."),
    ("Иван", "Олег, проверь, пожалуйста, хостинг к 5 марта."),
    ("Олег", "Хорошо, сделаю."),
    (
        "Мария",
        "А какой бюджет выделим на рекламу в социальных сетях?",
    ),
    ("Иван", "Это нужно выяснить у финансового отдела."),
    ("Олег", "Договорились, рекламу запускаем вместе с сайтом."),
    ("Иван", "Мария, отправь итоговый план завтра."),
    ("Мария", "Утвердили бюджет на дизайн в размере ста тысяч."),
    ("Олег", "Запуск нового сайта и реклама идут по плану."),
];

#[tokio::test]
async fn analysis_russian_action_items_decisions_and_open_questions() {
    let report = analyse(script(RUSSIAN, 6.0, "ru")).await;
    assert_eq!(report.meeting.language, "ru");

    let actions: Vec<(&str, Option<&str>, Option<NaiveDate>)> = report
        .action_items
        .iter()
        .map(|a| (a.text.as_str(), a.owner.as_deref(), a.due))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "Я подготовлю макет главной страницы до пятницы.",
                Some("Мария"),
                d(3, 6)
            ),
            (
                "Олег, проверь, пожалуйста, хостинг к 5 марта.",
                Some("Олег"),
                d(3, 5)
            ),
            (
                "Мария, отправь итоговый план завтра.",
                Some("Мария"),
                d(3, 3)
            ),
        ]
    );

    assert_eq!(
        texts(report.decisions.iter().map(|h| h.text.as_str())),
        [
            "Мы решили перенести запуск сайта на первое апреля.",
            "Договорились, рекламу запускаем вместе с сайтом.",
            "Утвердили бюджет на дизайн в размере ста тысяч.",
        ]
    );

    let open = texts(report.open_questions.iter().map(|h| h.text.as_str()));
    assert!(
        open.contains(&"А какой бюджет выделим на рекламу в социальных сетях?"),
        "{open:?}"
    );
    assert!(
        open.contains(&"Это нужно выяснить у финансового отдела."),
        "{open:?}"
    );
    assert_eq!(open.len(), 2, "{open:?}");
}

#[tokio::test]
async fn analysis_talk_time_matches_hand_computed_figures() {
    let segments = vec![
        seg(0.0, 10.0, Some("Ann"), "one two three four five"),
        seg(10.0, 14.0, Some("Ben"), "six seven"),
        seg(14.0, 20.0, Some("Ann"), "eight nine, ten."),
        seg(20.0, 22.0, None, "hmm okay"),
        seg(22.0, 23.0, Some("Ben"), " - "),
    ];
    let report = analyse(segments).await;
    let got: Vec<(&str, f64, f64, usize, f64)> = report
        .speakers
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.talk_secs,
                s.share,
                s.words,
                s.words_per_minute,
            )
        })
        .collect();
    // Ann: 10 + 6 s, 8 words; Ben: 4 s, 2 words (the dash-only segment has no words,
    // so its second is not speech); unknown: 2 s, 2 words; 22 s in all.
    let want = [
        ("Ann", 16.0, 16.0 / 22.0, 8, 30.0),
        ("Ben", 4.0, 4.0 / 22.0, 2, 30.0),
        ("Unknown", 2.0, 2.0 / 22.0, 2, 60.0),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0, g.3), (w.0, w.3));
        for (a, b) in [(g.1, w.1), (g.2, w.2), (g.4, w.4)] {
            assert!((a - b).abs() < 1e-9, "{g:?} vs {w:?}");
        }
    }
    let shares: f64 = report.speakers.iter().map(|s| s.share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
}

fn seg(start: f64, end: f64, speaker: Option<&str>, text: &str) -> Segment {
    Segment {
        start,
        end,
        speaker: speaker.map(str::to_owned),
        text: text.into(),
        confidence: 0.9,
        language: "en".into(),
    }
}

const MIGRATION: &[(&str, &str)] = &[
    (
        "Dana",
        "The database migration to PostgreSQL is the main goal of this quarter.",
    ),
    ("Eve", "I had pasta for lunch and it was delicious."),
    (
        "Dana",
        "The database migration needs a tested rollback plan for PostgreSQL.",
    ),
    (
        "Finn",
        "The weather was sunny this morning on my bike ride.",
    ),
    (
        "Eve",
        "The migration to PostgreSQL should keep the database downtime under one hour.",
    ),
    (
        "Finn",
        "So the database migration needs a tested rollback plan for PostgreSQL.",
    ),
    (
        "Dana",
        "My cat knocked a plant off the windowsill yesterday.",
    ),
    (
        "Eve",
        "After the database migration we will retire the old MySQL servers.",
    ),
    (
        "Finn",
        "The PostgreSQL migration schedule depends on the database backup tests.",
    ),
    ("Dana", "Someone parked a red truck in front of the office."),
];

#[tokio::test]
async fn analysis_summary_picks_central_sentences_without_duplicates() {
    let report = analyse(script(MIGRATION, 5.0, "en")).await;
    let summary = &report.summary;
    assert!((3..=6).contains(&summary.len()), "{summary:?}");
    for s in summary {
        assert!(
            s.contains("migration"),
            "off-topic sentence in the summary: {s}"
        );
    }
    let mut unique = summary.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), summary.len(), "duplicate in {summary:?}");
    // Sentences 2 and 5 say the same thing: at most one of them is picked.
    let both = [MIGRATION[2].1, MIGRATION[5].1]
        .iter()
        .all(|t| summary.iter().any(|s| s == t));
    assert!(!both, "a repeated sentence twice in {summary:?}");
    // The summary keeps the transcript's order.
    let positions: Vec<usize> = summary
        .iter()
        .map(|s| {
            MIGRATION
                .iter()
                .position(|(_, t)| t == s)
                .expect("an extract")
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    // Key points do not repeat the summary.
    for k in &report.key_points {
        assert!(
            !summary.contains(&k.text),
            "key point repeats the summary: {}",
            k.text
        );
    }
}

#[tokio::test]
async fn analysis_topics_follow_the_change_of_subject() {
    let mut lines: Vec<(&str, &str)> = Vec::new();
    let budget = [
        "The marketing budget for the autumn campaign is forty thousand euros.",
        "Most of the marketing budget goes to online advertising.",
        "The campaign budget for print advertising was cut in half.",
        "Online advertising costs rose in the last campaign.",
        "We should track the marketing budget spending every week.",
        "The autumn campaign starts with video advertising.",
        "The budget review of the campaign happens in October.",
        "Advertising agencies sent three offers for the campaign.",
    ];
    let office = [
        "The new office in Berlin opens next spring.",
        "The office needs desks, chairs and a kitchen.",
        "Berlin rents for office space went up this year.",
        "The movers bring the office furniture in April.",
        "The Berlin office lease runs for five years.",
        "Our office manager is choosing the kitchen furniture.",
        "The office internet line in Berlin is ordered.",
        "Furniture delivery to the new office takes two weeks.",
    ];
    for t in budget {
        lines.push(("Gus", t));
    }
    for t in office {
        lines.push(("Hana", t));
    }
    let report = analyse(script(&lines, 7.0, "en")).await;
    let topics = &report.topics;
    assert_eq!(topics.len(), 2, "{topics:?}");
    assert_eq!(topics[0].start_secs, 0.0);
    assert_eq!(topics[1].start_secs, 56.0, "{topics:?}");
    assert_eq!(topics[0].end_secs, topics[1].start_secs);
    assert_eq!(topics[1].end_secs, 112.0);
    let first = topics[0].title.to_lowercase();
    let second = topics[1].title.to_lowercase();
    assert!(
        first.contains("budget") || first.contains("campaign") || first.contains("advertising"),
        "{first}"
    );
    assert!(
        second.contains("office") || second.contains("berlin") || second.contains("furniture"),
        "{second}"
    );
}

#[tokio::test]
async fn analysis_an_empty_transcript_gives_an_empty_report() {
    let report = analyse(Vec::new()).await;
    assert!(report.summary.is_empty() && report.action_items.is_empty());
    assert!(report.topics.is_empty() && report.speakers.is_empty());
    assert_eq!(report.meeting.language, "xx");
}
