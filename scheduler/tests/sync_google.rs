//! Google calendar sync against the local Calendar v3 stand-in: first,
//! incremental and 410 resyncs, recurring instances moved and cancelled,
//! links only in HTML descriptions, revoked grants, Retry-After.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::{ConnectionStatus, Provider};
use mymeet_core::db::repo::{self, calendar, calendar::NewConnection};
use mymeet_core::db::Db;
use mymeet_providers_stub::{Fault, ProviderStub};
use mymeet_scheduler::sync::{CalendarSync, SyncOutcome};
use serde_json::{json, Value};
use uuid::Uuid;

struct World {
    db: Db,
    _dir: tempfile::TempDir,
    stub: ProviderStub,
    cipher: TokenCipher,
    sync: CalendarSync,
    tenant: Uuid,
}

async fn world() -> World {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    let db = mymeet_core::db::connect_url(&url, Some(8))
        .await
        .expect("open db");
    mymeet_core::db::migrate(&db).await.expect("migrate");
    let stub = ProviderStub::start().await.expect("start provider stub");
    let mut config = CalendarsConfig::default();
    config.google.client_id = "test-client.apps.googleusercontent.com".into();
    config.google.client_secret = Some(mymeet_core::config::Secret::new("test-secret"));
    config.google.auth_url = stub.google_auth_url();
    config.google.token_url = stub.google_token_url();
    config.google.revoke_url = stub.google_revoke_url();
    config.google.api_base_url = stub.google_api_base_url();
    config.google.api_root_url = stub.google_api_root_url();
    config.sync.connection_timeout_secs = 20;
    let cipher = TokenCipher::from_key_bytes([9u8; 32]);
    let sync = CalendarSync::new(db.clone(), cipher.clone(), config).expect("sync engine");
    let tenant = repo::tenants::create(&db, "Acme", &format!("acme-{}", Uuid::new_v4()))
        .await
        .expect("tenant")
        .id;
    World {
        db,
        _dir: dir,
        stub,
        cipher,
        sync,
        tenant,
    }
}

impl World {
    /// A user with a Google account at the stub, connected with fresh tokens.
    async fn connect(&self, email: &str) -> Uuid {
        self.stub.state().add_google_account(email);
        let (access, refresh) = self
            .stub
            .state()
            .issue_tokens(mymeet_providers_stub::Provider::Google, email);
        let user = repo::users::create(&self.db, self.tenant, email, email)
            .await
            .expect("user");
        calendar::create_connection(
            &self.db,
            &self.cipher,
            NewConnection {
                user_id: user.id,
                provider: Provider::Google,
                account_email: email,
                access_token: &access,
                refresh_token: Some(&refresh),
                token_expires_at: Some(Utc::now() + Duration::minutes(50)),
                scopes: "https://www.googleapis.com/auth/calendar.readonly",
            },
        )
        .await
        .expect("connection")
        .model
        .id
    }

    async fn event(
        &self,
        conn: Uuid,
        email: &str,
        id: &str,
    ) -> Option<mymeet_core::db::entities::calendar_events::Model> {
        calendar::get_event(&self.db, conn, &format!("{email}/{id}"))
            .await
            .expect("read event")
    }
}

