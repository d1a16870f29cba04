//! One world per test: a migrated SQLite database in its own folder, the
//! in-process bus on it, the provider stand-ins, and the real API serving on
//! a free loopback port whose address is `calendars.public_url` (so OAuth
//! redirects and push addresses lead back to it).
#![allow(dead_code)]

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use mymeet_api::AppState;
use mymeet_core::bus::{consume, SharedBus};
use mymeet_core::config::{BusConfig, CalendarsConfig, Secret};
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{self, calendar, calendar::NewConnection};
use mymeet_core::db::Db;
use mymeet_providers_stub::ProviderStub;
use mymeet_scheduler::sync::{calendar_changed_queue, CalendarSync, SyncOnChange};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::oneshot;
use uuid::Uuid;

pub struct World {
    pub db: Db,
    pub bus: SharedBus,
    pub stub: ProviderStub,
    pub cipher: TokenCipher,
    pub config: CalendarsConfig,
    /// `http://127.0.0.1:PORT` of the API.
    pub api: String,
    pub tenant: Uuid,
    /// Follows no redirects, so that tests see each hop.
    pub http: reqwest::Client,
    stop: Vec<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

/// Both providers configured at the stub, push notifications as asked.
pub async fn world(push: bool) -> World {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = mymeet_core::db::connect_url(&url, Some(8))
        .await
        .expect("open db");
    mymeet_core::db::migrate(&db).await.expect("migrate");
    let bus = mymeet_core::bus::open(&BusConfig::default(), &db)
        .await
        .expect("in-process bus");
    let stub = ProviderStub::start().await.expect("provider stub");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let api = format!("http://{}", listener.local_addr().expect("addr"));
    let mut config = CalendarsConfig {
        public_url: api.clone(),
        after_connect_url: "https://app.example.com/settings/calendars".into(),
        ..CalendarsConfig::default()
    };
    config.google.client_id = "test-client.apps.googleusercontent.com".into();
    config.google.client_secret = Some(Secret::new("google-secret"));
    config.google.auth_url = stub.google_auth_url();
    config.google.token_url = stub.google_token_url();
    config.google.revoke_url = stub.google_revoke_url();
    config.google.api_base_url = stub.google_api_base_url();
    config.google.api_root_url = stub.google_api_root_url();
    config.google.push_notifications = push;
    config.microsoft.client_id = "00000000-0000-0000-0000-000000000001".into();
    config.microsoft.client_secret = Some(Secret::new("ms-secret"));
    config.microsoft.auth_url = stub.microsoft_auth_url();
    config.microsoft.token_url = stub.microsoft_token_url();
    config.microsoft.graph_url = stub.graph_url();
    config.microsoft.push_notifications = push;
    config.sync.connection_timeout_secs = 20;
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    let cipher = TokenCipher::from_key_bytes(key);
    let state =
        AppState::new(db.clone(), bus.clone(), cipher.clone(), config.clone()).expect("app state");
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(mymeet_api::serve(listener, state, async {
        let _ = rx.await;
    }));
    let tenant = repo::tenants::create(&db, "Acme", &format!("acme-{}", Uuid::new_v4()))
        .await
        .expect("tenant")
        .id;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    World {
        db,
        bus,
        stub,
        cipher,
        config,
        api,
        tenant,
        http,
        stop: vec![tx],
        _dir: dir,
    }
}

impl World {
    /// A sync engine over this world's database and providers.
    pub fn sync(&self) -> CalendarSync {
        CalendarSync::new(self.db.clone(), self.cipher.clone(), self.config.clone())
            .expect("sync engine")
    }

    /// Runs the scheduler's `calendar.changed` consumer until the world ends.
    pub fn run_sync_consumer(&mut self) {
        let (tx, rx) = oneshot::channel::<()>();
        let handler = Arc::new(SyncOnChange::new(self.sync()));
        tokio::spawn(consume(
            self.bus.clone(),
            calendar_changed_queue(),
            handler,
            2,
            async {
                let _ = rx.await;
            },
        ));
        self.stop.push(tx);
    }

    /// A user of the tenant.
    pub async fn user(&self, email: &str) -> Uuid {
        repo::users::create(&self.db, self.tenant, email, email)
            .await
            .expect("user")
            .id
    }

    /// A user whose account at the stub is connected with fresh tokens
    /// (as the callback stores them): (user, connection, refresh token).
    pub async fn connected(&self, provider: Provider, email: &str) -> (Uuid, Uuid, String) {
        let stub_provider = match provider {
            Provider::Google => {
                self.stub.state().add_google_account(email);
                mymeet_providers_stub::Provider::Google
            }
            Provider::Microsoft => {
                self.stub.state().add_microsoft_account(email);
                mymeet_providers_stub::Provider::Microsoft
            }
        };
        let (access, refresh) = self.stub.state().issue_tokens(stub_provider, email);
        let user = self.user(email).await;
        let conn = calendar::create_connection(
            &self.db,
            &self.cipher,
            NewConnection {
                user_id: user,
                provider,
                account_email: email,
                access_token: &access,
                refresh_token: Some(&refresh),
                token_expires_at: Some(Utc::now() + Duration::minutes(50)),
                scopes: "calendar.readonly",
            },
        )
        .await
        .expect("connection")
        .model
        .id;
        (user, conn, refresh)
    }

    /// A user token for `user`, valid ten minutes.
    pub fn token(&self, user: Uuid) -> String {
        mymeet_api::user_token::issue(&self.cipher, user, Duration::minutes(10))
    }

    /// Waits (up to 15 s) until `check` holds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while !check().await {
            assert!(std::time::Instant::now() < deadline, "timed out: {what}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for tx in self.stop.drain(..) {
            let _ = tx.send(());
        }
    }
}

/// A whole hour `hours` from now.
pub fn at(hours: i64) -> DateTime<Utc> {
    let t = Utc::now() + Duration::hours(hours);
    DateTime::from_timestamp(t.timestamp() - t.timestamp() % 3600, 0).expect("time")
}

/// A Calendar v3 event with a Meet link, organized by the calendar's owner.
pub fn google_event(id: &str, owner: &str, start: DateTime<Utc>, meet: &str) -> Value {
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "kind": "calendar#event",
        "id": id,
        "status": "confirmed",
        "summary": format!("Meeting {id}"),
        "organizer": {"email": owner, "self": true},
        "creator": {"email": owner},
        "start": {"dateTime": rfc(start), "timeZone": "UTC"},
        "end": {"dateTime": rfc(start + Duration::minutes(30)), "timeZone": "UTC"},
        "hangoutLink": format!("https://meet.google.com/{meet}"),
        "attendees": [
            {"email": owner, "self": true, "organizer": true, "responseStatus": "accepted"},
            {"email": "guest@partner.org", "responseStatus": "accepted"}
        ],
        "eventType": "default"
    })
}

/// The value of `key` in a URL's query.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// `base?k=v&…`, percent-encoded.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    format!("{base}?{}", q.finish())
}
