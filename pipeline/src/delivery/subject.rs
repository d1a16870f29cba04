//! The subject line of a report email: the meeting's title and date, in the
//! report's language.

use crate::render::{Locale, MONTHS_RU};
use chrono::{Datelike, NaiveDate};

/// English month abbreviations, January first.
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Meeting report: Weekly sync — 26 Nov 2026`, or the Russian
/// `Отчёт о встрече: … — 26 ноября 2026` when `language` is `ru`; any other
/// language gets English. An empty title reads "Meeting" / "Встреча".
pub fn subject(title: &str, date: NaiveDate, language: &str) -> String {
    // Subjects are one line: a title with line breaks would end the header.
    let title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let month = date.month0() as usize;
    if Locale::for_language(language) == Locale::Ru {
        let title = if title.is_empty() {
            "Встреча"
        } else {
            &title
        };
        format!(
            "Отчёт о встрече: {title} — {} {} {}",
            date.day(),
            MONTHS_RU[month],
            date.year()
        )
    } else {
        let title = if title.is_empty() { "Meeting" } else { &title };
        format!(
            "Meeting report: {title} — {} {} {}",
            date.day(),
            EN_MONTHS[month],
            date.year()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn english_subject_has_title_and_date() {
        assert_eq!(
            subject("Weekly sync", date(2026, 11, 26), "en"),
            "Meeting report: Weekly sync — 26 Nov 2026"
        );
        assert_eq!(
            subject("Planning", date(2027, 1, 3), "de"),
            "Meeting report: Planning — 3 Jan 2027"
        );
    }

    #[test]
    fn russian_subject_uses_genitive_month() {
        assert_eq!(
            subject("Планёрка", date(2026, 11, 26), "ru"),
            "Отчёт о встрече: Планёрка — 26 ноября 2026"
        );
        assert_eq!(
            subject("Sync", date(2026, 5, 1), "ru-RU"),
            "Отчёт о встрече: Sync — 1 мая 2026"
        );
    }

    #[test]
    fn title_is_one_line_and_never_empty() {
        assert_eq!(
            subject("  a\r\nBcc: x@y  ", date(2026, 2, 9), "en"),
            "Meeting report: a Bcc: x@y — 9 Feb 2026"
        );
        assert_eq!(
            subject(" ", date(2026, 2, 9), "ru"),
            "Отчёт о встрече: Встреча — 9 февраля 2026"
        );
    }
}
