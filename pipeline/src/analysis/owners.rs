//! Who an action item belongs to: the speaker when they commit themselves
//! ("I'll", "я сделаю"), else a participant named in the sentence, else the speaker.

use super::tokens::words;
use regex::Regex;
use std::sync::LazyLock;

/// First-person commitments.
static SELF_COMMIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(i'll|i’ll|i will|i'm going to|i’m going to|i am going to|i can take|let me|i'm on it|сделаю|беру на себя|возьму на себя|займусь)\b",
    )
    .expect("valid regex")
});

/// "я" and a first-person verb ("я подготовлю", "я напишу").
static RU_FIRST_PERSON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bя\s+(\w+[юу])\b").expect("valid regex"));

/// First-person verbs that state an opinion, not a commitment.
const RU_NOT_COMMITMENTS: &[&str] = &[
    "думаю",
    "знаю",
    "считаю",
    "понимаю",
    "хочу",
    "говорю",
    "вижу",
    "предлагаю",
    "помню",
    "согласну",
    "слышу",
    "могу",
    "прошу",
];

/// Whether the speaker takes the task themself.
pub fn commits_self(text: &str) -> bool {
    SELF_COMMIT.is_match(text)
        || RU_FIRST_PERSON.captures_iter(text).any(|c| {
            let verb = c[1].to_lowercase();
            !RU_NOT_COMMITMENTS.contains(&verb.as_str())
        })
}

/// The owner of an action item said by `speaker`, given the meeting's speaker names.
pub fn owner(text: &str, speaker: Option<&str>, speakers: &[String]) -> Option<String> {
    if commits_self(text) {
        return speaker.map(str::to_owned);
    }
    named(text, speaker, speakers).or_else(|| speaker.map(str::to_owned))
}

/// A participant other than the speaker named in `text`.
///
/// Names are matched word by word on a shared stem, so "Ивану" and "Марии"
/// find "Иван" and "Мария", and "Bob" finds "Bob Smith".
pub fn named(text: &str, speaker: Option<&str>, speakers: &[String]) -> Option<String> {
    let said = words(text);
    speakers
        .iter()
        .filter(|name| Some(name.as_str()) != speaker)
        .find(|name| {
            words(name)
                .iter()
                .filter(|part| part.chars().count() >= 2)
                .any(|part| said.iter().any(|w| same_name(w, part)))
        })
        .cloned()
}

/// Whether `word` is a (possibly declined) form of the name part `part`.
fn same_name(word: &str, part: &str) -> bool {
    if word == part {
        return true;
    }
    let stem = |s: &str| -> String {
        let chars: Vec<char> = s.chars().collect();
        // Drop a final vowel or soft sign: Мария/Марии, Иван/Ивану, Петя/Пети.
        let keep = if chars.len() > 3 && "аяеиоуыюйь".contains(chars[chars.len() - 1]) {
            chars.len() - 1
        } else {
            chars.len()
        };
        chars[..keep].iter().collect()
    };
    let cyrillic = part.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    if !cyrillic {
        return false;
    }
    let (w, p) = (stem(word), stem(part));
    w.chars().count() >= 3
        && w.chars().count() <= p.chars().count() + 1
        && (w.starts_with(&p) || p.starts_with(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_from_commitments_names_and_speakers() {
        let people = vec![
            "Alice Brown".to_owned(),
            "Bob".to_owned(),
            "Мария".to_owned(),
            "Иван".to_owned(),
        ];
        assert_eq!(
            owner("I'll send the deck.", Some("Bob"), &people).as_deref(),
            Some("Bob")
        );
        assert_eq!(
            owner("Alice, can you send the deck?", Some("Bob"), &people).as_deref(),
            Some("Alice Brown")
        );
        assert_eq!(
            owner("Someone should send the deck.", Some("Bob"), &people).as_deref(),
            Some("Bob")
        );
        assert_eq!(
            owner("Я подготовлю отчёт.", Some("Иван"), &people).as_deref(),
            Some("Иван")
        );
        assert_eq!(
            owner("Поручим это Марии.", Some("Иван"), &people).as_deref(),
            Some("Мария")
        );
        assert_eq!(
            owner("Мария, подготовь отчёт.", Some("Иван"), &people).as_deref(),
            Some("Мария")
        );
        assert_eq!(
            owner("Ивану нужно проверить.", Some("Мария"), &people).as_deref(),
            Some("Иван")
        );
    }
}
