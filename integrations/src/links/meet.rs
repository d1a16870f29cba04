//! Google Meet links: `meet.google.com/abc-defg-hij`, with or without the
//! dashes, whatever `authuser`/`hs`/`pli` noise follows.

use super::{MeetingLink, Platform};
use url::Url;

/// The Meet meeting `raw` joins, in canonical form.
pub(crate) fn parse(raw: &str) -> Option<MeetingLink> {
    let url = Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    if !url.host_str()?.eq_ignore_ascii_case("meet.google.com") {
        return None;
    }
    let mut segs = url.path_segments()?.filter(|s| !s.is_empty());
    let first = segs.next()?;
    if segs.next().is_some() {
        return None;
    }
    let code = code(first)?;
    Some(MeetingLink {
        platform: Platform::Meet,
        url: format!("https://meet.google.com/{code}"),
        meeting_id: code,
        passcode: None,
    })
}

/// A meeting code `xxx-yyyy-zzz` (letters), from either spelling.
fn code(s: &str) -> Option<String> {
    let letters: String = s.chars().filter(|c| *c != '-').collect();
    let shape_ok = letters.len() == 10
        && letters.chars().all(|c| c.is_ascii_alphabetic())
        && (s.len() == 10 || s.len() == 12 && s.as_bytes()[3] == b'-' && s.as_bytes()[8] == b'-');
    if !shape_ok {
        return None;
    }
    let l = letters.to_ascii_lowercase();
    Some(format!("{}-{}-{}", &l[..3], &l[3..7], &l[7..]))
}
