//! The built-in offline engine: extractive summary, cue phrases and date
//! parsing, TextTiling topics and talk time; needs no model.

use super::cues::{is_action, is_decision, is_open_question};
use super::dates::due_date;
use super::language::Lang;
use super::owners::owner;
use super::sentences::{split, Sentence};
use super::summary::{pick, text_rank};
use super::talk_time::speaker_stats;
use super::tokens::content_terms;
use super::topics::topics;
use super::vectors::tf_idf;
use super::{ActionItem, AnalysisEngine, AnalysisError, AnalysisInput, Highlight, MeetingReport};

/// Sentences with fewer content words are too slight to summarise with.
const MIN_SUMMARY_TERMS: usize = 3;

/// The offline engine (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinEngine;

impl BuiltinEngine {
    /// Analyses synchronously (the work is a few milliseconds of CPU).
    pub fn report(&self, input: &AnalysisInput) -> MeetingReport {
        let sentences = split(&input.segments);
        let speakers = input.speakers();
        let mut meeting = input.meeting.clone();
        if !sentences.is_empty() {
            meeting.language = Lang::detect(sentences.iter().map(|s| s.text.as_str()))
                .code()
                .to_owned();
        }
        let (summary, key_points) = summarise(&sentences, input.segments.len());
        let duration = meeting
            .duration_secs
            .max(input.segments.last().map_or(0.0, |s| s.end));
        let action_items = sentences
            .iter()
            .filter(|s| is_action(s))
            .map(|s| ActionItem {
                text: s.text.clone(),
                owner: owner(&s.text, s.speaker.as_deref(), &speakers),
                due: due_date(&s.text, input.date),
                at_secs: s.start,
            })
            .collect();
        let decisions = sentences
            .iter()
            .filter(|s| is_decision(s))
            .map(highlight)
            .collect();
        let open_questions = (0..sentences.len())
            .filter(|&i| is_open_question(&sentences, i))
            .map(|i| highlight(&sentences[i]))
            .collect();
        MeetingReport {
            meeting,
            summary,
            key_points,
            action_items,
            decisions,
            open_questions,
            topics: topics(&sentences, duration),
            speakers: speaker_stats(&input.segments),
            segments: input.segments.clone(),
            engine: "builtin".into(),
        }
    }
}

#[async_trait::async_trait]
impl AnalysisEngine for BuiltinEngine {
    async fn analyse(&self, input: &AnalysisInput) -> Result<MeetingReport, AnalysisError> {
        Ok(self.report(input))
    }

    fn name(&self) -> String {
        "builtin".into()
    }
}

fn highlight(s: &Sentence) -> Highlight {
    Highlight {
        text: s.text.clone(),
        speaker: s.speaker.clone(),
        at_secs: s.start,
    }
}

/// The summary (most central sentences, in time order) and the key points
/// (the next most central ones, none repeating the summary).
fn summarise(sentences: &[Sentence], segments: usize) -> (Vec<String>, Vec<Highlight>) {
    let terms: Vec<Vec<String>> = sentences.iter().map(|s| content_terms(&s.text)).collect();
    let vectors = tf_idf(&terms);
    let scores = text_rank(&vectors);
    let mut candidates: Vec<usize> = (0..sentences.len())
        .filter(|&i| terms[i].len() >= MIN_SUMMARY_TERMS && !sentences[i].is_question())
        .collect();
    if candidates.is_empty() {
        candidates = (0..sentences.len())
            .filter(|&i| !vectors[i].is_empty())
            .collect();
    }
    // About one summary sentence per eight of transcript, three to six.
    let summary_len = (sentences.len().max(segments) / 8).clamp(3, 6);
    let mut summary = pick(&vectors, &scores, &candidates, &[], summary_len);
    let key = pick(&vectors, &scores, &candidates, &summary, 5);
    summary.sort_unstable();
    let mut key_sorted = key.clone();
    key_sorted.sort_unstable();
    (
        summary.iter().map(|&i| sentences[i].text.clone()).collect(),
        key_sorted
            .iter()
            .map(|&i| highlight(&sentences[i]))
            .collect(),
    )
}
