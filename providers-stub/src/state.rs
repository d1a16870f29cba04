//! What the stub knows: accounts, issued tokens, calendars, events, push
//! channels, pending faults, and the log of requests it answered.

use crate::faults::Fault;
use crate::store::EventStore;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Google or Microsoft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// Google accounts and Calendar v3.
    Google,
    /// Microsoft identity platform and Graph.
    Microsoft,
}

/// A request the stub answered, for tests to check timing and order.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// When it arrived.
    pub at: Instant,
    /// The account whose token it carried (empty for OAuth endpoints).
    pub account: String,
    /// `GET /calendar/v3/...`.
    pub line: String,
    /// The status answered.
    pub status: u16,
}

/// An authorization code handed out at the authorize endpoint.
#[derive(Debug, Clone)]
pub(crate) struct IssuedCode {
    pub provider: Provider,
    pub account: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
}

/// An access token and who it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub account: String,
    pub expires: Instant,
}

/// A Google watch channel.
#[derive(Debug, Clone)]
pub struct GoogleChannel {
    /// The id the client chose.
    pub id: String,
    /// Google's id of the watched resource.
    pub resource_id: String,
    /// Where notifications go.
    pub address: String,
    /// The client's token echoed in notifications.
    pub token: Option<String>,
    /// Expiry, ms since the epoch.
    pub expiration_ms: i64,
    /// The account watched.
    pub account: String,
}

/// A Graph change-notification subscription.
#[derive(Debug, Clone)]
pub struct GraphSubscription {
    /// Its id.
    pub id: String,
    /// The account.
    pub account: String,
    /// The subscription JSON as last answered.
    pub json: Value,
}

/// Everything the stub holds.
#[derive(Debug)]
pub struct StubState {
    pub(crate) base_url: String,
    pub(crate) codes: HashMap<String, IssuedCode>,
    pub(crate) access: HashMap<String, AccessGrant>,
    /// Refresh token → (provider, account).
    pub(crate) refresh: HashMap<String, (Provider, String)>,
    /// Which account consents at the next authorize request, per provider.
    pub(crate) next_consent: HashMap<Provider, String>,
    /// Google calendars per account: id → (summary, accessRole, primary).
    pub(crate) google_calendars: HashMap<String, BTreeMap<String, (String, String, bool)>>,
    /// Events per (account, calendar id); Microsoft uses calendar id `""`.
    pub(crate) events: HashMap<(String, String), EventStore>,
    pub(crate) faults: HashMap<String, VecDeque<Fault>>,
    pub(crate) channels: HashMap<String, GoogleChannel>,
    pub(crate) subscriptions: HashMap<String, GraphSubscription>,
    /// Access tokens live this long.
    pub access_ttl: Duration,
    /// Items per page of event listings.
    pub page_size: usize,
    /// Every request answered, oldest first (off when `false`, for benchmarks).
    pub log_requests: bool,
    pub(crate) log: Vec<SeenRequest>,
    pub(crate) counter: u64,
}

impl StubState {
    pub(crate) fn new(base_url: String) -> StubState {
        StubState {
            base_url,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            next_consent: HashMap::new(),
            google_calendars: HashMap::new(),
            events: HashMap::new(),
            faults: HashMap::new(),
            channels: HashMap::new(),
            subscriptions: HashMap::new(),
            access_ttl: Duration::from_secs(3600),
            page_size: 50,
            log_requests: true,
            log: Vec::new(),
            counter: 0,
        }
    }

