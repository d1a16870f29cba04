//! The languages a report's own words (headings, labels) come in.

use serde_json::{Map, Value};

/// A language of the report's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// English, the fallback for every language without strings.
    En,
    /// Russian.
    Ru,
}

impl Locale {
    /// The locale for a transcript language (`ru`, `ru-RU`, `RU`); English
    /// for anything without strings of its own.
    pub fn for_language(language: &str) -> Locale {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Locale::Ru,
            _ => Locale::En,
        }
    }

    /// The language code templates see as `lang`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }

    /// Every locale, for loading and checking the strings.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../../templates/strings/en.json"),
            Locale::Ru => include_str!("../../templates/strings/ru.json"),
        }
    }
}

/// The strings of every locale, loaded once.
#[derive(Debug, Clone)]
pub struct Strings {
    en: Map<String, Value>,
    ru: Map<String, Value>,
}

/// A strings file that does not parse, or lacks a key English has.
#[derive(Debug, thiserror::Error)]
#[error("report strings for `{locale}`: {message}")]
pub struct StringsError {
    locale: &'static str,
    message: String,
}

impl Strings {
    /// Parses the embedded strings and checks every locale has every
    /// English key, so a template never meets a missing string in strict mode.
    pub fn load() -> Result<Strings, StringsError> {
        let parse = |locale: Locale| -> Result<Map<String, Value>, StringsError> {
            match serde_json::from_str::<Value>(locale.source()) {
                Ok(Value::Object(map)) => Ok(map),
                Ok(_) => Err(StringsError {
                    locale: locale.code(),
                    message: "not a JSON object".into(),
                }),
                Err(e) => Err(StringsError {
                    locale: locale.code(),
                    message: e.to_string(),
                }),
            }
        };
        let en = parse(Locale::En)?;
        let ru = parse(Locale::Ru)?;
        if let Some(missing) = en.keys().find(|k| !ru.contains_key(*k)) {
            return Err(StringsError {
                locale: Locale::Ru.code(),
                message: format!("missing `{missing}`"),
            });
        }
        Ok(Strings { en, ru })
    }

    /// The strings of `locale`, as the template value `t`.
    pub fn of(&self, locale: Locale) -> Value {
        Value::Object(match locale {
            Locale::En => self.en.clone(),
            Locale::Ru => self.ru.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_fall_back_to_english() {
        assert_eq!(Locale::for_language("ru"), Locale::Ru);
        assert_eq!(Locale::for_language("ru-RU"), Locale::Ru);
        assert_eq!(Locale::for_language("RU"), Locale::Ru);
        assert_eq!(Locale::for_language("de"), Locale::En);
        assert_eq!(Locale::for_language(""), Locale::En);
    }

    #[test]
    fn every_locale_has_every_string() {
        let strings = Strings::load().expect("embedded strings load");
        for locale in Locale::ALL {
            assert!(strings.of(locale)["summary_title"].is_string());
        }
    }
}
