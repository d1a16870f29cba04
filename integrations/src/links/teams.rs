//! Microsoft Teams meeting links: `/l/meetup-join/THREAD/MSG?context=…`
//! (also behind `/v2/#` fragments and the launcher page), consumer
//! `teams.live.com/meet/ID?p=…` and the newer `teams.microsoft.com/meet/ID?p=…`.
//! Chat, channel, team and message links, meeting options and help pages
//! are not meetings.

use super::percent;
use super::{MeetingLink, Platform};
use url::Url;

/// The Teams meeting `raw` joins, in canonical form.
pub(crate) fn parse(raw: &str) -> Option<MeetingLink> {
    let url = Url::parse(raw).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let business = is_business_host(&host);
    if !business && host != "teams.live.com" {
        return None;
    }
    let path = url.path();
    let lower = path.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("/meet/") {
        let id: String = rest.trim_end_matches('/').to_owned();
        if id.len() < 9 || !id.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let passcode = query(&url, "p");
        let url_s = match &passcode {
            Some(p) => format!("https://{host}/meet/{id}?p={}", percent::encode_lower(p)),
            None => format!("https://{host}/meet/{id}"),
        };
        return Some(MeetingLink {
            platform: Platform::Teams,
            url: url_s,
            meeting_id: id,
            passcode,
        });
    }
    if !business {
        return None;
    }
    if lower.starts_with("/l/meetup-join/") {
        return meetup_join(&host, path, query(&url, "context").as_deref());
    }
    // `/v2/?meetingjoin=true#/l/meetup-join/…` and `/_#/l/meetup-join/…`.
    if let Some(frag) = url.fragment() {
        if let Some(inner) = frag.strip_prefix('/') {
            let inner = Url::parse(&format!("https://{host}/{inner}")).ok()?;
            if inner
                .path()
                .to_ascii_lowercase()
                .starts_with("/l/meetup-join/")
            {
                return meetup_join(&host, inner.path(), query(&inner, "context").as_deref());
            }
        }
    }
    // `/dl/launcher/launcher.html?url=/_#/l/meetup-join/…`.
    if lower.starts_with("/dl/launcher/") {
        let target = query(&url, "url")?;
        return parse(&format!("https://{host}{target}"));
    }
    None
}

/// Hosts of Teams for work or school, commercial and government clouds.
fn is_business_host(host: &str) -> bool {
    matches!(
        host,
        "teams.microsoft.com"
            | "teams.microsoft.us"
            | "gov.teams.microsoft.us"
            | "dod.teams.microsoft.us"
            | "teams.cloud.microsoft"
    )
}

/// A `meetup-join` link from its path and `context` value.
fn meetup_join(host: &str, path: &str, context: Option<&str>) -> Option<MeetingLink> {
    let mut segs = path.split('/').filter(|s| !s.is_empty()).skip(2);
    let thread = percent::decode(&percent::decode(segs.next()?));
    let (head, tail) = thread.split_once(':')?;
    if head != "19" || !tail.contains("@thread.") || tail.contains(['/', '?', ' ']) {
        return None;
    }
    let message = segs
        .next()
        .filter(|m| m.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or("0");
    let mut url = format!(
        "https://{host}/l/meetup-join/{}/{message}",
        percent::encode_lower(&thread)
    );
    if let Some(ctx) = context.and_then(canonical_context) {
        url.push_str("?context=");
        url.push_str(&percent::encode_lower(&ctx));
    }
    Some(MeetingLink {
        platform: Platform::Teams,
        url,
        meeting_id: thread,
        passcode: None,
    })
}

/// The `context` JSON reduced to the tenant and organizer ids, lower-case.
fn canonical_context(raw: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(raw.trim()).ok()?;
    let get = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
    };
    let tid = get("Tid")?;
    let mut out = serde_json::Map::new();
    out.insert("Tid".into(), tid.into());
    if let Some(oid) = get("Oid") {
        out.insert("Oid".into(), oid.into());
    }
    serde_json::to_string(&out).ok()
}

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}
