//! Meetings written out instead of linked: "Meeting ID: 853 1234 5678" and
//! "Passcode: 123456" in a Zoom invitation (or the same pair in a Teams one),
//! used to fill in passcodes of links already found and to add a Zoom
//! meeting that has no link at all.

use super::{zoom, MeetingLink, Platform};
use regex::Regex;
use std::sync::LazyLock;

static MEETING_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:meeting|webinar|conference)\s*(?:id|number|no\.?)\s*[:：#]?\s*(\d[\d \t\-]{7,20}\d)")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static PASSCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:meeting\s+)?(?:passcode|password|pass\s+code|pwd)\s*[:：]\s*([^\s<>"']{1,32})"#,
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static ZOOM_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bzoom").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// How far after a meeting id its passcode may be written.
const PASSCODE_WINDOW: usize = 300;

/// Fills passcodes from written-out ids and adds Zoom meetings named only by
/// a written id (when the text speaks of Zoom at all).
pub(crate) fn complete(text: &str, found: &mut Vec<MeetingLink>) {
    let ids: Vec<(usize, usize, String)> = MEETING_ID
        .captures_iter(text)
        .filter_map(|c| {
            let all = c.get(0)?;
            let digits: String = c
                .get(1)?
                .as_str()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            Some((all.start(), all.end(), digits))
        })
        .collect();
    let mentions_zoom = ZOOM_WORD.is_match(text);
    for (i, (_, end, digits)) in ids.iter().enumerate() {
        let next_id = ids.get(i + 1).map(|n| n.0).unwrap_or(text.len());
        let window_end = next_id.min(end + PASSCODE_WINDOW).min(text.len());
        let passcode = text
            .get(*end..window_end)
            .and_then(|w| PASSCODE.captures(w))
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().trim_end_matches(['.', ',', ';']).to_owned())
            .filter(|p| !p.is_empty());
        if let Some(link) = found.iter_mut().find(|l| l.meeting_id == *digits) {
            if link.passcode.is_none() {
                link.passcode = passcode;
            }
            continue;
        }
        if !mentions_zoom {
            continue;
        }
        let Some(id) = zoom::digits(digits) else {
            continue;
        };
        let mut link = zoom::meeting("zoom.us", &id, None);
        link.passcode = passcode;
        found.push(link);
    }
    // A Zoom link alone with one written passcode and no written id.
    let zooms = found
        .iter()
        .filter(|l| l.platform == Platform::Zoom)
        .count();
    if zooms == 1 && ids.is_empty() {
        if let Some(p) = PASSCODE.captures(text).and_then(|c| c.get(1)) {
            if let Some(link) = found
                .iter_mut()
                .find(|l| l.platform == Platform::Zoom && l.passcode.is_none())
            {
                link.passcode = Some(p.as_str().trim_end_matches(['.', ',', ';']).to_owned());
            }
        }
    }
}
