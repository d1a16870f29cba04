//! Due dates said in a sentence ("by Friday", "tomorrow", "March 3",
//! "до пятницы", "к 5 марта", "2026-03-05"), resolved against the meeting's date.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;
use std::sync::LazyLock;

const EN_MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
/// Russian month stems; the genitive ("марта") is what dates use.
const RU_MONTHS: &[&str] = &[
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
];

static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("valid regex"));
static DOTTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\b").expect("valid regex"));
static EN_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|october|oct|november|nov|december|dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b")
        .expect("valid regex")
});
static EN_DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|october|oct|november|nov|december|dec)\b")
        .expect("valid regex")
});
static RU_DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:-?го)?\s+(января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)")
        .expect("valid regex")
});
static IN_DAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:in|within)\s+(a|an|one|two|three|four|five|six|seven|\d+)\s+(day|week)s?\b",
    )
    .expect("valid regex")
});
static RU_IN_DAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bчерез\s+(одну|один|два|две|три|четыре|пять|шесть|семь|\d+)?\s*(дн|день|недел)",
    )
    .expect("valid regex")
});

/// The first due date said in `text`, resolved against `today`.
pub fn due_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let lower = text.to_lowercase();
    explicit(&lower, today).or_else(|| relative(&lower, today))
}

fn explicit(lower: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(c) = ISO.captures(lower) {
        return NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    if let Some(c) = EN_MONTH_DAY.captures(lower) {
        return month_day(today, en_month(&c[1])?, c[2].parse().ok()?);
    }
    if let Some(c) = EN_DAY_MONTH.captures(lower) {
        return month_day(today, en_month(&c[2])?, c[1].parse().ok()?);
    }
    if let Some(c) = RU_DAY_MONTH.captures(lower) {
        let month = RU_MONTHS
            .iter()
            .enumerate()
            .filter(|(_, stem)| c[2].starts_with(*stem))
            .max_by_key(|(_, stem)| stem.len())
            .map(|(i, _)| i as u32 + 1)?;
        return month_day(today, month, c[1].parse().ok()?);
    }
    if let Some(c) = DOTTED.captures(lower) {
        // Day first: the Russian (and European) order.
        let (day, month) = (c[1].parse().ok()?, c[2].parse().ok()?);
        return match c.get(3) {
            Some(y) => NaiveDate::from_ymd_opt(y.as_str().parse().ok()?, month, day),
            None => month_day(today, month, day),
        };
    }
    None
}

fn en_month(name: &str) -> Option<u32> {
    let prefix: String = name.chars().take(3).collect();
    EN_MONTHS
        .iter()
        .position(|m| *m == prefix)
        .map(|i| i as u32 + 1)
}

/// The next `month`/`day` on or after `today` (this year, else next year).
fn month_day(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if this_year >= today {
        Some(this_year)
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    }
}

fn relative(lower: &str, today: NaiveDate) -> Option<NaiveDate> {
    let has = |cues: &[&str]| cues.iter().any(|c| lower.contains(c));
    if has(&["day after tomorrow", "послезавтра"]) {
        return today.checked_add_days(Days::new(2));
    }
    if has(&["tomorrow", "завтра"]) {
        return today.checked_add_days(Days::new(1));
    }
    if let Some(c) = IN_DAYS.captures(lower) {
        let n = number(&c[1])?;
        let days = if &c[2] == "week" { n * 7 } else { n };
        return today.checked_add_days(Days::new(days));
    }
    if let Some(c) = RU_IN_DAYS.captures(lower) {
        let n = c.get(1).map_or(Some(1), |m| number(m.as_str()))?;
        let days = if c[2].starts_with("недел") {
            n * 7
        } else {
            n
        };
        return today.checked_add_days(Days::new(days));
    }
    if let Some(day) = weekday(lower, today) {
        return Some(day);
    }
    // "Next week" as a deadline: done within it, so its Friday.
    if has(&[
        "next week",
        "следующей неделе",
        "следующую неделю",
        "следующей недели",
    ]) {
        let monday = next_weekday(today, Weekday::Mon);
        return monday.checked_add_days(Days::new(4));
    }
    if has(&[
        "end of the week",
        "end of this week",
        "end of week",
        "конца недели",
        "концу недели",
    ]) {
        return Some(this_or_next(today, Weekday::Fri));
    }
    // Last: "today" often just sets the scene ("today we'll discuss ... by Friday").
    if has(&["today", "tonight", "end of day", "сегодня", "до конца дня"]) {
        return Some(today);
    }
    None
}

fn number(word: &str) -> Option<u64> {
    Some(match word {
        "a" | "an" | "one" | "одну" | "один" => 1,
        "two" | "два" | "две" => 2,
        "three" | "три" => 3,
        "four" | "четыре" => 4,
        "five" | "пять" => 5,
        "six" | "шесть" => 6,
        "seven" | "семь" => 7,
        digits => digits.parse().ok()?,
    })
}

/// Weekday words: English names and the Russian forms after "до", "к", "в", "на".
const WEEKDAYS: &[(&[&str], Weekday)] = &[
    (
        &["monday", "понедельник", "понедельника", "понедельнику"],
        Weekday::Mon,
    ),
    (
        &["tuesday", "вторник", "вторника", "вторнику"],
        Weekday::Tue,
    ),
    (
        &["wednesday", "среда", "среду", "среды", "среде"],
        Weekday::Wed,
    ),
    (
        &["thursday", "четверг", "четверга", "четвергу"],
        Weekday::Thu,
    ),
    (
        &["friday", "пятница", "пятницу", "пятницы", "пятнице"],
        Weekday::Fri,
    ),
    (
        &["saturday", "суббота", "субботу", "субботы", "субботе"],
        Weekday::Sat,
    ),
    (
        &["sunday", "воскресенье", "воскресенья", "воскресенью"],
        Weekday::Sun,
    ),
];

fn weekday(lower: &str, today: NaiveDate) -> Option<NaiveDate> {
    let words = super::tokens::words(lower);
    for word in &words {
        for (names, day) in WEEKDAYS {
            if names.contains(&word.as_str()) {
                return Some(next_weekday(today, *day));
            }
        }
    }
    None
}

/// The first `day` strictly after `today`: "Friday" said on a Friday means next week's.
fn next_weekday(today: NaiveDate, day: Weekday) -> NaiveDate {
    let ahead =
        (7 + day.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64 - 1)
            % 7
            + 1;
    today + chrono::Duration::days(ahead)
}

/// `day` of this week if not past, else next week's.
fn this_or_next(today: NaiveDate, day: Weekday) -> NaiveDate {
    if today.weekday() == day {
        today
    } else {
        next_weekday(today, day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn resolves_english_and_russian_dates() {
        // 2026-03-02 is a Monday.
        let today = d(2026, 3, 2);
        let cases = [
            ("I'll send it by Friday.", Some(d(2026, 3, 6))),
            ("Please review it tomorrow", Some(d(2026, 3, 3))),
            ("Ship it next week", Some(d(2026, 3, 13))),
            ("Due by March 3rd", Some(d(2026, 3, 3))),
            ("Due on 1 February", Some(d(2027, 2, 1))),
            ("Deadline 2026-04-01", Some(d(2026, 4, 1))),
            ("in two weeks", Some(d(2026, 3, 16))),
            ("Сделаю до пятницы", Some(d(2026, 3, 6))),
            ("Подготовлю к 5 марта", Some(d(2026, 3, 5))),
            ("Отправлю завтра", Some(d(2026, 3, 3))),
            ("к 10.03", Some(d(2026, 3, 10))),
            ("на следующей неделе", Some(d(2026, 3, 13))),
            ("в понедельник", Some(d(2026, 3, 9))),
            ("через неделю", Some(d(2026, 3, 9))),
            ("No date here at all", None),
        ];
        for (text, want) in cases {
            assert_eq!(due_date(text, today), want, "{text}");
        }
    }
}
