//! `[calendars]`: connecting Google and Microsoft calendars and keeping them in sync.
//!
//! Every provider endpoint is a key, so tests and air-gapped installs can
//! point them at local servers; the defaults are the real services.

use super::Secret;
use serde::{Deserialize, Serialize};

/// `[calendars]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarsConfig {
    /// The public base URL of this server (OAuth callbacks and push
    /// notifications are built from it), e.g. `https://mymeet.example.com`.
    pub public_url: String,
    /// Where the browser goes after a calendar was connected (or failed to).
    pub after_connect_url: String,
    /// `[calendars.google]`.
    pub google: GoogleCalendarConfig,
    /// `[calendars.microsoft]`.
    pub microsoft: MicrosoftCalendarConfig,
    /// `[calendars.sync]`.
    pub sync: CalendarSyncConfig,
}

impl Default for CalendarsConfig {
    fn default() -> Self {
        CalendarsConfig {
            public_url: "http://127.0.0.1:8080".into(),
            after_connect_url: "/".into(),
            google: GoogleCalendarConfig::default(),
            microsoft: MicrosoftCalendarConfig::default(),
            sync: CalendarSyncConfig::default(),
        }
    }
}

/// `[calendars.google]`: the OAuth client and the Calendar v3 endpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GoogleCalendarConfig {
    /// OAuth client id; empty disables Google.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Option<Secret>,
    /// Authorization endpoint.
    pub auth_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Token revocation endpoint.
    pub revoke_url: String,
    /// Calendar v3 base URL (ends with `/`).
    pub api_base_url: String,
    /// API root URL (ends with `/`), used for `channels.stop`.
    pub api_root_url: String,
    /// Scopes asked for, space-separated.
    pub scopes: String,
    /// Ask Google to push changes (watch channels); needs a public HTTPS `public_url`.
    pub push_notifications: bool,
}

impl Default for GoogleCalendarConfig {
    fn default() -> Self {
        GoogleCalendarConfig {
            client_id: String::new(),
            client_secret: None,
            auth_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_url: "https://oauth2.googleapis.com/token".into(),
            revoke_url: "https://oauth2.googleapis.com/revoke".into(),
            api_base_url: "https://www.googleapis.com/calendar/v3/".into(),
            api_root_url: "https://www.googleapis.com/".into(),
            scopes: "openid email https://www.googleapis.com/auth/calendar.readonly".into(),
            push_notifications: false,
        }
    }
}

/// `[calendars.microsoft]`: the Entra ID app and the Graph endpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MicrosoftCalendarConfig {
    /// Application (client) id; empty disables Microsoft.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Option<Secret>,
    /// Authorization endpoint (`common` tenant by default).
    pub auth_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Graph base URL, e.g. `https://graph.microsoft.com/v1.0`.
    pub graph_url: String,
    /// Scopes asked for, space-separated.
    pub scopes: String,
    /// Ask Graph to push changes (subscriptions); needs a public HTTPS `public_url`.
    pub push_notifications: bool,
}

impl Default for MicrosoftCalendarConfig {
    fn default() -> Self {
        MicrosoftCalendarConfig {
            client_id: String::new(),
            client_secret: None,
            auth_url: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize".into(),
            token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token".into(),
            graph_url: "https://graph.microsoft.com/v1.0".into(),
            scopes: "openid email offline_access Calendars.Read".into(),
            push_notifications: false,
        }
    }
}

/// `[calendars.sync]`: how often and how widely calendars are synced.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarSyncConfig {
    /// Connections synced at the same time.
    pub parallelism: usize,
    /// Seconds one connection may take before it is abandoned for this round.
    pub connection_timeout_secs: u64,
    /// Seconds between polling rounds (push notifications trigger extra syncs).
    pub poll_interval_secs: u64,
    /// Days before now that recurring events are expanded over.
    pub window_past_days: i64,
    /// Days after now that recurring events are expanded over.
    pub window_future_days: i64,
    /// Attempts of one request answered 429/503 before the connection is left for the next round.
    pub max_attempts: u32,
    /// Refresh access tokens this many seconds before they expire.
    pub refresh_margin_secs: i64,
}

impl Default for CalendarSyncConfig {
    fn default() -> Self {
        CalendarSyncConfig {
            parallelism: 32,
            connection_timeout_secs: 60,
            poll_interval_secs: 300,
            window_past_days: 1,
            window_future_days: 30,
            max_attempts: 4,
            refresh_margin_secs: 300,
        }
    }
}
