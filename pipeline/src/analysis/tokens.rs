//! Content words of a sentence: lower-cased, stop words dropped, crudely stemmed
//! so that "deadline"/"deadlines" and "отчёт"/"отчёта" count as one term.

const EN_STOP: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "did", "do", "does", "doing", "don", "done", "down", "during", "each", "even",
    "few", "for", "from", "further", "get", "got", "had", "has", "have", "having", "he", "her",
    "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "know", "let", "like", "ll", "me", "maybe", "more", "most", "my", "no", "nor", "not",
    "now", "of", "off", "ok", "okay", "on", "once", "one", "only", "or", "other", "our", "ours",
    "out", "over", "own", "re", "really", "right", "s", "same", "she", "should", "so", "some",
    "such", "t", "than", "that", "the", "their", "them", "then", "there", "these", "they", "thing",
    "things", "think", "this", "those", "through", "to", "too", "um", "uh", "under", "until", "up",
    "us", "ve", "very", "was", "we", "well", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "yeah", "yes", "you", "your", "yours", "d", "m",
    "going", "gonna", "want", "need", "say", "said", "see", "go", "make", "way", "lot", "much",
    "many", "still", "actually", "sure", "good", "great",
];

const RU_STOP: &[&str] = &[
    "а",
    "без",
    "более",
    "бы",
    "был",
    "была",
    "были",
    "было",
    "быть",
    "в",
    "вам",
    "вас",
    "весь",
    "во",
    "вот",
    "все",
    "всё",
    "всего",
    "всех",
    "вы",
    "где",
    "да",
    "даже",
    "для",
    "до",
    "его",
    "ее",
    "её",
    "если",
    "есть",
    "ещё",
    "еще",
    "же",
    "за",
    "здесь",
    "и",
    "из",
    "или",
    "им",
    "их",
    "к",
    "как",
    "ко",
    "когда",
    "кто",
    "ли",
    "либо",
    "мне",
    "может",
    "мы",
    "на",
    "надо",
    "наш",
    "не",
    "него",
    "нее",
    "нет",
    "ни",
    "них",
    "но",
    "ну",
    "о",
    "об",
    "однако",
    "он",
    "она",
    "они",
    "оно",
    "от",
    "очень",
    "по",
    "под",
    "при",
    "с",
    "со",
    "так",
    "также",
    "такой",
    "там",
    "те",
    "тем",
    "то",
    "того",
    "тоже",
    "той",
    "только",
    "том",
    "ты",
    "у",
    "уже",
    "хорошо",
    "чего",
    "чем",
    "что",
    "чтобы",
    "эта",
    "эти",
    "это",
    "этого",
    "этой",
    "этот",
    "я",
    "меня",
    "мой",
    "моя",
    "вообще",
    "просто",
    "сейчас",
    "потом",
    "тогда",
    "значит",
    "давайте",
    "давай",
    "ладно",
    "окей",
    "нужно",
    "будет",
    "будем",
    "буду",
    "можно",
    "себя",
    "свой",
    "нам",
    "нас",
    "тут",
    "раз",
    "ага",
    "угу",
    "вроде",
    "какой",
    "какие",
    "этим",
    "этом",
    "эту",
    "тебя",
    "тебе",
];

/// Russian inflectional endings stripped longest first.
const RU_SUFFIXES: &[&str] = &[
    "ями", "ами", "иями", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ать", "ять", "ить",
    "ешь", "ете", "ает", "яет", "ует", "ют", "ут", "ов", "ев", "ей", "ой", "ый", "ий", "ая", "яя",
    "ое", "ее", "ые", "ие", "ам", "ям", "ах", "ях", "ом", "ем", "ию", "ия", "ии", "а", "я", "о",
    "е", "ы", "и", "у", "ю", "ь", "й",
];

/// Whether `word` (lower case) is a stop word in either language.
pub fn is_stop_word(word: &str) -> bool {
    EN_STOP.contains(&word) || RU_STOP.contains(&word)
}

/// Reduces a lower-case word to a crude stem, keeping at least three letters.
pub fn stem(word: &str) -> String {
    let word = word.replace('ё', "е");
    if word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) {
        for suffix in RU_SUFFIXES {
            if let Some(rest) = word.strip_suffix(suffix) {
                if rest.chars().count() >= 3 {
                    return rest.to_owned();
                }
            }
        }
        return word;
    }
    english_stem(word)
}

/// Plural, past, gerund and adverb endings, then a silent final e, so that
/// "deadline"/"deadlines" and "integrate"/"integrated" meet.
fn english_stem(mut word: String) -> String {
    let long = |w: &str, cut: usize| w.len() >= cut + 3;
    if word.ends_with("ies") && long(&word, 3) {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if ["sses", "xes", "ches", "shes", "zes"]
        .iter()
        .any(|s| word.ends_with(s))
    {
        word.truncate(word.len() - 2);
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
        && long(&word, 1)
    {
        word.truncate(word.len() - 1);
    }
    for suffix in ["ing", "ed", "ly"] {
        if word.ends_with(suffix) && long(&word, suffix.len()) {
            word.truncate(word.len() - suffix.len());
            break;
        }
    }
    if word.ends_with('e') && long(&word, 1) {
        word.truncate(word.len() - 1);
    }
    word
}

/// The words of `text`, lower-cased, in order (letters, digits and inner apostrophes).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The stemmed content words of `text`: no stop words, no one-letter words, no bare numbers.
pub fn content_terms(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .map(|w| w.split(['\'', '’']).next().unwrap_or_default().to_owned())
        .filter(|w| w.chars().count() > 1 && !is_stop_word(w))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .map(|w| stem(&w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_share_a_stem() {
        assert_eq!(stem("deadlines"), stem("deadline"));
        assert_eq!(stem("integrated"), stem("integrate"));
        assert_eq!(stem("boxes"), stem("box"));
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("отчёта"), stem("отчет"));
        assert_eq!(stem("бюджету"), stem("бюджет"));
        assert_eq!(
            content_terms("We'll send the budgets"),
            vec!["send", "budget"]
        );
    }
}