fn at(hours_from_now: i64) -> DateTime<Utc> {
    let t = Utc::now() + Duration::hours(hours_from_now);
    DateTime::from_timestamp(t.timestamp() - t.timestamp() % 3600, 0).expect("time")
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn event(id: &str, title: &str, start: DateTime<Utc>) -> Value {
    json!({
        "kind": "calendar#event",
        "etag": "\"3181161784712000\"",
        "id": id,
        "status": "confirmed",
        "htmlLink": format!("https://www.google.com/calendar/event?eid={id}"),
        "created": "2026-01-05T10:00:00.000Z",
        "updated": "2026-01-05T10:00:00.000Z",
        "summary": title,
        "organizer": {"email": "boss@example.com"},
        "creator": {"email": "boss@example.com"},
        "start": {"dateTime": rfc(start), "timeZone": "UTC"},
        "end": {"dateTime": rfc(start + Duration::minutes(30)), "timeZone": "UTC"},
        "iCalUID": format!("{id}@google.com"),
        "sequence": 0,
        "attendees": [
            {"email": "boss@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": "ann@example.com", "self": true, "responseStatus": "needsAction"},
            {"email": "guest@partner.org", "responseStatus": "tentative"}
        ],
        "eventType": "default"
    })
}

fn with_meet(mut e: Value, code: &str) -> Value {
    e["hangoutLink"] = json!(format!("https://meet.google.com/{code}"));
    e["conferenceData"] = json!({
        "entryPoints": [
            {"entryPointType": "video", "uri": format!("https://meet.google.com/{code}"), "label": format!("meet.google.com/{code}")},
            {"entryPointType": "phone", "uri": "tel:+1-508-555-0123", "label": "+1 508-555-0123", "pin": "123456789"}
        ],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet", "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"},
        "conferenceId": code
    });
    e
}

#[tokio::test]
async fn first_incremental_and_gone_resync() {
    let w = world().await;
    let email = "ann@example.com";
    let conn = w.connect(email).await;
    {
        let mut st = w.stub.state();
        st.page_size = 2; // make the listing page
        let cal = st.calendar(email, email);
        cal.put(with_meet(event("e1", "Standup", at(24)), "abc-defg-hij"));
        let mut zoom = event("e2", "Vendor call", at(48));
        zoom["description"] = json!("<p>Hi all,</p><p>Join Zoom Meeting<br><a href=\"https://us02web.zoom.us/j/85551234567?pwd=QWxhZGRpbjpvcGVu\">https://us02web.zoom.us/j/85551234567?pwd=QWxhZGRpbjpvcGVu</a></p><p>Meeting ID: 855 5123 4567<br>Passcode: 424242</p>");
        cal.put(zoom);
        cal.put(event("e3", "Lunch", at(30)));
        cal.put(event("old", "Long ago", at(-24 * 40)));
    }
    let out = w.sync.sync_connection(conn).await.expect("first sync");
    assert_eq!(
        out,
        SyncOutcome::Synced { changed: 3 },
        "three events in the window"
    );
    let e1 = w.event(conn, email, "e1").await.expect("e1 stored");
    assert_eq!(e1.title, "Standup");
    assert_eq!(e1.status, "confirmed");
    assert_eq!(e1.organizer_email.as_deref(), Some("boss@example.com"));
    assert_eq!(e1.attendees.as_array().map(Vec::len), Some(3));
    assert_eq!(e1.raw["conferenceData"]["conferenceId"], "abc-defg-hij");
    assert!(
        e1.meeting_url
            .as_deref()
            .is_some_and(|u| u.contains("meet.google.com/abc-defg-hij")),
        "{:?}",
        e1.meeting_url
    );
    let e2 = w.event(conn, email, "e2").await.expect("e2 stored");
    assert!(
        e2.meeting_url
            .as_deref()
            .is_some_and(|u| u.contains("85551234567")),
        "link only in the HTML description: {:?}",
        e2.meeting_url
    );
    assert!(w
        .event(conn, email, "e3")
        .await
        .expect("e3")
        .meeting_url
        .is_none());
    assert!(
        w.event(conn, email, "old").await.is_none(),
        "outside the window"
    );

    // Incremental: one moved, one deleted, one new.
    {
        let mut st = w.stub.state();
        let cal = st.calendar(email, email);
        cal.put(with_meet(
            event("e1", "Standup (moved)", at(26)),
            "abc-defg-hij",
        ));
        cal.delete("e3");
        cal.put(event("e4", "Planning", at(72)));
    }
    let before = w.stub.state().requests_of(email).len();
    let out = w
        .sync
        .sync_connection(conn)
        .await
        .expect("incremental sync");
    assert_eq!(out, SyncOutcome::Synced { changed: 3 });
    let lines: Vec<String> = w.stub.state().requests_of(email)[before..]
        .iter()
        .map(|r| r.line.clone())
        .collect();
    assert!(
        lines.iter().all(|l| !l.contains("calendarList")),
        "no calendar list on incremental: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("syncToken")),
        "used the sync token: {lines:?}"
    );
    assert!(
        lines.iter().all(|l| !l.contains("timeMin")),
        "no window on incremental: {lines:?}"
    );
    let e1 = w.event(conn, email, "e1").await.expect("e1");
    assert_eq!(e1.title, "Standup (moved)");
    assert_eq!(e1.starts_at, at(26));
    assert_eq!(
        w.event(conn, email, "e3").await.expect("e3").status,
        "cancelled"
    );
    assert!(w.event(conn, email, "e4").await.is_some());

    // The token expires at Google (410): a full resync, which also finds
    // what was deleted meanwhile.
    {
        let mut st = w.stub.state();
        let cal = st.calendar(email, email);
        cal.delete("e4");
        cal.put(event("e5", "Retro", at(100)));
        cal.oldest_valid_cursor = cal.seq();
    }
    let before = w.stub.state().requests_of(email).len();
    let out = w.sync.sync_connection(conn).await.expect("resync");
    assert!(matches!(out, SyncOutcome::Synced { .. }), "{out:?}");
    let seen: Vec<(String, u16)> = w.stub.state().requests_of(email)[before..]
        .iter()
        .map(|r| (r.line.clone(), r.status))
        .collect();
    assert!(
        seen.iter()
            .any(|(l, s)| l.contains("syncToken") && *s == 410),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|(l, s)| l.contains("timeMin") && *s == 200),
        "{seen:?}"
    );
    assert_eq!(
        w.event(conn, email, "e4").await.expect("e4").status,
        "cancelled"
    );
    assert!(w.event(conn, email, "e5").await.is_some());
    // And incremental again afterwards.
    w.stub
        .state()
        .calendar(email, email)
        .put(event("e6", "Demo", at(120)));
    let out = w.sync.sync_connection(conn).await.expect("after resync");
    assert_eq!(out, SyncOutcome::Synced { changed: 1 });
}

