//! `calendar.changed` → one sync of that connection: an active connection
//! is synced, an inactive one (needs reauthorization) is left alone without
//! a request to the provider, a vanished one is done with, and a message of
//! another kind is rejected (dead-lettered).

mod support;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use mymeet_core::bus::messages::{CalendarChangedV1, ReportReadyV1};
use mymeet_core::bus::{Envelope, Handler, HandlerError};
use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{self, calendar, calendar::NewConnection};
use mymeet_providers_stub::ProviderStub;
use mymeet_scheduler::sync::{CalendarSync, SyncOnChange};
use serde_json::{json, Value};
use uuid::Uuid;

fn event(id: &str, owner: &str, start: DateTime<Utc>) -> Value {
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "kind": "calendar#event",
        "id": id,
        "status": "confirmed",
        "summary": id,
        "organizer": {"email": owner, "self": true},
        "start": {"dateTime": rfc(start)},
        "end": {"dateTime": rfc(start + Duration::minutes(30))},
        "hangoutLink": "https://meet.google.com/abc-defg-hij"
    })
}

fn changed(connection_id: Uuid) -> Envelope {
    Envelope::new(&CalendarChangedV1 {
        connection_id,
        at: Utc::now(),
    })
}

#[tokio::test]
async fn syncs_active_connections_only() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (db, _dir) = support::db().await;
    let stub = ProviderStub::start().await.expect("stub");
    let mut config = CalendarsConfig::default();
    config.google.client_id = "test-client.apps.googleusercontent.com".into();
    config.google.token_url = stub.google_token_url();
    config.google.api_base_url = stub.google_api_base_url();
    config.google.api_root_url = stub.google_api_root_url();
    let cipher = TokenCipher::from_key_bytes([4u8; 32]);
    let email = "ann@acme.com";
    stub.state().add_google_account(email);
    stub.state()
        .calendar(email, email)
        .put(event("one", email, Utc::now() + Duration::hours(5)));
    let (access, refresh) = stub
        .state()
        .issue_tokens(mymeet_providers_stub::Provider::Google, email);
    let tenant = support::tenant(&db).await;
    let user = repo::users::create(&db, tenant, email, email)
        .await
        .expect("user");
    let conn = calendar::create_connection(
        &db,
        &cipher,
        NewConnection {
            user_id: user.id,
            provider: Provider::Google,
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
    let handler = SyncOnChange::new(CalendarSync::new(db.clone(), cipher, config).expect("sync"));
    let stored = |id: &'static str| {
        let db = db.clone();
        async move {
            calendar::get_event(&db, conn, &format!("{email}/{id}"))
                .await
                .expect("read")
                .is_some()
        }
    };

    handler.handle(&changed(conn)).await.expect("synced");
    assert!(stored("one").await);

    calendar::mark_needs_reauth(&db, conn).await.expect("mark");
    stub.state()
        .calendar(email, email)
        .put(event("two", email, Utc::now() + Duration::hours(6)));
    let asked = stub.state().requests_of(email).len();
    handler.handle(&changed(conn)).await.expect("left alone");
    assert!(!stored("two").await, "an inactive connection is not synced");
    assert_eq!(
        stub.state().requests_of(email).len(),
        asked,
        "nothing asked of Google"
    );

    handler
        .handle(&changed(Uuid::new_v4()))
        .await
        .expect("a vanished connection is done with");
    let other = Envelope::new(&ReportReadyV1 {
        report_id: Uuid::new_v4(),
        transcript_id: Uuid::new_v4(),
    });
    assert!(matches!(
        handler.handle(&other).await,
        Err(HandlerError::Reject(_))
    ));
}
