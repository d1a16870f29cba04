//! Cue phrases that mark a sentence as an action item, a decision or an
//! open question, in English and Russian.

use super::owners::commits_self;
use super::sentences::Sentence;
use super::tokens::content_terms;
use regex::Regex;
use std::sync::LazyLock;

/// Requests and obligations: someone is to do something.
static ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)\b(
            action\ item|to-?do|follow\ up|take\ care\ of|will\ you|can\ you|could\ you|would\ you\ mind|
            please|needs?\ to|has\ to|have\ to|should|make\ sure|we'll|we\ will|
            \w+\ will\ (send|prepare|write|check|review|update|draft|call|book|fix|share|set\ up|look|finish|create|schedule|contact|email|ask)|
            нужно|надо|необходимо|должен|должна|должны|поручим|поручить|задача|
            можешь|можете|сможешь|сможете|проверь|проверьте|подготовь|подготовьте|
            отправь|отправьте|пришли|пришлите|напиши|напишите|сделай|сделайте|займись|займитесь|
            \w+\ (подготовит|отправит|пришлёт|пришлет|напишет|проверит|сделает|возьмёт|возьмет|обновит|созвонится|свяжется)
        )\b",
    )
    .expect("valid regex")
});

/// Questions that ask someone to do something.
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(can you|could you|will you|would you|can we get|можешь|можете|сможешь|сможете|возьмёшь|возьмешь|возьмётесь|возьметесь)\b")
        .expect("valid regex")
});

/// Decisions taken.
static DECISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)\b(
            we\ (have\ |'ve\ )?decided|we've\ decided|it's\ decided|decision\ is|decided\ to|
            let's\ go\ with|let’s\ go\ with|we'll\ go\ with|we\ will\ go\ with|going\ with|
            (we\ )?agreed|we\ agree|settled\ on|final\ decision|we\ approved|approved|
            решили|решено|договорились|утвердили|утверждаем|утверждено|принято\ решение|приняли\ решение|
            остановились\ на|согласовали|выбрали
        )",
    )
    .expect("valid regex")
});

/// A negated decision ("we haven't decided") is an open point, not a decision.
static NEGATED_DECISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(not|haven't|hasn't|didn't|never|не)\s+(yet\s+|ещё\s+|еще\s+)?(decided|agreed|approved|решили|договорились|утвердили|согласовали)")
        .expect("valid regex")
});

/// Points said to be unresolved.
static OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)(
            open\ question|still\ open|to\ be\ determined|\btbd\b|need\ to\ find\ out|have\ to\ find\ out|
            not\ clear\ yet|unclear|unresolved|nobody\ knows|
            нужно\ выяснить|надо\ выяснить|открытый\ вопрос|открытым\ вопросом|пока\ неясно|пока\ непонятно|
            остаётся\ вопрос|остается\ вопрос|под\ вопросом|никто\ не\ знает
        )",
    )
    .expect("valid regex")
});

/// An answer that says it does not know leaves the question open.
static NON_ANSWER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(don't know|do not know|no idea|not sure|не знаю|без понятия|не уверен|никто не знает)")
        .expect("valid regex")
});

/// Words a reply opens with when it answers.
const ANSWER_OPENERS: &[&str] = &[
    "yes",
    "no",
    "yeah",
    "yep",
    "nope",
    "sure",
    "probably",
    "because",
    "it's",
    "it",
    "we",
    "i",
    "да",
    "нет",
    "конечно",
    "наверное",
    "потому",
    "думаю",
    "это",
    "мы",
    "я",
];

/// Whether the sentence gives someone something to do.
pub fn is_action(s: &Sentence) -> bool {
    if s.is_question() {
        return REQUEST.is_match(&s.text) && content_terms(&s.text).len() >= 2;
    }
    // "OK, will do." acknowledges; an action item says what is to be done.
    content_terms(&s.text).len() >= 2
        && (ACTION.is_match(&s.text) || commits_self(&s.text))
        && !is_decision(s)
        && !OPEN.is_match(&s.text)
}

/// Whether the sentence states a decision.
pub fn is_decision(s: &Sentence) -> bool {
    !s.is_question() && DECISION.is_match(&s.text) && !NEGATED_DECISION.is_match(&s.text)
}

/// Whether `sentences[i]` is a question nobody answered, or a point said to be open.
pub fn is_open_question(sentences: &[Sentence], i: usize) -> bool {
    let s = &sentences[i];
    if OPEN.is_match(&s.text) || NEGATED_DECISION.is_match(&s.text) {
        return true;
    }
    // Requests ("can you send...?") are action items; tags ("right?") are not questions.
    if !s.is_question() || REQUEST.is_match(&s.text) || content_terms(&s.text).len() < 2 {
        return false;
    }
    !answered(sentences, i)
}

/// Whether the first reply by someone else (within the next few sentences
/// and a minute) answers `sentences[i]`.
fn answered(sentences: &[Sentence], i: usize) -> bool {
    let q = &sentences[i];
    let Some(reply) = sentences
        .iter()
        .skip(i + 1)
        .take(3)
        .take_while(|r| r.start - q.end <= 60.0)
        .find(|r| r.speaker != q.speaker || r.speaker.is_none())
    else {
        return false;
    };
    if NON_ANSWER.is_match(&reply.text) || OPEN.is_match(&reply.text) {
        return false;
    }
    let q_terms = content_terms(&q.text);
    let first = super::tokens::words(&reply.text)
        .into_iter()
        .next()
        .unwrap_or_default();
    let shared = content_terms(&reply.text)
        .iter()
        .filter(|t| q_terms.contains(t))
        .count();
    ANSWER_OPENERS.contains(&first.as_str()) || shared >= 1
}