#[tokio::test]
async fn recurring_series_with_moved_and_cancelled_instances() {
    let w = world().await;
    let email = "ann@example.com";
    let conn = w.connect(email).await;
    let base = at(24);
    let instance = |n: i64, start: DateTime<Utc>| {
        let original = base + Duration::days(7 * n);
        let mut e = with_meet(
            event(
                &format!("weekly_{}", original.format("%Y%m%dT%H%M%SZ")),
                "Weekly sync",
                start,
            ),
            "wee-klys-ync",
        );
        e["recurringEventId"] = json!("weekly");
        e["originalStartTime"] = json!({"dateTime": rfc(original), "timeZone": "UTC"});
        e
    };
    {
        let mut st = w.stub.state();
        let cal = st.calendar(email, email);
        for n in 0..4 {
            cal.put(instance(n, base + Duration::days(7 * n)));
        }
    }
    let out = w.sync.sync_connection(conn).await.expect("first sync");
    assert_eq!(out, SyncOutcome::Synced { changed: 4 });
    let id = |n: i64| {
        format!(
            "weekly_{}",
            (base + Duration::days(7 * n)).format("%Y%m%dT%H%M%SZ")
        )
    };
    // The organizer moves the second instance by two hours and cancels the third.
    {
        let mut st = w.stub.state();
        let cal = st.calendar(email, email);
        cal.put(instance(1, base + Duration::days(7) + Duration::hours(2)));
        let mut cancelled = instance(2, base + Duration::days(14));
        cancelled["status"] = json!("cancelled");
        cal.put(cancelled);
    }
    let out = w.sync.sync_connection(conn).await.expect("incremental");
    assert_eq!(out, SyncOutcome::Synced { changed: 2 });
    let moved = w.event(conn, email, &id(1)).await.expect("moved instance");
    assert_eq!(
        moved.starts_at,
        base + Duration::days(7) + Duration::hours(2)
    );
    assert_eq!(moved.status, "confirmed");
    assert_eq!(moved.raw["recurringEventId"], "weekly");
    let cancelled = w
        .event(conn, email, &id(2))
        .await
        .expect("cancelled instance");
    assert_eq!(cancelled.status, "cancelled");
    let untouched = w.event(conn, email, &id(3)).await.expect("fourth");
    assert_eq!(untouched.starts_at, base + Duration::days(21));
    assert_eq!(untouched.status, "confirmed");
}