    pub(crate) fn next_id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}-{}", self.counter, uuid::Uuid::new_v4().simple())
    }

    /// Adds a Google account with its primary calendar (id = the email).
    pub fn add_google_account(&mut self, email: &str) {
        self.google_calendars
            .entry(email.to_owned())
            .or_default()
            .insert(email.to_owned(), (email.to_owned(), "owner".into(), true));
        self.events
            .entry((email.to_owned(), email.to_owned()))
            .or_default();
        self.next_consent
            .entry(Provider::Google)
            .or_insert_with(|| email.to_owned());
    }

    /// Adds another calendar to a Google account.
    pub fn add_google_calendar(
        &mut self,
        email: &str,
        calendar_id: &str,
        summary: &str,
        access_role: &str,
    ) {
        self.google_calendars
            .entry(email.to_owned())
            .or_default()
            .insert(
                calendar_id.to_owned(),
                (summary.to_owned(), access_role.to_owned(), false),
            );
        self.events
            .entry((email.to_owned(), calendar_id.to_owned()))
            .or_default();
    }

    /// Adds a Microsoft account.
    pub fn add_microsoft_account(&mut self, email: &str) {
        self.events
            .entry((email.to_owned(), String::new()))
            .or_default();
        self.next_consent
            .entry(Provider::Microsoft)
            .or_insert_with(|| email.to_owned());
    }

    /// The account that consents at the next authorize request.
    pub fn consent_as(&mut self, provider: Provider, email: &str) {
        self.next_consent.insert(provider, email.to_owned());
    }

    /// Gives `email` tokens directly (as if it had connected): (access, refresh).
    pub fn issue_tokens(&mut self, provider: Provider, email: &str) -> (String, String) {
        let access = self.next_id("at-");
        let refresh = self.next_id("rt-");
        self.access.insert(
            access.clone(),
            AccessGrant {
                account: email.to_owned(),
                expires: Instant::now() + self.access_ttl,
            },
        );
        self.refresh
            .insert(refresh.clone(), (provider, email.to_owned()));
        (access, refresh)
    }

    /// Makes every token of `email` invalid (the user revoked access).
    pub fn revoke_account(&mut self, email: &str) {
        self.refresh.retain(|_, (_, a)| a != email);
        self.access.retain(|_, g| g.account != email);
    }

    /// Expires every access token of `email` now (refresh tokens stay valid).
    pub fn expire_access_tokens(&mut self, email: &str) {
        self.access.retain(|_, g| g.account != email);
    }

    /// True when `refresh_token` is still valid.
    pub fn refresh_token_valid(&self, refresh_token: &str) -> bool {
        self.refresh.contains_key(refresh_token)
    }

    /// The events of a calendar (Microsoft: `calendar_id = ""`), created on first use.
    pub fn calendar(&mut self, email: &str, calendar_id: &str) -> &mut EventStore {
        self.events
            .entry((email.to_owned(), calendar_id.to_owned()))
            .or_default()
    }

    /// Queues a fault for the next requests of `email`'s API calls.
    pub fn push_fault(&mut self, email: &str, fault: Fault) {
        self.faults
            .entry(email.to_owned())
            .or_default()
            .push_back(fault);
    }

    pub(crate) fn take_fault(&mut self, email: &str) -> Option<Fault> {
        self.faults.get_mut(email)?.pop_front()
    }

    /// Requests answered so far.
    pub fn requests(&self) -> &[SeenRequest] {
        &self.log
    }

    /// Requests answered for `email` so far.
    pub fn requests_of(&self, email: &str) -> Vec<SeenRequest> {
        self.log
            .iter()
            .filter(|r| r.account == email)
            .cloned()
            .collect()
    }

    pub(crate) fn record(&mut self, account: &str, line: String, status: u16) {
        if self.log_requests {
            self.log.push(SeenRequest {
                at: Instant::now(),
                account: account.to_owned(),
                line,
                status,
            });
        }
    }

    /// The Google watch channels opened.
    pub fn google_channels(&self) -> Vec<GoogleChannel> {
        self.channels.values().cloned().collect()
    }

    /// The Google watch channel `id`.
    pub fn google_channel(&self, id: &str) -> Option<GoogleChannel> {
        self.channels.get(id).cloned()
    }

    /// The Graph subscriptions.
    pub fn graph_subscriptions(&self) -> Vec<GraphSubscription> {
        self.subscriptions.values().cloned().collect()
    }

    /// The account an access token belongs to, if valid.
    pub(crate) fn account_of(&self, access_token: &str) -> Option<String> {
        self.access
            .get(access_token)
            .filter(|g| g.expires > Instant::now())
            .map(|g| g.account.clone())
    }
}
