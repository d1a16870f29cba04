//! The join pages: plain HTML with inline scripts, one set per platform style.

use crate::config::StyleFlags;

const COMMON_JS: &str = include_str!("common.js");
const MEET: &str = include_str!("meet.html");
const TEAMS: &str = include_str!("teams.html");
const ZOOM_LAUNCH: &str = include_str!("zoom_launch.html");
const ZOOM_CLIENT: &str = include_str!("zoom_client.html");
/// Zoom's page while the host has not started the meeting, or for an unknown meeting.
pub const ZOOM_ERROR: &str = include_str!("zoom_error.html");
/// Meet's page for an unknown meeting code.
pub const MEET_NOT_FOUND: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Meet</title></head><body><h1>Check your meeting code</h1><p>Make sure you entered the correct meeting code in the URL, for example: https://meet.google.com/xxx-yyyy-zzz</p><button>Return to home screen</button></body></html>";

/// Escapes text for an HTML attribute or element.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn boot(meeting_id: &str, flags: StyleFlags) -> String {
    let json = serde_json::json!({ "meeting_id": meeting_id, "blocked": flags.blocked });
    // `<` cannot close the inline script when escaped.
    json.to_string().replace('<', "\\u003c")
}

fn fill(template: &str, meeting_id: &str, flags: StyleFlags) -> String {
    template
        .replace("{{COMMON_JS}}", COMMON_JS)
        .replace("{{BOOT}}", &boot(meeting_id, flags))
}

/// The Meet guest page (prejoin, lobby, call, end screens).
pub fn meet(code: &str, flags: StyleFlags) -> String {
    fill(MEET, code, flags)
}

/// The Teams page: launcher, prejoin, lobby, call, end screens.
pub fn teams(thread: &str, flags: StyleFlags) -> String {
    fill(TEAMS, thread, flags)
}

/// Zoom's `/j/<id>` launcher, which links to the web client.
pub fn zoom_launch(web_client_url: &str) -> String {
    ZOOM_LAUNCH.replace("{{WC_URL}}", &html_escape(web_client_url))
}

/// Zoom's web client at `/wc/<id>/join`.
pub fn zoom_client(id: &str, flags: StyleFlags) -> String {
    fill(ZOOM_CLIENT, id, flags)
}
