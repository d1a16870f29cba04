//! sea-orm entities, one module per table.
//!
//! Field names follow the columns of migration `m0001_domain`. Secrets are
//! stored sealed by [`crate::crypto::TokenCipher`]; the repositories in
//! [`crate::db::repo`] seal and open them.

pub mod api_keys;
pub mod auto_join_rules;
pub mod bot_calendar_events;
pub mod bot_requesters;
pub mod bot_transitions;
pub mod bots;
pub mod calendar_connections;
pub mod calendar_events;
pub mod calendar_sources;
pub mod calendar_sync_status;
pub mod deliveries;
pub mod event_overrides;
pub mod meetings;
pub mod oauth_states;
pub mod recordings;
pub mod report_templates;
pub mod reports;
pub mod scheduler_leases;
pub mod tenants;
pub mod transcript_segments;
pub mod transcripts;
pub mod users;
pub mod webhook_deliveries;
pub mod webhooks;

/// The entities under short names, for `use mymeet_core::db::entities::prelude::*`.
pub mod prelude {
    pub use super::api_keys::Entity as ApiKeys;
    pub use super::bot_requesters::Entity as BotRequesters;
    pub use super::bot_transitions::Entity as BotTransitions;
    pub use super::bots::Entity as Bots;
    pub use super::calendar_connections::Entity as CalendarConnections;
    pub use super::calendar_events::Entity as CalendarEvents;
    pub use super::deliveries::Entity as Deliveries;
    pub use super::meetings::Entity as Meetings;
    pub use super::recordings::Entity as Recordings;
    pub use super::report_templates::Entity as ReportTemplates;
    pub use super::reports::Entity as Reports;
    pub use super::tenants::Entity as Tenants;
    pub use super::transcript_segments::Entity as TranscriptSegments;
    pub use super::transcripts::Entity as Transcripts;
    pub use super::users::Entity as Users;
    pub use super::webhook_deliveries::Entity as WebhookDeliveries;
    pub use super::webhooks::Entity as Webhooks;
}
