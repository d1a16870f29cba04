//! Who receives a meeting's report, by `email.recipients`:
//!
//! - `requesters` (default): the users who asked for the bot;
//! - `attendees`: the requesters and everyone invited to the calendar events
//!   that asked for the bot (the organizer included; those who declined and
//!   rooms left out);
//! - `attendees_in_domains`: the requesters and those attendees whose address
//!   is in one of the tenant's domains — `email.domains`, or when that is
//!   empty, the domains of the tenant's users' addresses.

use mymeet_core::config::{EmailConfig, RecipientPolicy};
use mymeet_core::db::repo::{bots, calendar, meetings, scheduling, users, RepoError};
use sea_orm::ConnectionTrait;
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;

/// Why the recipients could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum RecipientsError {
    /// The database failed, or the bot is unknown.
    #[error(transparent)]
    Db(#[from] RepoError),
}

/// The addresses, lower-case and each once, that receive the report of
/// `bot_id`'s meeting under `config.recipients`: requesters first, in the
/// order of their ids, then attendees in the order of the invitations.
pub async fn recipients(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
    config: &EmailConfig,
) -> Result<Vec<String>, RecipientsError> {
    let mut list = AddressList::default();
    for user_id in bots::requesters(db, bot_id).await? {
        list.push(&users::get(db, user_id).await?.email);
    }
    if config.recipients == RecipientPolicy::Requesters {
        return Ok(list.into_vec());
    }
    let links = scheduling::links_for_bot(db, bot_id).await?;
    let event_ids: Vec<Uuid> = links.iter().map(|l| l.event_id).collect();
    let mut invited = Vec::new();
    for event in calendar::get_events(db, &event_ids).await? {
        let stored = attendee_addresses(&event.attendees);
        invited.extend(if stored.is_empty() {
            attendee_addresses(event.raw.get("attendees").unwrap_or(&Value::Null))
        } else {
            stored
        });
        invited.extend(event.organizer_email.as_deref().map(normalize));
    }
    let domains = match config.recipients {
        RecipientPolicy::AttendeesInDomains => Some(tenant_domains(db, bot_id, config).await?),
        _ => None,
    };
    for address in invited {
        let allowed = match &domains {
            Some(domains) => domain_of(&address).is_some_and(|d| domains.contains(&d)),
            None => true,
        };
        if allowed {
            list.push(&address);
        }
    }
    Ok(list.into_vec())
}

/// The tenant's own domains: configured, or those of its users' addresses.
async fn tenant_domains(
    db: &impl ConnectionTrait,
    bot_id: Uuid,
    config: &EmailConfig,
) -> Result<HashSet<String>, RepoError> {
    if !config.domains.is_empty() {
        return Ok(config
            .domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .collect());
    }
    let bot = bots::get(db, bot_id).await?;
    let meeting = meetings::get(db, bot.meeting_id).await?;
    Ok(users::list_for_tenant(db, meeting.tenant_id)
        .await?
        .iter()
        .filter_map(|u| domain_of(&u.email))
        .collect())
}

/// Addresses in insertion order, each once.
#[derive(Default)]
struct AddressList {
    seen: HashSet<String>,
    order: Vec<String>,
}

impl AddressList {
    fn push(&mut self, address: &str) {
        let address = normalize(address);
        if !address.is_empty() && self.seen.insert(address.clone()) {
            self.order.push(address);
        }
    }

    fn into_vec(self) -> Vec<String> {
        self.order
    }
}

fn normalize(address: &str) -> String {
    address.trim().to_lowercase()
}

/// The domain of an address, lower-case.
fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}

/// The addresses of the people in a provider's attendee list — Google
/// (`email`, `responseStatus`, `resource`) or Microsoft Graph
/// (`emailAddress.address`, `status.response`, `type`) — without those who
/// declined and without rooms and other resources.
pub(crate) fn attendee_addresses(list: &Value) -> Vec<String> {
    let Some(items) = list.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|a| {
            let response = a
                .get("responseStatus")
                .and_then(Value::as_str)
                .or_else(|| a.pointer("/status/response").and_then(Value::as_str))
                .or_else(|| a.get("response").and_then(Value::as_str))
                .unwrap_or("");
            let resource = a.get("resource").and_then(Value::as_bool) == Some(true)
                || a.get("type").and_then(Value::as_str) == Some("resource");
            !response.eq_ignore_ascii_case("declined") && !resource
        })
        .filter_map(|a| {
            a.get("email")
                .and_then(Value::as_str)
                .or_else(|| a.pointer("/emailAddress/address").and_then(Value::as_str))
                .or_else(|| a.get("address").and_then(Value::as_str))
        })
        .map(normalize)
        .filter(|a| a.contains('@'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn google_and_graph_attendees() {
        let google = json!([
            {"email": "Ann@Example.com", "responseStatus": "accepted"},
            {"email": "bob@other.org", "responseStatus": "declined"},
            {"email": "room-1@resource.calendar.google.com", "resource": true},
            {"email": "carl@example.com"},
            {"displayName": "no address"}
        ]);
        assert_eq!(
            attendee_addresses(&google),
            ["ann@example.com", "carl@example.com"]
        );
        let graph = json!([
            {"emailAddress": {"address": "dora@example.com"}, "status": {"response": "tentativelyAccepted"}, "type": "required"},
            {"emailAddress": {"address": "eve@example.com"}, "status": {"response": "declined"}},
            {"emailAddress": {"address": "hall@example.com"}, "type": "resource"}
        ]);
        assert_eq!(attendee_addresses(&graph), ["dora@example.com"]);
        assert!(attendee_addresses(&Value::Null).is_empty());
    }

    #[test]
    fn address_list_dedupes_in_order() {
        let mut l = AddressList::default();
        for a in ["b@x", "A@x", " b@x ", "", "a@x"] {
            l.push(a);
        }
        assert_eq!(l.into_vec(), ["b@x", "a@x"]);
    }
}
