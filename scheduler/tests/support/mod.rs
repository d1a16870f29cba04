//! A fresh migrated SQLite database per test, with helpers to put users,
//! calendar connections and events in it the way the sync stores them.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::{self, Provider};
use mymeet_core::db::entities::{calendar_events, users};
use mymeet_core::db::repo::{self, calendar::NewConnection, calendar::NewEvent};
use sea_orm::DatabaseConnection;
use serde_json::json;
use uuid::Uuid;

/// A migrated database in its own folder (keep the folder alive).
pub async fn db() -> (DatabaseConnection, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = mymeet_core::db::connect_url(&url, Some(8))
        .await
        .unwrap_or_else(|e| panic!("open {url}: {e}"));
    mymeet_core::db::migrate(&db).await.expect("migrate");
    (db, dir)
}

/// A fixed, round "now" for tests.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 5, 9, 0, 0)
        .single()
        .expect("valid date")
}

/// A tenant.
pub async fn tenant(db: &DatabaseConnection) -> Uuid {
    let slug = format!("t{}", Uuid::new_v4().simple());
    repo::tenants::create(db, "Acme", &slug)
        .await
        .expect("tenant")
        .id
}

/// A user with a Google connection of the same address.
pub async fn user_with_calendar(
    db: &DatabaseConnection,
    tenant: Uuid,
    email: &str,
) -> (users::Model, calendar_connections::Model) {
    let user = repo::users::create(db, tenant, email, email)
        .await
        .expect("user");
    let cipher = TokenCipher::from_key_bytes([7; 32]);
    let conn = repo::calendar::create_connection(
        db,
        &cipher,
        NewConnection {
            user_id: user.id,
            provider: Provider::Google,
            account_email: email,
            access_token: "at",
            refresh_token: Some("rt"),
            token_expires_at: None,
            scopes: "calendar.readonly",
        },
    )
    .await
    .expect("connection")
    .model;
    (user, conn)
}

/// An event as the Google sync stores it.
pub struct Ev<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub start: DateTime<Utc>,
    pub minutes: i64,
    pub url: Option<&'a str>,
    pub organizer: &'a str,
    /// (email, responseStatus)
    pub attendees: Vec<(&'a str, &'a str)>,
    pub status: &'a str,
    pub series: Option<&'a str>,
}

impl<'a> Ev<'a> {
    /// A confirmed 30-minute meeting organized by `organizer`.
    pub fn new(id: &'a str, start: DateTime<Utc>, url: &'a str, organizer: &'a str) -> Ev<'a> {
        Ev {
            id,
            title: "Weekly sync",
            start,
            minutes: 30,
            url: Some(url),
            organizer,
            attendees: vec![(organizer, "accepted")],
            status: "confirmed",
            series: None,
        }
    }
}

/// Stores (or updates) an event on `conn`, with the provider JSON.
pub async fn put_event(
    db: &DatabaseConnection,
    conn: &calendar_connections::Model,
    ev: &Ev<'_>,
) -> calendar_events::Model {
    let attendees: Vec<serde_json::Value> = ev
        .attendees
        .iter()
        .map(|(email, resp)| {
            json!({
                "email": email,
                "responseStatus": resp,
                "self": *email == conn.account_email,
                "organizer": *email == ev.organizer,
            })
        })
        .collect();
    let mut raw = json!({
        "kind": "calendar#event",
        "id": ev.id,
        "status": ev.status,
        "summary": ev.title,
        "organizer": {"email": ev.organizer},
        "attendees": attendees,
        "start": {"dateTime": ev.start.to_rfc3339()},
        "end": {"dateTime": (ev.start + Duration::minutes(ev.minutes)).to_rfc3339()},
    });
    if let Some(url) = ev.url {
        raw["location"] = json!(url);
    }
    if let Some(series) = ev.series {
        raw["recurringEventId"] = json!(series);
    }
    repo::calendar::upsert_event(
        db,
        NewEvent {
            connection_id: conn.id,
            provider_event_id: ev.id,
            title: ev.title,
            starts_at: ev.start,
            ends_at: ev.start + Duration::minutes(ev.minutes),
            meeting_url: ev.url,
            organizer_email: Some(ev.organizer),
            attendees: json!(attendees),
            status: ev.status,
            raw,
        },
    )
    .await
    .expect("upsert event")
}
