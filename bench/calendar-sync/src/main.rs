//! Syncs N Google calendars (default 10,000) against the local provider
//! stub: a first (full) round, then timed incremental rounds where 1 % of
//! the calendars changed. Usage: `calendar-sync-bench [N] [PARALLELISM]`.

use chrono::{Duration, SecondsFormat, Utc};
use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{self, calendar, calendar::NewConnection};
use mymeet_providers_stub::ProviderStub;
use mymeet_scheduler::sync::CalendarSync;
use serde_json::json;
use std::time::Instant;

fn event(id: &str, hours: i64) -> serde_json::Value {
    let start = Utc::now() + Duration::hours(hours);
    json!({"kind": "calendar#event", "id": id, "status": "confirmed", "summary": "Sync",
        "organizer": {"email": "boss@example.com"},
        "start": {"dateTime": start.to_rfc3339_opts(SecondsFormat::Secs, true)},
        "end": {"dateTime": (start + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true)},
        "hangoutLink": "https://meet.google.com/abc-defg-hij",
        "attendees": [{"email": "boss@example.com", "responseStatus": "accepted"}]})
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let parallelism: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let dir = tempfile::tempdir()?;
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let db = mymeet_core::db::connect_url(&url, Some(16)).await?;
    mymeet_core::db::migrate(&db).await?;
    let stub = ProviderStub::start().await?;
    stub.state().log_requests = false;
    let mut config = CalendarsConfig::default();
    config.google.client_id = "bench".into();
    config.google.token_url = stub.google_token_url();
    config.google.api_base_url = stub.google_api_base_url();
    config.google.api_root_url = stub.google_api_root_url();
    config.sync.parallelism = parallelism;
    let cipher = TokenCipher::from_key_bytes([1u8; 32]);
    let sync = CalendarSync::new(db.clone(), cipher.clone(), config)?;
    let tenant =
        repo::tenants::create(&db, "Bench", &format!("bench-{}", uuid::Uuid::new_v4())).await?;
    let setup = Instant::now();
    for i in 0..n {
        let email = format!("user{i}@example.com");
        let (access, refresh) = {
            let mut st = stub.state();
            st.add_google_account(&email);
            let cal = st.calendar(&email, &email);
            for k in 0..3 {
                cal.put(event(&format!("e{k}"), 24 * (k + 1)));
            }
            st.issue_tokens(mymeet_providers_stub::Provider::Google, &email)
        };
        let user = repo::users::create(&db, tenant.id, &email, &email).await?;
        calendar::create_connection(
            &db,
            &cipher,
            NewConnection {
                user_id: user.id,
                provider: Provider::Google,
                account_email: &email,
                access_token: &access,
                refresh_token: Some(&refresh),
                token_expires_at: Some(Utc::now() + Duration::hours(2)),
                scopes: "calendar.readonly",
            },
        )
        .await?;
    }
    eprintln!("setup of {n} connections: {:.1?}", setup.elapsed());
    let t = Instant::now();
    let first = sync.run_round().await?;
    println!(
        "first (full) round: {n} connections, {} synced, {:.2?}",
        first.count("synced"),
        t.elapsed()
    );
    for round in 1..=2 {
        {
            let mut st = stub.state();
            for i in (0..n).step_by(100) {
                let email = format!("user{i}@example.com");
                st.calendar(&email, &email)
                    .put(event(&format!("new{round}"), 50));
            }
        }
        let t = Instant::now();
        let r = sync.run_round().await?;
        println!(
            "incremental round {round}: {n} connections ({} changed), {} synced, {:.2?}",
            n / 100,
            r.count("synced"),
            t.elapsed()
        );
    }
    Ok(())
}
