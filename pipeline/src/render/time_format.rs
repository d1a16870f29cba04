//! Times, durations, dates and shares as a report shows them.

use super::locale::Locale;
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// Whole seconds of `secs`, with negative and non-finite values as zero
/// (a timestamp before the start makes no sense on a report).
fn whole_millis(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        (secs * 1000.0).round() as u64
    } else {
        0
    }
}

/// A position in the meeting: `mm:ss` under an hour, `hh:mm:ss` from an hour.
pub fn clock(secs: f64) -> String {
    let total = whole_millis(secs) / 1000;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// An SRT-style timestamp, `hh:mm:ss,mmm`.
pub fn srt_timestamp(secs: f64) -> String {
    let millis = whole_millis(secs);
    let total = millis / 1000;
    format!(
        "{:02}:{:02}:{:02},{:03}",
        total / 3600,
        total / 60 % 60,
        total % 60,
        millis % 1000
    )
}

/// A length of time in words: `1 h 05 min`, `12 min 30 s`, `45 s`.
pub fn duration(secs: f64, locale: Locale) -> String {
    let total = whole_millis(secs).div_ceil(1000);
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let (hu, mu, su) = match locale {
        Locale::En => ("h", "min", "s"),
        Locale::Ru => ("ч", "мин", "с"),
    };
    if h > 0 {
        format!("{h} {hu} {m:02} {mu}")
    } else if m > 0 {
        format!("{m} {mu} {s:02} {su}")
    } else {
        format!("{s} {su}")
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Russian months in the genitive case, as a date is written ("5 марта").
pub(crate) const MONTHS_RU: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// A calendar date: `26 November 2026`, `26 ноября 2026`.
pub fn date(day: NaiveDate, locale: Locale) -> String {
    let months = match locale {
        Locale::En => &MONTHS_EN,
        Locale::Ru => &MONTHS_RU,
    };
    let month = months[day.month0() as usize];
    match locale {
        Locale::En => format!("{} {month} {}", day.day(), day.year()),
        Locale::Ru => format!("{} {month} {} г.", day.day(), day.year()),
    }
}

/// A moment: `26 November 2026, 14:05 UTC`.
pub fn date_time(at: DateTime<Utc>, locale: Locale) -> String {
    format!(
        "{}, {:02}:{:02} UTC",
        date(at.date_naive(), locale),
        at.hour(),
        at.minute()
    )
}

/// A share 0–1 as a whole percentage, `42%`, clamped to 0–100.
pub fn percent(share: f64) -> String {
    format!("{}%", (clamp_share(share) * 100.0).round() as u32)
}

/// A share 0–1 clamped, with anything not finite as 0.
pub fn clamp_share(share: f64) -> f64 {
    if share.is_finite() {
        share.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A share as a ten-cell text bar, `████░░░░░░`, for plain-text formats.
pub fn text_bar(share: f64) -> String {
    let filled = (clamp_share(share) * 10.0).round() as usize;
    "█".repeat(filled) + &"░".repeat(10 - filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_switches_to_hours_at_one_hour() {
        assert_eq!(clock(0.0), "00:00");
        assert_eq!(clock(65.4), "01:05");
        assert_eq!(clock(3599.4), "59:59");
        assert_eq!(clock(3600.0), "01:00:00");
        assert_eq!(clock(-3.0), "00:00");
        assert_eq!(clock(f64::NAN), "00:00");
    }

    #[test]
    fn srt_timestamps_carry_milliseconds() {
        assert_eq!(srt_timestamp(0.0), "00:00:00,000");
        assert_eq!(srt_timestamp(62.5), "00:01:02,500");
        assert_eq!(srt_timestamp(3723.0456), "01:02:03,046");
        assert_eq!(srt_timestamp(59.9996), "00:01:00,000");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45.0, Locale::En), "45 s");
        assert_eq!(duration(750.0, Locale::En), "12 min 30 s");
        assert_eq!(duration(3900.0, Locale::Ru), "1 ч 05 мин");
    }

    #[test]
    fn dates_use_the_locale_month() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).expect("valid date");
        assert_eq!(date(d, Locale::En), "5 March 2026");
        assert_eq!(date(d, Locale::Ru), "5 марта 2026 г.");
    }

    #[test]
    fn shares_are_clamped() {
        assert_eq!(percent(0.424), "42%");
        assert_eq!(percent(1.7), "100%");
        assert_eq!(text_bar(0.5), "█████░░░░░");
        assert_eq!(text_bar(f64::INFINITY), "░░░░░░░░░░");
    }
}
