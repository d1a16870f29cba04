//! Attendees and response statuses from the JSON of either provider:
//! Google (`email`, `responseStatus`, `self`, `organizer`) and Graph
//! (`emailAddress.address`, `status.response`).

use serde_json::Value;

/// How an attendee answered the invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Accepted.
    Accepted,
    /// Tentatively accepted.
    Tentative,
    /// Declined.
    Declined,
    /// Not answered (or unknown).
    None,
    /// Organizer of the meeting.
    Organizer,
}

impl Response {
    /// Parses either provider's spelling.
    pub fn parse(s: &str) -> Response {
        match s.to_ascii_lowercase().as_str() {
            "accepted" => Response::Accepted,
            "tentative" | "tentativelyaccepted" => Response::Tentative,
            "declined" => Response::Declined,
            "organizer" => Response::Organizer,
            _ => Response::None,
        }
    }
}

/// One attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// Email address, lower-case.
    pub email: String,
    /// Their answer.
    pub response: Response,
    /// Google's `self`: this attendee is the calendar's owner.
    pub is_self: bool,
    /// Google's `organizer` flag.
    pub is_organizer: bool,
}

/// The attendees in a JSON list of either shape; entries without an email
/// address are skipped.
pub fn parse_list(v: &Value) -> Vec<Attendee> {
    v.as_array()
        .map(|items| items.iter().filter_map(parse_one).collect())
        .unwrap_or_default()
}

fn parse_one(v: &Value) -> Option<Attendee> {
    let email = v
        .get("email")
        .and_then(Value::as_str)
        .or_else(|| v.pointer("/emailAddress/address").and_then(Value::as_str))
        .or_else(|| v.get("address").and_then(Value::as_str))?
        .trim()
        .to_ascii_lowercase();
    if email.is_empty() {
        return None;
    }
    let response = v
        .get("responseStatus")
        .and_then(Value::as_str)
        .or_else(|| v.pointer("/status/response").and_then(Value::as_str))
        .or_else(|| v.get("response").and_then(Value::as_str))
        .or_else(|| v.get("status").and_then(Value::as_str))
        .map(Response::parse)
        .unwrap_or(Response::None);
    Some(Attendee {
        email,
        response,
        is_self: v.get("self").and_then(Value::as_bool).unwrap_or(false),
        is_organizer: v.get("organizer").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// The domain of an email address, lower-case.
pub(crate) fn domain_of(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}
