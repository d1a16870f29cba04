//! Template helpers for times, dates and shares.
//!
//! Every helper returns a value rather than writing to the output, so
//! handlebars escapes what it returns like any other `{{expression}}`; none
//! of them can be used to smuggle unescaped text into a report.

use super::locale::Locale;
use super::time_format;
use chrono::{DateTime, NaiveDate};
use handlebars::{handlebars_helper, Handlebars};

handlebars_helper!(clock: |secs: f64| time_format::clock(secs));
handlebars_helper!(srt_time: |secs: f64| time_format::srt_timestamp(secs));
handlebars_helper!(duration: |secs: f64, lang: str| {
    time_format::duration(secs, Locale::for_language(lang))
});
handlebars_helper!(date: |value: str, lang: str| format_date(value, Locale::for_language(lang)));
handlebars_helper!(percent: |share: f64| time_format::percent(share));
handlebars_helper!(bar_width: |share: f64| {
    format!("{:.1}", time_format::clamp_share(share) * 100.0)
});
handlebars_helper!(text_bar: |share: f64| time_format::text_bar(share));
handlebars_helper!(round: |value: f64| if value.is_finite() { value.round() as i64 } else { 0 });
handlebars_helper!(inc: |index: u64| index.saturating_add(1));

/// An RFC 3339 moment as date and time, a `YYYY-MM-DD` day as a date, and
/// anything else as it is (it is escaped on output all the same).
fn format_date(value: &str, locale: Locale) -> String {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return time_format::date_time(at.to_utc(), locale);
    }
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return time_format::date(day, locale);
    }
    value.to_owned()
}

/// Registers every helper: `clock`, `srt_time`, `duration`, `date`,
/// `percent`, `bar_width`, `text_bar`, `round` and `inc`.
pub fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper("clock", Box::new(clock));
    registry.register_helper("srt_time", Box::new(srt_time));
    registry.register_helper("duration", Box::new(duration));
    registry.register_helper("date", Box::new(date));
    registry.register_helper("percent", Box::new(percent));
    registry.register_helper("bar_width", Box::new(bar_width));
    registry.register_helper("text_bar", Box::new(text_bar));
    registry.register_helper("round", Box::new(round));
    registry.register_helper("inc", Box::new(inc));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_moments_are_told_apart() {
        assert_eq!(
            format_date("2026-11-26T14:05:09Z", Locale::En),
            "26 November 2026, 14:05 UTC"
        );
        assert_eq!(format_date("2026-11-28", Locale::Ru), "28 ноября 2026 г.");
        assert_eq!(format_date("soon", Locale::En), "soon");
    }
}
