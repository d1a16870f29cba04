//! Meeting links: find the Zoom, Google Meet or Microsoft Teams call an event
//! points at, and write it in one canonical form.
//!
//! Sources, most trusted first: the structured conference fields of a Google
//! (`conferenceData`, `hangoutLink`) or Graph (`onlineMeeting.joinUrl`) event,
//! then its location, then its description or body (plain text or HTML, with
//! the invitation blocks the platforms paste).
//!
//! Normalization makes one meeting compare equal however it was pasted:
//! - every URL is `https`, its host lower-case, fragments and tracking or
//!   session parameters (`authuser`, `hs`, `pli`, `from`, `omkt`, ...) gone;
//!   Outlook Safe Links, Google `/url?q=` and Proofpoint wrappers are opened;
//! - Zoom: `https://zoom.us/j/ID` plus `?pwd=` when the link had one. The
//!   vanity or regional subdomain (`acme.zoom.us`, `us02web.zoom.us`) is
//!   dropped because meeting ids are global in Zoom's cloud and the same call
//!   is pasted with and without it; `zoomgov.com` is another cloud and stays.
//!   Web-client, start and `zoommtg://` links become the `/j/` form; personal
//!   links stay `/my/NAME` (lower-case); webinars stay `/w/ID` with `tk`/`pwd`;
//! - Meet: `https://meet.google.com/abc-defg-hij`, code lower-case, no query;
//! - Teams: `/l/meetup-join/` links keep their thread id (decoded for
//!   `meeting_id`, re-encoded with lower-case `%3a`/`%40` in the URL) and a
//!   `context` reduced to `Tid`/`Oid`; `/meet/ID?p=` links keep the passcode.

mod event;
mod html;
mod meet;
mod percent;
mod scan;
mod teams;
mod written;
mod zoom;

pub use event::{from_event_json, from_google_event, from_graph_event};
pub use html::html_to_text;
pub use mymeet_core::domain::Platform;

use serde::{Deserialize, Serialize};

/// One meeting an event or text points at, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MeetingLink {
    /// Zoom, Meet or Teams.
    pub platform: Platform,
    /// The normalized join URL (equal for every spelling of one meeting).
    pub url: String,
    /// The platform's id of the meeting: Zoom digits or personal-link name,
    /// Meet code, Teams thread id (`19:meeting_…@thread.v2`) or numeric id.
    pub meeting_id: String,
    /// The passcode a participant types, when the link or text gives it.
    pub passcode: Option<String>,
}

impl MeetingLink {
    /// True when both name the same meeting of the same platform, even if
    /// only one of them carries the Zoom `pwd` token.
    pub fn same_meeting(&self, other: &MeetingLink) -> bool {
        self.platform == other.platform && self.meeting_id == other.meeting_id
    }
}

/// Parses one URL (any spelling) into a meeting link; `None` for anything
/// that is not a join link (recordings, docs, chats, support pages).
pub fn parse_url(raw: &str) -> Option<MeetingLink> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let unwrapped = scan::unwrap_redirects(&with_scheme);
    zoom::parse(&unwrapped)
        .or_else(|| meet::parse(&unwrapped))
        .or_else(|| teams::parse(&unwrapped))
}

/// Every meeting found in a plain-text or HTML text, in order of first
/// appearance, one entry per meeting.
pub fn find_in_text(text: &str) -> Vec<MeetingLink> {
    let plain = if html::looks_like_html(text) {
        html::html_to_text(text)
    } else {
        text.to_owned()
    };
    let mut found: Vec<MeetingLink> = Vec::new();
    for candidate in scan::candidates(&plain) {
        if let Some(link) = parse_url(&candidate) {
            merge_into(&mut found, link);
        }
    }
    written::complete(&plain, &mut found);
    found
}

/// Adds `link` unless the same meeting is there; a spelling that carries the
/// Zoom `pwd` or a passcode improves the one already found.
fn merge_into(found: &mut Vec<MeetingLink>, link: MeetingLink) {
    match found.iter_mut().find(|f| f.same_meeting(&link)) {
        Some(existing) => {
            if link.url.len() > existing.url.len() && link.url.starts_with(&existing.url) {
                existing.url = link.url;
            }
            if existing.passcode.is_none() {
                existing.passcode = link.passcode;
            }
        }
        None => found.push(link),
    }
}
