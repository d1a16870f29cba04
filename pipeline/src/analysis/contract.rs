//! The JSON contract between a language model and the report: the prompt
//! that asks for it, and the parsing and sanity checks of the answer.
//!
//! The model writes only the judgement parts (summary, points, items,
//! decisions, questions, topics); talk time and the transcript are facts the
//! built-in engine computes, never something a model may invent.

use super::builtin::BuiltinEngine;
use super::{ActionItem, AnalysisError, AnalysisInput, Highlight, MeetingReport, Topic};
use chrono::NaiveDate;
use serde::Deserialize;

/// Seconds an answer's times may run past the meeting's end (rounding, last words).
const TIME_SLACK: f64 = 5.0;

/// The instructions every model gets.
pub const SYSTEM_PROMPT: &str = "You analyse meeting transcripts. Answer with one JSON object and nothing else, \
with exactly these keys:\n\
{\"summary\": [\"3 to 6 sentences\"],\n\
 \"key_points\": [{\"text\": \"...\", \"speaker\": \"name or null\", \"at_secs\": 0}],\n\
 \"action_items\": [{\"text\": \"what is to be done\", \"owner\": \"name or null\", \"due\": \"YYYY-MM-DD or null\", \"at_secs\": 0}],\n\
 \"decisions\": [{\"text\": \"...\", \"speaker\": \"name or null\", \"at_secs\": 0}],\n\
 \"open_questions\": [{\"text\": \"...\", \"speaker\": \"name or null\", \"at_secs\": 0}],\n\
 \"topics\": [{\"title\": \"...\", \"start_secs\": 0, \"end_secs\": 0}]}\n\
Times are seconds from the start of the meeting. Owners and speakers are participants' names. \
Resolve due dates such as \"by Friday\" against the meeting date. Write in the transcript's language.";

/// The user message: meeting facts and the transcript as `[seconds] Speaker: text` lines,
/// cut to `max_chars` characters of transcript.
pub fn user_prompt(input: &AnalysisInput, max_chars: usize) -> String {
    let mut out = format!(
        "Meeting: {}\nDate: {} ({})\nLength: {:.0} seconds\nParticipants: {}\n\nTranscript:\n",
        input.meeting.title,
        input.date,
        input.date.format("%A"),
        input.meeting.duration_secs,
        input.speakers().join(", "),
    );
    let mut used = 0usize;
    for seg in &input.segments {
        let line = format!(
            "[{:.0}] {}: {}\n",
            seg.start,
            seg.speaker.as_deref().unwrap_or("Unknown"),
            seg.text.trim()
        );
        used += line.chars().count();
        if used > max_chars {
            out.push_str("[...]\n");
            break;
        }
        out.push_str(&line);
    }
    out
}

/// What a model must answer.
#[derive(Debug, Deserialize)]
struct Answer {
    summary: Vec<String>,
    #[serde(default)]
    key_points: Vec<AnswerHighlight>,
    #[serde(default)]
    action_items: Vec<AnswerAction>,
    #[serde(default)]
    decisions: Vec<AnswerHighlight>,
    #[serde(default)]
    open_questions: Vec<AnswerHighlight>,
    #[serde(default)]
    topics: Vec<AnswerTopic>,
}

#[derive(Debug, Deserialize)]
struct AnswerHighlight {
    text: String,
    #[serde(default)]
    speaker: Option<String>,
    at_secs: f64,
}

#[derive(Debug, Deserialize)]
struct AnswerAction {
    text: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    due: Option<String>,
    at_secs: f64,
}

#[derive(Debug, Deserialize)]
struct AnswerTopic {
    title: String,
    start_secs: f64,
    end_secs: f64,
}

