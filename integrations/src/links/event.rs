//! The meeting of a calendar event in the JSON shape of Google Calendar v3 or
//! Microsoft Graph, structured conference fields first, then the location,
//! then the description or body.

use super::{find_in_text, parse_url, MeetingLink};
use serde_json::Value;

/// The meeting of a Google Calendar v3 event resource.
pub fn from_google_event(event: &Value) -> Option<MeetingLink> {
    let description = str_at(event, &["description"]);
    let structured =
        google_entry_point(event).or_else(|| str_at(event, &["hangoutLink"]).and_then(parse_url));
    let found = structured
        .or_else(|| first_in(str_at(event, &["location"])))
        .or_else(|| first_in(description))?;
    Some(with_passcode_from(found, description))
}

/// The meeting of a Microsoft Graph event resource.
pub fn from_graph_event(event: &Value) -> Option<MeetingLink> {
    let body = str_at(event, &["body", "content"]).or_else(|| str_at(event, &["bodyPreview"]));
    let structured = str_at(event, &["onlineMeeting", "joinUrl"])
        .and_then(parse_url)
        .or_else(|| str_at(event, &["onlineMeetingUrl"]).and_then(parse_url));
    let found = structured
        .or_else(|| graph_locations(event))
        .or_else(|| first_in(body))?;
    Some(with_passcode_from(found, body))
}

/// The meeting of an event in either shape, told apart by their fields.
pub fn from_event_json(event: &Value) -> Option<MeetingLink> {
    if is_graph(event) {
        from_graph_event(event)
    } else if is_google(event) {
        from_google_event(event)
    } else {
        from_google_event(event).or_else(|| from_graph_event(event))
    }
}

/// True for a Microsoft Graph event resource.
pub(crate) fn is_graph(v: &Value) -> bool {
    v.get("@odata.etag").is_some()
        || v.get("@odata.context").is_some()
        || v.get("subject").is_some()
        || v.get("onlineMeeting").is_some()
        || v.get("bodyPreview").is_some()
        || v.get("body").is_some_and(Value::is_object)
}

/// True for a Google Calendar event resource.
pub(crate) fn is_google(v: &Value) -> bool {
    v.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.starts_with("calendar#"))
        || v.get("summary").is_some()
        || v.get("hangoutLink").is_some()
        || v.get("conferenceData").is_some()
}

/// The `video` entry point of `conferenceData`, with its passcode if given.
fn google_entry_point(event: &Value) -> Option<MeetingLink> {
    let points = event
        .get("conferenceData")?
        .get("entryPoints")?
        .as_array()?;
    points
        .iter()
        .filter(|p| p.get("entryPointType").and_then(Value::as_str) == Some("video"))
        .find_map(|p| {
            let mut link = parse_url(p.get("uri")?.as_str()?)?;
            if link.passcode.is_none() {
                link.passcode = ["passcode", "password"]
                    .iter()
                    .find_map(|k| p.get(*k).and_then(Value::as_str))
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
            }
            Some(link)
        })
}

/// The first meeting in Graph's `location` or `locations`.
fn graph_locations(event: &Value) -> Option<MeetingLink> {
    let mut texts: Vec<&str> = Vec::new();
    for loc in std::iter::once(event.get("location")).flatten().chain(
        event
            .get("locations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    ) {
        for key in ["locationUri", "displayName"] {
            if let Some(s) = loc.get(key).and_then(Value::as_str) {
                texts.push(s);
            }
        }
    }
    texts.into_iter().find_map(|t| first_in(Some(t)))
}

fn first_in(text: Option<&str>) -> Option<MeetingLink> {
    find_in_text(text?).into_iter().next()
}

/// Fills a missing passcode from the same meeting written in `text`.
fn with_passcode_from(mut link: MeetingLink, text: Option<&str>) -> MeetingLink {
    if link.passcode.is_none() {
        if let Some(text) = text {
            link.passcode = find_in_text(text)
                .into_iter()
                .find(|l| l.same_meeting(&link))
                .and_then(|l| l.passcode);
        }
    }
    link
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(*key)?;
    }
    cur.as_str().filter(|s| !s.trim().is_empty())
}
