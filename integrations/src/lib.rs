//! Everything that talks to someone else's system: OAuth2, Google Calendar,
//! Microsoft Graph, meeting-link parsing, SMTP email and outgoing webhooks.
//!
//! Depends only on `mymeet-core`. The calendars and scheduler issue fills it.

pub mod google;
pub mod links;
pub mod microsoft;
pub mod oauth;
