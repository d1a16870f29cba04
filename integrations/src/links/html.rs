//! HTML descriptions and bodies to plain text: tags out, entities decoded,
//! and every `href` kept beside its anchor text so that "Click here to join
//! the meeting" still yields the link behind it.

use regex::Regex;
use std::sync::LazyLock;

static INVISIBLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?is)<(style|script|head|title)\b[^>]*>.*?</(style|script|head|title)\s*>|<!--.*?-->",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static HREF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>"#)
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|p|div|li|tr|hr)\b[^>]*>")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)<[^>]*>").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// True when `text` has HTML markup worth stripping.
pub(crate) fn looks_like_html(text: &str) -> bool {
    static MARKUP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)<\s*/?\s*(a|br|p|div|span|html|body|b|i|u|table|td|tr|li|ul|font|meta|style)\b",
        )
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
    });
    MARKUP.is_match(text) || text.contains("&amp;") || text.contains("&nbsp;")
}

/// Plain text of an HTML fragment: anchors become ` HREF TEXT `, block ends
/// become line breaks, other tags vanish, entities are decoded.
pub fn html_to_text(html: &str) -> String {
    let s = INVISIBLE.replace_all(html, " ");
    let s = HREF.replace_all(&s, |c: &regex::Captures<'_>| {
        let href = c
            .get(1)
            .or_else(|| c.get(2))
            .or_else(|| c.get(3))
            .map(|m| m.as_str())
            .unwrap_or_default();
        // The href's own entities (`&amp;pwd=`) are decoded with the rest below.
        format!(" {href} ")
    });
    let s = BREAK.replace_all(&s, "\n");
    let s = TAG.replace_all(&s, " ");
    decode_entities(&s)
}

/// Decodes named, decimal and hexadecimal character references.
pub(crate) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        match after.find(';').filter(|&end| end <= 10) {
            Some(end) => match entity(&after[..end]) {
                Some(c) => {
                    out.push(c);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            },
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "bull" => '•',
        "middot" => '·',
        "rsquo" => '’',
        "lsquo" => '‘',
        "rdquo" => '”',
        "ldquo" => '“',
        "colon" => ':',
        "sol" => '/',
        "quest" => '?',
        "equals" => '=',
        "period" => '.',
        "lowbar" => '_',
        "commat" => '@',
        "num" => '#',
        "percnt" => '%',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_keep_their_href() {
        let t = html_to_text(
            r#"<p><a href="https://zoom.us/j/123456789?pwd=ab&amp;x=1" target="_blank">Join</a></p>"#,
        );
        assert!(t.contains("https://zoom.us/j/123456789?pwd=ab&x=1"), "{t}");
        assert!(t.contains("Join"));
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_entities("a&#58;b&#x2F;c &amp;&lt;&gt; &bogus; &"),
            "a:b/c &<> &bogus; &"
        );
    }

    #[test]
    fn style_and_comments_vanish() {
        let t = html_to_text(
            "<style>p{x:https://zoom.us/j/111111111}</style><!-- https://zoom.us/j/222222222 -->ok",
        );
        assert!(!t.contains("zoom"), "{t}");
        assert!(t.contains("ok"));
    }
}
