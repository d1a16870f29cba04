//! Disconnecting a calendar through the real route: the grant is revoked at
//! the provider, push channels are stopped, tokens and events are deleted,
//! and the future bots only that calendar asked for are cancelled.

mod support;

use chrono::Utc;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{bots, calendar};
use mymeet_core::domain::BotState;
use mymeet_scheduler::planner::{ManualClock, Planner, PlannerConfig};
use reqwest::header::AUTHORIZATION;
use std::sync::Arc;
use support::{at, google_event, world};

#[tokio::test]
async fn disconnect_revokes_stops_the_channel_and_cancels_future_bots() {
    let w = world(true).await;
    let email = "ann@example.com";
    let (user, conn, refresh) = w.connected(Provider::Google, email).await;
    w.stub.state().calendar(email, email).put(google_event(
        "review",
        email,
        at(26),
        "rev-iewx-yzw",
    ));
    w.sync().sync_connection(conn).await.expect("sync");
    assert_eq!(w.stub.state().google_channels().len(), 1);
    let planner = Planner::new(
        w.db.clone(),
        Arc::new(ManualClock::new(Utc::now())),
        PlannerConfig::default(),
    );
    let plan = planner.plan_tenant(w.tenant).await.expect("plan");
    assert_eq!(plan.created.len(), 1, "one bot for the meeting");
    let bot = plan.created[0];

    let url = format!("{}/v1/calendars/connections/{conn}", w.api);
    // No token; another user's token: nothing happens.
    assert_eq!(
        w.http.delete(&url).send().await.expect("delete").status(),
        401
    );
    let mallory = w.user("mallory@example.com").await;
    let res = w
        .http
        .delete(&url)
        .header(AUTHORIZATION, format!("Bearer {}", w.token(mallory)))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 404);
    assert!(w.stub.state().refresh_token_valid(&refresh));

    let res = w
        .http
        .delete(&url)
        .header(AUTHORIZATION, format!("Bearer {}", w.token(user)))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["id"], conn.to_string());
    assert_eq!(body["revoked"], true);
    assert_eq!(body["cancelled_bots"], serde_json::json!([bot.to_string()]));

    assert!(
        !w.stub.state().refresh_token_valid(&refresh),
        "revoked at Google"
    );
    assert!(
        w.stub.state().google_channels().is_empty(),
        "channel stopped"
    );
    let gone = calendar::get_connection(&w.db, conn)
        .await
        .expect_err("deleted");
    assert!(gone.is_not_found());
    assert_eq!(
        bots::get(&w.db, bot).await.expect("bot").state,
        BotState::Cancelled.as_str()
    );
    // Planning again schedules nothing from the removed calendar.
    let again = planner.plan_tenant(w.tenant).await.expect("plan");
    assert!(again.created.is_empty(), "{again:?}");

    // A second disconnect finds nothing.
    let res = w
        .http
        .delete(&url)
        .header(AUTHORIZATION, format!("Bearer {}", w.token(user)))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_bot_someone_else_still_wants_stays_scheduled() {
    let w = world(false).await;
    let (ann, ann_conn, _) = w.connected(Provider::Google, "ann@example.com").await;
    let (_bo, bo_conn, _) = w.connected(Provider::Google, "bo@example.com").await;
    let start = at(28);
    for (email, conn) in [("ann@example.com", ann_conn), ("bo@example.com", bo_conn)] {
        w.stub.state().calendar(email, email).put(google_event(
            "shared",
            email,
            start,
            "sha-redx-mtg",
        ));
        w.sync().sync_connection(conn).await.expect("sync");
    }
    let planner = Planner::new(
        w.db.clone(),
        Arc::new(ManualClock::new(Utc::now())),
        PlannerConfig::default(),
    );
    let plan = planner.plan_tenant(w.tenant).await.expect("plan");
    assert_eq!(plan.created.len(), 1, "one bot for both: {plan:?}");
    let bot = plan.created[0];
    let res = w
        .http
        .delete(format!("{}/v1/calendars/connections/{ann_conn}", w.api))
        .header(AUTHORIZATION, format!("Bearer {}", w.token(ann)))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["cancelled_bots"], serde_json::json!([]));
    assert_eq!(
        bots::get(&w.db, bot).await.expect("bot").state,
        BotState::Scheduled.as_str()
    );
    let requesters = bots::requesters(&w.db, bot).await.expect("requesters");
    assert_eq!(requesters.len(), 1, "only Bo still asks for it");
}
