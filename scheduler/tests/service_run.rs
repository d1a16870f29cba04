//! The whole scheduler as `mymeet scheduler` runs it: a polling round syncs
//! a connected calendar and planning follows, a `calendar.changed` message
//! syncs (and plans) between rounds, the launcher starts a bot at its
//! meeting's start minus the lead time (a clock the test moves), and
//! shutdown stops every loop and frees the lease.

mod support;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use mymeet_core::bus::messages::CalendarChangedV1;
use mymeet_core::bus::Envelope;
use mymeet_core::config::{BusConfig, CalendarsConfig};
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{self, calendar, calendar::NewConnection};
use mymeet_core::domain::BotState;
use mymeet_providers_stub::ProviderStub;
use mymeet_scheduler::launcher::{Launcher, LauncherConfig, ProcessBackend, ProcessConfig};
use mymeet_scheduler::planner::{ManualClock, Planner, PlannerConfig};
use mymeet_scheduler::service::Scheduler;
use mymeet_scheduler::sync::CalendarSync;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;

fn event(id: &str, owner: &str, start: DateTime<Utc>, meet: &str) -> Value {
    let rfc = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "kind": "calendar#event",
        "id": id,
        "status": "confirmed",
        "summary": format!("Meeting {id}"),
        "organizer": {"email": owner, "self": true},
        "start": {"dateTime": rfc(start)},
        "end": {"dateTime": rfc(start + Duration::minutes(30))},
        "hangoutLink": format!("https://meet.google.com/{meet}"),
        "attendees": [{"email": owner, "self": true, "organizer": true, "responseStatus": "accepted"}]
    })
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn syncs_plans_launches_and_stops() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (db, dir) = support::db().await;
    let bus = mymeet_core::bus::open(&BusConfig::default(), &db)
        .await
        .expect("bus");
    let stub = ProviderStub::start().await.expect("stub");
    let mut config = CalendarsConfig::default();
    config.google.client_id = "test-client.apps.googleusercontent.com".into();
    config.google.token_url = stub.google_token_url();
    config.google.api_base_url = stub.google_api_base_url();
    config.google.api_root_url = stub.google_api_root_url();
    // Only the first round polls; later syncs come from calendar.changed.
    config.sync.poll_interval_secs = 3600;
    let cipher = TokenCipher::from_key_bytes([3u8; 32]);
    let email = "ann@acme.com";
    let soon = Utc::now() + Duration::minutes(30);
    let soon = DateTime::from_timestamp(soon.timestamp(), 0).expect("time");
    {
        let mut st = stub.state();
        st.add_google_account(email);
        st.calendar(email, email)
            .put(event("first", email, soon, "fir-stxx-mtg"));
    }
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

    let clock = Arc::new(ManualClock::new(Utc::now()));
    let planner = Planner::new(
        db.clone(),
        clock.clone(),
        PlannerConfig {
            lead_time_secs: 120,
            ..PlannerConfig::default()
        },
    );
    let log = dir.path().join("launches.log");
    let script = format!(
        "echo \"$2\" >> '{}'; exec sleep 30 >/dev/null 2>&1 </dev/null",
        log.display()
    );
    let launcher_config = LauncherConfig {
        tick_secs: 1,
        process: ProcessConfig {
            program: Some(PathBuf::from("/bin/sh")),
            args: vec!["-c".into(), script, "fake-bot".into()],
            ..ProcessConfig::default()
        },
        ..LauncherConfig::default()
    };
    let backend = Arc::new(ProcessBackend::new(launcher_config.process.clone()).expect("backend"));
    let launcher = Launcher::new(
        db.clone(),
        clock.clone(),
        backend.clone(),
        launcher_config,
        "test-instance",
    );
    let sync = CalendarSync::new(db.clone(), cipher.clone(), config).expect("sync");
    let scheduler = Scheduler::new(
        sync,
        planner,
        launcher,
        bus.clone(),
        std::time::Duration::from_secs(3600),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(scheduler.run(async {
        let _ = stopped.await;
    }));

    // The first polling round syncs; planning follows it.
    let bots_of = |db: sea_orm::DatabaseConnection| async move {
        repo::bots::list_in_state(
            &db,
            BotState::Scheduled,
            Utc::now() + Duration::days(30),
            100,
        )
        .await
        .expect("bots")
    };
    eventually("a bot for the first meeting", || async {
        bots_of(db.clone()).await.len() == 1
    })
    .await;
    let first = bots_of(db.clone()).await[0].id;
    let log_lines = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(log_lines().is_empty(), "not due yet: {}", log_lines());

    // A change pushed between rounds: synced and planned at once.
    stub.state().calendar(email, email).put(event(
        "second",
        email,
        soon + Duration::hours(3),
        "sec-ondx-mtg",
    ));
    bus.publish(&Envelope::new(&CalendarChangedV1 {
        connection_id: conn,
        at: Utc::now(),
    }))
    .await
    .expect("publish");
    eventually("a bot for the pushed meeting", || async {
        bots_of(db.clone()).await.len() == 2
    })
    .await;

    // Start minus lead time: the first bot, and only it, is launched.
    clock.set(soon - Duration::seconds(119));
    eventually("the first bot launched", || async {
        log_lines().lines().any(|l| l == first.to_string())
    })
    .await;
    assert_eq!(log_lines().lines().count(), 1, "{}", log_lines());
    let state = repo::bots::get(&db, first).await.expect("bot").state;
    assert_eq!(state, BotState::Launching.as_str());

    stop.send(()).expect("stop");
    tokio::time::timeout(std::time::Duration::from_secs(20), running)
        .await
        .expect("stops in time")
        .expect("no panic")
        .expect("clean stop");
    // The stand-in bot is this test's to end.
    if let Some(pid) = backend.pid(first) {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    // The lease is free: another instance takes it at once.
    assert!(repo::scheduling::try_acquire_lease(
        &db,
        "launcher",
        "next-instance",
        Utc::now().timestamp_millis(),
        30_000
    )
    .await
    .expect("lease"));
}
