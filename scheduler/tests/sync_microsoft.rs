//! Microsoft calendar sync against the local Graph stand-in through
//! graph-rs-sdk: a first `calendarView/delta` round, then delta rounds with
//! an exception moved, an occurrence removed and Teams links.

use chrono::{DateTime, Duration, Utc};
use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{self, calendar, calendar::NewConnection};
use mymeet_providers_stub::{Fault, ProviderStub};
use mymeet_scheduler::sync::{CalendarSync, SyncOutcome};
use serde_json::{json, Value};
use uuid::Uuid;

fn at(hours: i64) -> DateTime<Utc> {
    let t = Utc::now() + Duration::hours(hours);
    DateTime::from_timestamp(t.timestamp() - t.timestamp() % 3600, 0).expect("time")
}

fn graph_time(t: DateTime<Utc>) -> Value {
    json!({"dateTime": t.format("%Y-%m-%dT%H:%M:%S.0000000").to_string(), "timeZone": "UTC"})
}

fn event(id: &str, kind: &str, subject: &str, start: DateTime<Utc>) -> Value {
    let join = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NTg0NmQ3NTctZDVkZC00YzRhLThmNmEtOGQ3M2E0ODdmZDZk%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22550fae72-d251-43ec-868c-373732c2704f%22%7d";
    json!({
        "@odata.etag": "W/\"ZlnW4RIAV06KYYwlrfNZvQAAKGWwbw==\"",
        "id": id,
        "subject": subject,
        "type": kind,
        "seriesMasterId": if kind == "singleInstance" { Value::Null } else { json!("AAMkSeriesMaster=") },
        "isCancelled": false,
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness",
        "onlineMeeting": {"joinUrl": join},
        "body": {"contentType": "html", "content": "<html><body>Agenda</body></html>"},
        "start": graph_time(start),
        "end": graph_time(start + Duration::minutes(45)),
        "location": {"displayName": "Microsoft Teams Meeting", "locationType": "default"},
        "responseStatus": {"response": "accepted", "time": "2026-01-05T10:00:00Z"},
        "organizer": {"emailAddress": {"name": "Boss", "address": "boss@contoso.com"}},
        "attendees": [
            {"type": "required", "status": {"response": "accepted", "time": "2026-01-05T10:00:00Z"}, "emailAddress": {"name": "Ann", "address": "ann@contoso.com"}},
            {"type": "optional", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}, "emailAddress": {"name": "Guest", "address": "guest@fabrikam.com"}}
        ]
    })
}

#[tokio::test]
async fn delta_rounds_with_series_exceptions_and_removals() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = mymeet_core::db::connect_url(&url, Some(8))
        .await
        .expect("db");
    mymeet_core::db::migrate(&db).await.expect("migrate");
    let stub = ProviderStub::start().await.expect("stub");
    let mut config = CalendarsConfig::default();
    config.microsoft.client_id = "00000000-0000-0000-0000-000000000001".into();
    config.microsoft.auth_url = stub.microsoft_auth_url();
    config.microsoft.token_url = stub.microsoft_token_url();
    config.microsoft.graph_url = stub.graph_url();
    let cipher = TokenCipher::from_key_bytes([5u8; 32]);
    let sync = CalendarSync::new(db.clone(), cipher.clone(), config).expect("engine");
    let email = "ann@contoso.com";
    stub.state().add_microsoft_account(email);
    stub.state().page_size = 2;
    let (access, refresh) = stub
        .state()
        .issue_tokens(mymeet_providers_stub::Provider::Microsoft, email);
    let tenant = repo::tenants::create(&db, "Contoso", &format!("c-{}", Uuid::new_v4()))
        .await
        .expect("tenant");
    let user = repo::users::create(&db, tenant.id, email, "Ann")
        .await
        .expect("user");
    let conn = calendar::create_connection(
        &db,
        &cipher,
        NewConnection {
            user_id: user.id,
            provider: Provider::Microsoft,
            account_email: email,
            access_token: &access,
            refresh_token: Some(&refresh),
            token_expires_at: Some(Utc::now() + Duration::minutes(50)),
            scopes: "Calendars.Read offline_access",
        },
    )
    .await
    .expect("connection")
    .model
    .id;
    {
        let mut st = stub.state();
        let cal = st.calendar(email, "");
        cal.put(event("occ1", "occurrence", "Weekly", at(24)));
        cal.put(event("occ2", "occurrence", "Weekly", at(24 + 168)));
        cal.put(event("occ3", "occurrence", "Weekly", at(24 + 336)));
        cal.put(event("single", "singleInstance", "1:1", at(10)));
    }
    stub.state().push_fault(
        email,
        Fault::Unavailable {
            retry_after_secs: 1,
        },
    );
    let out = sync.sync_connection(conn).await.expect("first round");
    assert_eq!(out, SyncOutcome::Synced { changed: 4 });
    let get = |id: &'static str| {
        let db = db.clone();
        async move { calendar::get_event(&db, conn, id).await.expect("read") }
    };
    let occ1 = get("occ1").await.expect("occ1");
    assert_eq!(occ1.starts_at, at(24));
    assert_eq!(occ1.organizer_email.as_deref(), Some("boss@contoso.com"));
    assert!(
        occ1.meeting_url
            .as_deref()
            .is_some_and(|u| u.contains("teams")),
        "{:?}",
        occ1.meeting_url
    );
    assert_eq!(occ1.attendees.as_array().map(Vec::len), Some(2));

    // The organizer moves one occurrence (it becomes an exception) and
    // deletes another.
    {
        let mut st = stub.state();
        let cal = st.calendar(email, "");
        cal.put(event("occ2", "exception", "Weekly (moved)", at(26 + 168)));
        cal.delete("occ3");
    }
    let before = stub.state().requests_of(email).len();
    let out = sync.sync_connection(conn).await.expect("delta round");
    assert_eq!(out, SyncOutcome::Synced { changed: 2 });
    let lines: Vec<String> = stub.state().requests_of(email)[before..]
        .iter()
        .map(|r| r.line.clone())
        .collect();
    assert!(lines.iter().any(|l| l.contains("$deltatoken")), "{lines:?}");
    let occ2 = get("occ2").await.expect("occ2");
    assert_eq!(occ2.starts_at, at(26 + 168));
    assert_eq!(occ2.raw["type"], "exception");
    assert_eq!(get("occ3").await.expect("occ3").status, "cancelled");
    assert_eq!(get("single").await.expect("single").status, "confirmed");
    let out = sync.sync_connection(conn).await.expect("quiet round");
    assert_eq!(out, SyncOutcome::Synced { changed: 0 });
}
