//! Sentences of a transcript, each with its speaker and time.
//!
//! Whisper cuts segments at pauses, not at sentence ends, so consecutive
//! segments of one speaker are joined until a sentence ends before splitting.

use crate::transcript::Segment;

/// One sentence of the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// The text, trimmed.
    pub text: String,
    /// Who said it, when known.
    pub speaker: Option<String>,
    /// Start, seconds (interpolated inside a segment by character position).
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

impl Sentence {
    /// Whether it asks something.
    pub fn is_question(&self) -> bool {
        self.text.trim_end().ends_with('?')
    }
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "e.g", "i.e", "etc", "vs", "approx", "no", "st", "т.е", "т.д",
    "т.п", "т.к", "г", "гг", "др", "им", "ул", "см", "стр", "тыс", "млн", "млрд",
];

/// Splits a transcript into sentences.
pub fn split(segments: &[Segment]) -> Vec<Sentence> {
    let mut sentences = Vec::new();
    for turn in turns(segments) {
        sentences.extend(split_turn(&turn));
    }
    sentences
}

/// A stretch of one speaker's speech made of consecutive segments.
struct Turn {
    speaker: Option<String>,
    /// Each piece's text with its start and end.
    pieces: Vec<(String, f64, f64)>,
}

fn turns(segments: &[Segment]) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for seg in segments {
        let text = seg.text.trim();
        if text.is_empty() {
            continue;
        }
        let joins = turns.last().is_some_and(|t| {
            t.speaker == seg.speaker
                && t.pieces
                    .last()
                    .is_some_and(|(prev, _, _)| !ends_sentence(prev))
        });
        if joins {
            if let Some(t) = turns.last_mut() {
                t.pieces.push((text.to_owned(), seg.start, seg.end));
            }
        } else {
            turns.push(Turn {
                speaker: seg.speaker.clone(),
                pieces: vec![(text.to_owned(), seg.start, seg.end)],
            });
        }
    }
    turns
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '»', ')', '\''])
        .ends_with(['.', '!', '?', '…'])
}

fn split_turn(turn: &Turn) -> Vec<Sentence> {
    // Character-level time map: each char of the joined text gets a time.
    let mut text = String::new();
    let mut times: Vec<f64> = Vec::new();
    for (i, (piece, start, end)) in turn.pieces.iter().enumerate() {
        if i > 0 {
            text.push(' ');
            times.push(*start);
        }
        let n = piece.chars().count().max(1) as f64;
        for (k, c) in piece.chars().enumerate() {
            text.push(c);
            times.push(start + (end - start) * k as f64 / n);
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let end_time = turn.pieces.last().map(|p| p.2).unwrap_or_default();
    let mut out = Vec::new();
    let mut begin = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        if matches!(chars[i], '.' | '!' | '?' | '…') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], '.' | '!' | '?' | '…' | '"' | '»' | ')')
            {
                j += 1;
            }
            let at_end = j >= chars.len();
            let next = chars[j..].iter().find(|c| !c.is_whitespace());
            let spaced = at_end || chars[j].is_whitespace();
            let boundary = spaced
                && (at_end
                    || chars[i] != '.'
                    || next.is_some_and(|c| {
                        c.is_uppercase() || c.is_numeric() || *c == '«' || *c == '"'
                    }))
                && (chars[i] != '.' || !is_abbreviation(&chars[begin..i]));
            if boundary {
                push_sentence(
                    &mut out,
                    turn,
                    &chars[begin..j],
                    times[begin],
                    times.get(j).copied().unwrap_or(end_time),
                );
                begin = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    if begin < chars.len() {
        push_sentence(&mut out, turn, &chars[begin..], times[begin], end_time);
    }
    out
}

fn is_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let word = word.to_lowercase();
    ABBREVIATIONS.contains(&word.as_str())
}

fn push_sentence(out: &mut Vec<Sentence>, turn: &Turn, chars: &[char], start: f64, end: f64) {
    let text: String = chars.iter().collect::<String>().trim().to_owned();
    if text.chars().any(char::is_alphanumeric) {
        out.push(Sentence {
            text,
            speaker: turn.speaker.clone(),
            start,
            end: end.max(start),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: f64, end: f64, speaker: &str, text: &str) -> Segment {
        Segment {
            start,
            end,
            speaker: Some(speaker.into()),
            text: text.into(),
            confidence: 1.0,
            language: "en".into(),
        }
    }

    #[test]
    fn splits_english_and_russian_and_joins_cut_segments() {
        let s = split(&[
            seg(0.0, 4.0, "Ann", "Hello, Dr. Smith. We start at 5.30 today"),
            seg(4.0, 6.0, "Ann", "as planned! Any questions?"),
            seg(6.0, 10.0, "Олег", "Привет, т.е. начинаем. Всё готово… Да"),
        ]);
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Hello, Dr. Smith.",
                "We start at 5.30 today as planned!",
                "Any questions?",
                "Привет, т.е. начинаем.",
                "Всё готово…",
                "Да"
            ]
        );
        assert_eq!(s[2].speaker.as_deref(), Some("Ann"));
        assert!(s[1].start > 0.0 && s[1].end <= 6.0 && s[1].start < s[1].end);
        assert!((s[5].end - 10.0).abs() < 1e-9);
    }
}
