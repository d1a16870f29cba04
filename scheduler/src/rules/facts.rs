//! What the rules look at, gathered from a stored calendar event and the
//! user whose calendar it is.

use super::attendees::{domain_of, parse_list, Attendee, Response};
use mymeet_core::db::entities::calendar_events;
use mymeet_integrations::links::{self, MeetingLink};
use serde_json::Value;

/// An event that cannot be judged.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// The user has no usable email address.
    #[error("user email {0:?} has no domain")]
    NoDomain(String),
}

/// The facts of one event as seen by one user.
#[derive(Debug, Clone)]
pub struct EventFacts {
    /// The title.
    pub title: String,
    /// The meeting it points at, normalized.
    pub link: Option<MeetingLink>,
    /// Cancelled by the organizer (or this instance of a series cancelled).
    pub cancelled: bool,
    /// The user organizes it.
    pub organized_by_user: bool,
    /// The user's answer.
    pub response: Response,
    /// Someone outside the user's email domain(s) takes part.
    pub has_external: bool,
    /// The recurring series it belongs to, if any.
    pub series_id: Option<String>,
}

impl EventFacts {
    /// Gathers the facts of `event` for the user known by `emails` (their
    /// account and calendar addresses).
    pub fn of(event: &calendar_events::Model, emails: &[&str]) -> Result<EventFacts, FactsError> {
        let emails: Vec<String> = emails
            .iter()
            .map(|e| e.trim().to_ascii_lowercase())
            .collect();
        let domains: Vec<String> = emails.iter().filter_map(|e| domain_of(e)).collect();
        if domains.is_empty() {
            return Err(FactsError::NoDomain(emails.join(", ")));
        }
        let raw = &event.raw;
        let attendees: Vec<Attendee> = {
            let stored = parse_list(&event.attendees);
            if stored.is_empty() {
                parse_list(raw.get("attendees").unwrap_or(&Value::Null))
            } else {
                stored
            }
        };
        let organizer = event
            .organizer_email
            .as_deref()
            .map(|e| e.trim().to_ascii_lowercase())
            .or_else(|| {
                raw.pointer("/organizer/email")
                    .or_else(|| raw.pointer("/organizer/emailAddress/address"))
                    .and_then(Value::as_str)
                    .map(str::to_ascii_lowercase)
            });
        let organized_by_user = organizer.as_ref().is_some_and(|o| emails.contains(o))
            || raw.pointer("/organizer/self").and_then(Value::as_bool) == Some(true)
            || raw.get("isOrganizer").and_then(Value::as_bool) == Some(true);
        let me = attendees
            .iter()
            .find(|a| a.is_self || emails.contains(&a.email));
        let response = if organized_by_user {
            Response::Organizer
        } else if let Some(r) = raw
            .pointer("/responseStatus/response")
            .and_then(Value::as_str)
        {
            // Graph: the calendar owner's own answer.
            Response::parse(r)
        } else {
            me.map(|a| a.response).unwrap_or(Response::None)
        };
        let has_external = attendees
            .iter()
            .map(|a| a.email.as_str())
            .chain(organizer.as_deref())
            .filter_map(domain_of)
            .any(|d| !domains.contains(&d));
        let status = event.status.to_ascii_lowercase();
        let cancelled = status == "cancelled"
            || status == "canceled"
            || raw.get("isCancelled").and_then(Value::as_bool) == Some(true);
        let link = event
            .meeting_url
            .as_deref()
            .and_then(links::parse_url)
            .or_else(|| links::from_event_json(raw));
        let series_id = raw
            .get("recurringEventId")
            .or_else(|| raw.get("seriesMasterId"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(EventFacts {
            title: event.title.clone(),
            link,
            cancelled,
            organized_by_user,
            response,
            has_external,
            series_id,
        })
    }
}
