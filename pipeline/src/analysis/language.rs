//! Which language a transcript is in, decided from its letters.

/// A language the built-in engine has rules for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Picks Russian when Cyrillic letters outnumber Latin ones, else English.
    ///
    /// Letters rather than Whisper's per-segment tag: a mixed meeting's
    /// segments disagree, and what matters is the bulk of what was said.
    pub fn detect<'a>(texts: impl IntoIterator<Item = &'a str>) -> Lang {
        let (mut cyrillic, mut latin) = (0usize, 0usize);
        for c in texts.into_iter().flat_map(str::chars) {
            if ('\u{0400}'..='\u{04FF}').contains(&c) {
                cyrillic += 1;
            } else if c.is_ascii_alphabetic() {
                latin += 1;
            }
        }
        if cyrillic > latin {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }
}
