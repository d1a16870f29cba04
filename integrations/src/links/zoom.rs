//! Zoom join links: `/j/ID`, vanity and regional hosts, personal `/my/NAME`
//! links, webinars `/w/ID`, web-client and start links, `zoommtg://`.
//! Recordings (`/rec/`), phone-number pages (`/u/`), calendar files and
//! support pages are not meetings.

use super::{MeetingLink, Platform};
use url::Url;

/// The Zoom meeting `raw` joins, in canonical form.
pub(crate) fn parse(raw: &str) -> Option<MeetingLink> {
    let url = Url::parse(raw).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if matches!(url.scheme(), "zoommtg" | "zoomus") {
        // zoommtg://zoom.us/join?action=join&confno=ID&pwd=TOKEN
        let id = digits(&query("confno")?)?;
        let base = cloud_of(&host).unwrap_or("zoom.us");
        return Some(meeting(base, &id, query("pwd")));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let base = cloud_of(&host)?;
    if is_service_host(&host, base) {
        return None;
    }
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    match segs.as_slice() {
        [j, id, ..] if j.eq_ignore_ascii_case("j") || j.eq_ignore_ascii_case("s") => {
            Some(meeting(base, &digits(id)?, query("pwd")))
        }
        [wc, join, id, ..]
            if wc.eq_ignore_ascii_case("wc") && join.eq_ignore_ascii_case("join") =>
        {
            Some(meeting(base, &digits(id)?, query("pwd")))
        }
        [wc, id, ..] if wc.eq_ignore_ascii_case("wc") => {
            Some(meeting(base, &digits(id)?, query("pwd")))
        }
        [join] if join.eq_ignore_ascii_case("join") => {
            Some(meeting(base, &digits(&query("confno")?)?, query("pwd")))
        }
        [my, name, ..] if my.eq_ignore_ascii_case("my") => {
            let name = name.to_ascii_lowercase();
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
            if !ok {
                return None;
            }
            let pwd = query("pwd");
            Some(MeetingLink {
                platform: Platform::Zoom,
                url: with_query(&format!("https://{base}/my/{name}"), &[("pwd", pwd)]),
                meeting_id: name,
                passcode: None,
            })
        }
        [w, id, ..] if w.eq_ignore_ascii_case("w") => {
            let id = digits(id)?;
            Some(MeetingLink {
                platform: Platform::Zoom,
                url: with_query(
                    &format!("https://{base}/w/{id}"),
                    &[("tk", query("tk")), ("pwd", query("pwd"))],
                ),
                meeting_id: id,
                passcode: None,
            })
        }
        _ => None,
    }
}

/// `zoom.us` for Zoom's commercial cloud (any subdomain), `zoomgov.com` for
/// the government cloud; `None` for other hosts.
fn cloud_of(host: &str) -> Option<&'static str> {
    let under = |root: &str| host == root || host.ends_with(&format!(".{root}"));
    if under("zoom.us") || under("zoom.com") {
        Some("zoom.us")
    } else if under("zoomgov.com") {
        Some("zoomgov.com")
    } else {
        None
    }
}

/// Zoom's own service hosts, whose pages are never a meeting.
fn is_service_host(host: &str, base: &str) -> bool {
    let sub = host
        .strip_suffix(base)
        .unwrap_or(host)
        .trim_end_matches('.');
    matches!(
        sub,
        "support"
            | "explore"
            | "developers"
            | "marketplace"
            | "community"
            | "blog"
            | "status"
            | "events"
            | "learning"
            | "docs"
    )
}

/// A Zoom meeting number: 9 to 11 digits, spaces and dashes allowed.
pub(crate) fn digits(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (d.len() >= 9 && d.len() <= 11 && d.chars().all(|c| c.is_ascii_digit())).then_some(d)
}

/// The canonical `/j/` link of meeting `id`.
pub(crate) fn meeting(base: &str, id: &str, pwd: Option<String>) -> MeetingLink {
    MeetingLink {
        platform: Platform::Zoom,
        url: with_query(&format!("https://{base}/j/{id}"), &[("pwd", pwd)]),
        meeting_id: id.to_owned(),
        passcode: None,
    }
}

fn with_query(base: &str, params: &[(&str, Option<String>)]) -> String {
    let mut out = base.to_owned();
    let mut sep = '?';
    for (k, v) in params {
        if let Some(v) = v {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            ser.append_pair(k, v);
            out.push(sep);
            out.push_str(&ser.finish());
            sep = '&';
        }
    }
    out
}
