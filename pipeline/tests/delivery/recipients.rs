//! Recipient policies computed from the database.

use crate::delivery_support::{fixture, TestDb};
use chrono::{TimeZone, Utc};
use mymeet_core::config::{EmailConfig, RecipientPolicy};
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{bots, calendar, scheduling, users};
use mymeet_pipeline::delivery::recipients;
use serde_json::json;

fn policy(recipients: RecipientPolicy, domains: &[&str]) -> EmailConfig {
    EmailConfig {
        recipients,
        domains: domains.iter().map(|d| d.to_string()).collect(),
        ..EmailConfig::default()
    }
}

#[tokio::test]
async fn requesters_by_default() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "Ann@Acme.test").await;
    let bob = users::create(&t.db, f.tenant_id, "bob@acme.test", "Bob")
        .await
        .expect("user");
    users::create(&t.db, f.tenant_id, "carl@acme.test", "Carl")
        .await
        .expect("a user who did not ask");
    bots::add_requester(&t.db, f.bot_id, bob.id)
        .await
        .expect("requester");
    let mut got = recipients(&t.db, f.bot_id, &EmailConfig::default())
        .await
        .expect("recipients");
    got.sort();
    assert_eq!(got, ["ann@acme.test", "bob@acme.test"]);
}

#[tokio::test]
async fn attendees_and_attendees_in_domains() {
    let t = TestDb::sqlite().await;
    let f = fixture(&t.db, "ann@acme.test").await;
    let cipher = TokenCipher::from_key_bytes([7; 32]);
    let conn = calendar::create_connection(
        &t.db,
        &cipher,
        calendar::NewConnection {
            user_id: f.requester_id,
            provider: Provider::Google,
            account_email: "ann@acme.test",
            access_token: "token",
            refresh_token: None,
            token_expires_at: None,
            scopes: "calendar",
        },
    )
    .await
    .expect("connection")
    .model;
    let starts_at = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap();
    let event = calendar::upsert_event(
        &t.db,
        calendar::NewEvent {
            connection_id: conn.id,
            provider_event_id: "ev1",
            title: "Weekly sync",
            starts_at,
            ends_at: starts_at + chrono::Duration::minutes(30),
            meeting_url: Some("https://meet.google.com/abc-defg-hij"),
            organizer_email: Some("Olga@Partner.org"),
            attendees: json!([
                {"email": "ann@acme.test", "responseStatus": "accepted", "self": true},
                {"email": "dave@acme.test", "responseStatus": "needsAction"},
                {"email": "erin@partner.org", "responseStatus": "tentative"},
                {"email": "frank@acme.test", "responseStatus": "declined"},
                {"email": "big-room@resource.calendar.google.com", "resource": true}
            ]),
            status: "confirmed",
            raw: json!({}),
        },
    )
    .await
    .expect("event");
    scheduling::link_event(&t.db, f.bot_id, event.id, f.requester_id, true)
        .await
        .expect("link");

    let all = recipients(&t.db, f.bot_id, &policy(RecipientPolicy::Attendees, &[]))
        .await
        .expect("attendees");
    assert_eq!(
        all,
        [
            "ann@acme.test",
            "dave@acme.test",
            "erin@partner.org",
            "olga@partner.org"
        ]
    );

    // The tenant's domains are its users' domains: acme.test only.
    let inside = recipients(
        &t.db,
        f.bot_id,
        &policy(RecipientPolicy::AttendeesInDomains, &[]),
    )
    .await
    .expect("in domains");
    assert_eq!(inside, ["ann@acme.test", "dave@acme.test"]);

    // Configured domains replace them; the requester always gets the report.
    let partner = recipients(
        &t.db,
        f.bot_id,
        &policy(RecipientPolicy::AttendeesInDomains, &["@Partner.org"]),
    )
    .await
    .expect("configured domains");
    assert_eq!(
        partner,
        ["ann@acme.test", "erin@partner.org", "olga@partner.org"]
    );

    let only_requesters = recipients(&t.db, f.bot_id, &policy(RecipientPolicy::Requesters, &[]))
        .await
        .expect("requesters");
    assert_eq!(only_requesters, ["ann@acme.test"]);
}
