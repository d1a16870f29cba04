//! Finding URL candidates in plain text, and opening the redirect wrappers
//! that mail systems put around them.

use regex::Regex;
use std::sync::LazyLock;
use url::Url;

/// URLs with a scheme.
static WITH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?|zoommtg|zoomus)://[^\s<>"'`\[\]{}|\\^]+"#)
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Links to the platforms written without a scheme (`zoom.us/j/123`).
static BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:^|[\s(<:"'])((?:[a-z0-9-]+\.)*(?:zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com)/[^\s<>"'`\[\]{}|\\^]+)"#,
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Every URL-looking token of `text`, in order, trailing punctuation cut.
pub(crate) fn candidates(text: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = WITH_SCHEME
        .find_iter(text)
        .map(|m| (m.start(), trim_tail(m.as_str()).to_owned()))
        .collect();
    let covered: Vec<(usize, usize)> = WITH_SCHEME
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    for c in BARE.captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        if covered
            .iter()
            .any(|&(s, e)| m.start() >= s && m.start() < e)
        {
            continue;
        }
        found.push((m.start(), format!("https://{}", trim_tail(m.as_str()))));
    }
    found.sort_by_key(|(pos, _)| *pos);
    found.into_iter().map(|(_, u)| u).collect()
}

/// Cuts the punctuation that ends a sentence rather than the URL.
fn trim_tail(url: &str) -> &str {
    let mut s = url;
    loop {
        let Some(last) = s.chars().last() else {
            return s;
        };
        let cut = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' | '\'' | '"' | '>' => true,
            ')' => !s.contains('('),
            _ => false,
        };
        if !cut {
            return s;
        }
        s = &s[..s.len() - last.len_utf8()];
    }
}

/// Opens Outlook Safe Links, Google's `/url?q=` and Proofpoint v3 wrappers
/// (nested ones too); anything else comes back unchanged.
pub(crate) fn unwrap_redirects(raw: &str) -> String {
    let mut current = raw.to_owned();
    for _ in 0..4 {
        match unwrap_once(&current) {
            Some(inner) => current = inner,
            None => break,
        }
    }
    current
}

fn unwrap_once(raw: &str) -> Option<String> {
    if let Some(rest) = raw
        .strip_prefix("https://urldefense.com/v3/__")
        .or_else(|| raw.strip_prefix("http://urldefense.com/v3/__"))
    {
        let end = rest.find("__;").unwrap_or(rest.len());
        return Some(rest[..end].to_owned());
    }
    let url = Url::parse(raw).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let param = if host.ends_with(".safelinks.protection.outlook.com") {
        "url"
    } else if (host == "www.google.com" || host == "google.com") && url.path() == "/url" {
        "q"
    } else {
        return None;
    };
    url.query_pairs()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_urls_and_cuts_sentence_punctuation() {
        let c = candidates(
            "Join: https://zoom.us/j/123456789. Or (meet.google.com/abc-defg-hij), <https://x.y/z>",
        );
        assert_eq!(
            c,
            vec![
                "https://zoom.us/j/123456789",
                "https://meet.google.com/abc-defg-hij",
                "https://x.y/z"
            ]
        );
    }

    #[test]
    fn opens_safelinks_and_google_redirects() {
        let safe = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F123456789%3Fpwd%3Dabc&data=05%7C01&reserved=0";
        assert_eq!(
            unwrap_redirects(safe),
            "https://zoom.us/j/123456789?pwd=abc"
        );
        let g = "https://www.google.com/url?q=https://meet.google.com/abc-defg-hij&sa=D&source=calendar&usg=AOvVaw";
        assert_eq!(unwrap_redirects(g), "https://meet.google.com/abc-defg-hij");
    }
}