/// Parses and checks a model's answer; on success, the report with the
/// built-in engine's facts (talk time, transcript, language) and `engine` as its name.
pub fn report_from_answer(
    answer: &str,
    input: &AnalysisInput,
    engine: &str,
) -> Result<MeetingReport, AnalysisError> {
    let json = json_object(answer)
        .ok_or_else(|| AnalysisError::InvalidAnswer("no JSON object in the answer".into()))?;
    let parsed: Answer = serde_json::from_str(json)
        .map_err(|e| AnalysisError::InvalidAnswer(format!("does not fit the schema: {e}")))?;
    let facts = BuiltinEngine.report(input);
    let checker = Checker {
        end: facts
            .meeting
            .duration_secs
            .max(input.segments.last().map_or(0.0, |s| s.end))
            + TIME_SLACK,
        speakers: input.speakers(),
    };
    checker.check(&parsed)?;
    Ok(MeetingReport {
        summary: parsed.summary.iter().map(|s| s.trim().to_owned()).collect(),
        key_points: parsed
            .key_points
            .into_iter()
            .map(Checker::highlight)
            .collect(),
        action_items: parsed
            .action_items
            .into_iter()
            .map(|a| ActionItem {
                due: a.due.as_deref().and_then(parse_due),
                text: a.text.trim().to_owned(),
                owner: a.owner.filter(|o| !is_null(o)),
                at_secs: a.at_secs,
            })
            .collect(),
        decisions: parsed
            .decisions
            .into_iter()
            .map(Checker::highlight)
            .collect(),
        open_questions: parsed
            .open_questions
            .into_iter()
            .map(Checker::highlight)
            .collect(),
        topics: parsed
            .topics
            .into_iter()
            .map(|t| Topic {
                title: t.title.trim().to_owned(),
                start_secs: t.start_secs,
                end_secs: t.end_secs,
            })
            .collect(),
        engine: engine.to_owned(),
        ..facts
    })
}

/// The outermost `{...}` of an answer, so that code fences and chatter around it do not matter.
fn json_object(answer: &str) -> Option<&str> {
    let start = answer.find('{')?;
    let end = answer.rfind('}')?;
    (end > start).then(|| &answer[start..=end])
}

/// "Null", "none" and empty strings are no date; anything else must be `YYYY-MM-DD`.
fn parse_due(due: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d").ok()
}

/// The sanity checks of an answer.
struct Checker {
    end: f64,
    speakers: Vec<String>,
}

impl Checker {
    fn check(&self, a: &Answer) -> Result<(), AnalysisError> {
        if a.summary.iter().all(|s| s.trim().is_empty()) {
            return Err(invalid("the summary is empty"));
        }
        let highlights = a
            .key_points
            .iter()
            .chain(&a.decisions)
            .chain(&a.open_questions);
        for h in highlights {
            self.text(&h.text)?;
            self.time(h.at_secs)?;
            if let Some(speaker) = h.speaker.as_deref().filter(|s| !is_null(s)) {
                if !self.speakers.iter().any(|n| n == speaker) {
                    return Err(invalid(format!("`{speaker}` is not a participant")));
                }
            }
        }
        for item in &a.action_items {
            self.text(&item.text)?;
            self.time(item.at_secs)?;
            if let Some(owner) = item.owner.as_deref().filter(|s| !is_null(s)) {
                let named = item.text.to_lowercase().contains(&owner.to_lowercase());
                if !named && !self.speakers.iter().any(|n| n == owner) {
                    return Err(invalid(format!(
                        "owner `{owner}` is neither a participant nor named in the item"
                    )));
                }
            }
            if let Some(due) = item.due.as_deref().filter(|s| !is_null(s)) {
                if parse_due(due).is_none() {
                    return Err(invalid(format!("due date `{due}` is not YYYY-MM-DD")));
                }
            }
        }
        for t in &a.topics {
            self.text(&t.title)?;
            self.time(t.start_secs)?;
            self.time(t.end_secs)?;
            if t.end_secs < t.start_secs {
                return Err(invalid(format!(
                    "topic `{}` ends before it starts",
                    t.title
                )));
            }
        }
        Ok(())
    }

    fn text(&self, text: &str) -> Result<(), AnalysisError> {
        if text.trim().is_empty() {
            Err(invalid("an entry has no text"))
        } else {
            Ok(())
        }
    }

    fn time(&self, secs: f64) -> Result<(), AnalysisError> {
        if secs.is_finite() && (0.0..=self.end).contains(&secs) {
            Ok(())
        } else {
            Err(invalid(format!(
                "time {secs} s is outside the meeting (0–{:.0} s)",
                self.end
            )))
        }
    }

    fn highlight(h: AnswerHighlight) -> Highlight {
        Highlight {
            text: h.text.trim().to_owned(),
            speaker: h.speaker.filter(|s| !is_null(s)),
            at_secs: h.at_secs,
        }
    }
}

fn is_null(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s.eq_ignore_ascii_case("null") || s.eq_ignore_ascii_case("none")
}

fn invalid(detail: impl Into<String>) -> AnalysisError {
    AnalysisError::InvalidAnswer(detail.into())
}