#[tokio::test]
async fn revoked_refresh_token_marks_needs_reauth_and_spares_others() {
    let w = world().await;
    let broken = w.connect("gone@example.com").await;
    let fine = w.connect("fine@example.com").await;
    w.stub
        .state()
        .calendar("fine@example.com", "fine@example.com")
        .put(event("f1", "Call", at(5)));
    w.stub
        .state()
        .calendar("gone@example.com", "gone@example.com")
        .put(event("g1", "Call", at(5)));
    // The user revoked access at Google: the access token dies, and so does
    // the refresh token; the stored access token is also due for a refresh.
    w.stub.state().revoke_account("gone@example.com");
    let report = w.sync.run_round().await.expect("round");
    let outcome = |id| {
        report
            .outcomes
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, o)| o.clone())
    };
    assert_eq!(outcome(broken), Some(SyncOutcome::NeedsReauth));
    assert_eq!(outcome(fine), Some(SyncOutcome::Synced { changed: 1 }));
    let c = calendar::get_connection(&w.db, broken).await.expect("conn");
    assert_eq!(c.status, ConnectionStatus::NeedsReauth);
    let status = repo::calendar_sync::sync_status(&w.db, broken)
        .await
        .expect("status")
        .expect("recorded");
    assert_eq!(status.last_error.as_deref(), Some("needs reauthorization"));
    assert!(calendar::get_event(&w.db, broken, "gone@example.com/g1")
        .await
        .expect("read")
        .is_none());
    // The next round does not knock on Google's door again for it.
    let refreshes_before = w
        .stub
        .state()
        .requests()
        .iter()
        .filter(|r| r.line.contains("refresh_token"))
        .count();
    let report = w.sync.run_round().await.expect("round 2");
    assert!(
        report.outcomes.iter().all(|(c, _)| *c != broken),
        "{report:?}"
    );
    let refreshes_after = w
        .stub
        .state()
        .requests()
        .iter()
        .filter(|r| r.line.contains("refresh_token"))
        .count();
    assert_eq!(refreshes_before, refreshes_after);
}

#[tokio::test]
async fn expired_access_token_is_refreshed_and_stored_sealed() {
    let w = world().await;
    let email = "ann@example.com";
    let conn = w.connect(email).await;
    let old = calendar::tokens(&w.db, &w.cipher, conn)
        .await
        .expect("tokens");
    calendar::update_tokens(
        &w.db,
        &w.cipher,
        conn,
        &old.access_token,
        None,
        Some(Utc::now() + Duration::seconds(30)),
    )
    .await
    .expect("age the token");
    let out = w.sync.sync_connection(conn).await.expect("sync");
    assert!(matches!(out, SyncOutcome::Synced { .. }), "{out:?}");
    let new = calendar::tokens(&w.db, &w.cipher, conn)
        .await
        .expect("tokens");
    assert_ne!(
        new.access_token, old.access_token,
        "refreshed before expiry"
    );
    assert_eq!(
        new.refresh_token, old.refresh_token,
        "Google keeps the refresh token"
    );
    assert!(new
        .expires_at
        .is_some_and(|e| e > Utc::now() + Duration::minutes(30)));
    let row = calendar::get_connection(&w.db, conn).await.expect("row");
    assert!(!String::from_utf8_lossy(&row.access_token_enc).contains(&new.access_token));
}

#[tokio::test]
async fn retry_after_is_respected() {
    let w = world().await;
    let email = "ann@example.com";
    let conn = w.connect(email).await;
    w.stub
        .state()
        .calendar(email, email)
        .put(event("e1", "Call", at(3)));
    w.stub.state().push_fault(
        email,
        Fault::TooManyRequests {
            retry_after_secs: 2,
        },
    );
    let out = w.sync.sync_connection(conn).await.expect("sync");
    assert_eq!(out, SyncOutcome::Synced { changed: 1 });
    let seen = w.stub.state().requests_of(email);
    let throttled = seen
        .iter()
        .position(|r| r.status == 429)
        .expect("a 429 was answered");
    let next = seen.get(throttled + 1).expect("a request after the 429");
    let waited = next.at.duration_since(seen[throttled].at);
    assert!(
        waited >= std::time::Duration::from_secs(2),
        "second request after {waited:?}, before Retry-After"
    );
}

#[tokio::test]
async fn long_retry_after_defers_the_connection_without_blocking_others() {
    let w = world().await;
    let slow = w.connect("slow@example.com").await;
    let fine = w.connect("fine@example.com").await;
    w.stub.state().push_fault(
        "slow@example.com",
        Fault::TooManyRequests {
            retry_after_secs: 3600,
        },
    );
    let report = w.sync.run_round().await.expect("round");
    let outcome = |id| {
        report
            .outcomes
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, o)| o.clone())
    };
    assert_eq!(outcome(slow), Some(SyncOutcome::Throttled));
    assert!(matches!(outcome(fine), Some(SyncOutcome::Synced { .. })));
    let status = repo::calendar_sync::sync_status(&w.db, slow)
        .await
        .expect("status")
        .expect("recorded");
    assert!(status
        .not_before
        .is_some_and(|t| t > Utc::now() + Duration::minutes(50)));
    // Not due until then.
    let report = w.sync.run_round().await.expect("round 2");
    assert!(report.outcomes.iter().all(|(c, _)| *c != slow));
}
