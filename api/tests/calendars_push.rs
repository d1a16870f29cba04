//! Push notifications through the real routes: Graph's validation
//! handshake, Graph change notifications and Google channel messages that
//! become syncs (and forged ones that do not), and push channels renewed
//! before they lapse, judged by a clock the test moves.

mod support;

use chrono::{Duration, Utc};
use mymeet_core::bus::messages::CalendarChangedV1;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_core::db::repo::{calendar, calendar_sync};
use mymeet_scheduler::planner::ManualClock;
use mymeet_scheduler::sync::{calendar_changed_queue, SyncOutcome};
use serde_json::json;
use std::sync::Arc;
use support::{at, google_event, with_query, world};

#[tokio::test]
async fn graph_validation_handshake_is_echoed_as_plain_text() {
    let w = world(false).await;
    let token = "Validation: Testing client application reachability for subscription Request-Id: 4a1d1b56-3c4f-4f0a-9b7e-1a2b3c4d5e6f";
    let res = w
        .http
        .post(with_query(
            &format!("{}/v1/calendars/microsoft/notifications", w.api),
            &[("validationToken", token)],
        ))
        .header("content-type", "text/plain; charset=utf-8")
        .send()
        .await
        .expect("handshake");
    assert_eq!(res.status(), 200);
    let ct = res.headers()["content-type"]
        .to_str()
        .expect("ct")
        .to_owned();
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert_eq!(res.text().await.expect("body"), token);
}

#[tokio::test]
async fn graph_subscription_is_validated_by_our_route_and_its_notifications_request_a_sync() {
    let w = world(true).await;
    let email = "ann@contoso.com";
    let (_, conn, _) = w.connected(Provider::Microsoft, email).await;
    // The sync subscribes; Graph (the stub) validates against our route first.
    let out = w.sync().sync_connection(conn).await.expect("sync");
    assert!(matches!(out, SyncOutcome::Synced { .. }), "{out:?}");
    let subs = w.stub.state().graph_subscriptions();
    assert_eq!(subs.len(), 1, "one subscription");
    assert_eq!(
        subs[0].json["notificationUrl"],
        format!("{}/v1/calendars/microsoft/notifications", w.api)
    );
    let sub_id = subs[0].id.clone();
    let client_state = subs[0].json["clientState"]
        .as_str()
        .expect("clientState")
        .to_owned();

    let mut queue = w
        .bus
        .subscribe(&calendar_changed_queue())
        .await
        .expect("subscribe");
    let notify = |client_state: String| {
        let body = json!({"value": [{
            "subscriptionId": sub_id,
            "subscriptionExpirationDateTime": (Utc::now() + Duration::days(2)).to_rfc3339(),
            "changeType": "updated",
            "resource": "Users/8ee44408-0679-472c-bc2a-692812af3437/Events/AAMkAGI1",
            "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "id": "AAMkAGI1"},
            "clientState": client_state,
            "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"
        }]});
        w.http
            .post(format!("{}/v1/calendars/microsoft/notifications", w.api))
            .json(&body)
            .send()
    };
    // A forged clientState is accepted (Graph must not retry) but ignored.
    assert_eq!(notify("guessed".into()).await.expect("post").status(), 202);
    assert_eq!(notify(client_state).await.expect("post").status(), 202);
    let delivery = tokio::time::timeout(std::time::Duration::from_secs(10), queue.next())
        .await
        .expect("a calendar.changed message")
        .expect("delivery");
    let msg: CalendarChangedV1 = delivery.envelope.decode().expect("decode");
    assert_eq!(msg.connection_id, conn);
    delivery.ack().await.expect("ack");
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(700), queue.next())
            .await
            .is_err(),
        "the forged notification requested nothing"
    );
}

#[tokio::test]
async fn a_google_channel_message_syncs_its_connection() {
    let mut w = world(true).await;
    w.run_sync_consumer();
    let email = "ann@example.com";
    let (_, conn, _) = w.connected(Provider::Google, email).await;
    w.sync().sync_connection(conn).await.expect("first sync");
    let channels = w.stub.state().google_channels();
    assert_eq!(channels.len(), 1, "a watch channel on the primary calendar");
    let channel = channels[0].clone();
    assert_eq!(
        channel.address,
        format!("{}/v1/calendars/google/notifications", w.api)
    );

    // Wrong token, unknown channel: refused, nothing synced.
    let post = |id: &str, token: &str| {
        w.http
            .post(format!("{}/v1/calendars/google/notifications", w.api))
            .header("X-Goog-Channel-ID", id)
            .header("X-Goog-Channel-Token", token)
            .header("X-Goog-Resource-ID", &channel.resource_id)
            .header("X-Goog-Resource-State", "exists")
            .header("X-Goog-Message-Number", "7")
            .send()
    };
    assert_eq!(
        post(&channel.id, "guess").await.expect("post").status(),
        403
    );
    assert_eq!(
        post("no-such-channel", "x").await.expect("post").status(),
        404
    );

    // The message that opens a channel: acknowledged, nothing to do yet.
    let token = calendar_sync::list_sources(&w.db, conn)
        .await
        .expect("sources")[0]
        .id
        .to_string();
    let opened = w
        .http
        .post(format!("{}/v1/calendars/google/notifications", w.api))
        .header("X-Goog-Channel-ID", &channel.id)
        .header("X-Goog-Channel-Token", &token)
        .header("X-Goog-Resource-State", "sync")
        .header("X-Goog-Message-Number", "1")
        .send()
        .await
        .expect("post");
    assert_eq!(opened.status(), 200);

    // A change at Google, then Google's own notification.
    w.stub
        .state()
        .calendar(email, email)
        .put(google_event("added", email, at(30), "kkk-mmmm-nnn"));
    let before = calendar_sync::sync_status(&w.db, conn)
        .await
        .expect("status")
        .and_then(|s| s.last_success_at);
    assert_eq!(w.stub.notify_google_channel(&channel.id).await, Some(200));
    w.eventually("the notified change is synced", || async {
        let stored = calendar::get_event(&w.db, conn, &format!("{email}/added"))
            .await
            .expect("read")
            .is_some();
        let after = calendar_sync::sync_status(&w.db, conn)
            .await
            .expect("status")
            .and_then(|s| s.last_success_at);
        stored && after > before
    })
    .await;
}

#[tokio::test]
async fn google_channels_are_renewed_a_day_before_they_lapse() {
    let w = world(true).await;
    let email = "ann@example.com";
    let (_, conn, _) = w.connected(Provider::Google, email).await;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let sync = w.sync().with_clock(clock.clone());
    sync.sync_connection(conn).await.expect("sync");
    let first = w.stub.state().google_channels();
    assert_eq!(first.len(), 1);
    let source = |w: &support::World| {
        let db = w.db.clone();
        async move {
            calendar_sync::list_sources(&db, conn)
                .await
                .expect("sources")
                .remove(0)
        }
    };
    let opened = source(&w).await;
    let expires = opened.channel_expires_at.expect("expiry stored");
    assert!(expires > Utc::now() + Duration::days(6), "{expires}");

    // Five days on: more than a day left, the channel stays.
    clock.advance(Duration::days(5));
    sync.sync_connection(conn).await.expect("sync");
    let still: Vec<String> = w
        .stub
        .state()
        .google_channels()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(still, vec![first[0].id.clone()]);
    assert_eq!(source(&w).await.channel_id, opened.channel_id);

    // Less than a day left: a new channel, the old one stopped.
    clock.set(expires - Duration::hours(12));
    sync.sync_connection(conn).await.expect("sync");
    let now_open = w.stub.state().google_channels();
    assert_eq!(now_open.len(), 1, "the old channel was stopped");
    assert_ne!(now_open[0].id, first[0].id, "a new channel");
    let renewed = source(&w).await;
    assert_eq!(renewed.channel_id.as_deref(), Some(now_open[0].id.as_str()));
    assert_eq!(
        now_open[0].token.as_deref(),
        Some(renewed.id.to_string().as_str())
    );
}

#[tokio::test]
async fn graph_subscriptions_are_renewed_a_day_before_they_lapse() {
    let w = world(true).await;
    let (_, conn, _) = w.connected(Provider::Microsoft, "bo@contoso.com").await;
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let sync = w.sync().with_clock(clock.clone());
    sync.sync_connection(conn).await.expect("sync");
    let sources = calendar_sync::list_sources(&w.db, conn)
        .await
        .expect("sources");
    let sub = sources[0].channel_id.clone().expect("subscribed");
    let expires = sources[0].channel_expires_at.expect("expiry");
    let renewals = || {
        w.stub
            .state()
            .requests()
            .iter()
            .filter(|r| r.line.starts_with("PATCH /v1.0/subscriptions/"))
            .count()
    };

    clock.advance(Duration::days(1));
    sync.sync_connection(conn).await.expect("sync");
    assert_eq!(renewals(), 0, "more than a day left");

    clock.set(expires - Duration::hours(20));
    sync.sync_connection(conn).await.expect("sync");
    assert_eq!(renewals(), 1, "renewed once");
    let after = calendar_sync::list_sources(&w.db, conn)
        .await
        .expect("sources");
    assert_eq!(
        after[0].channel_id.as_deref(),
        Some(sub.as_str()),
        "same subscription"
    );
    assert!(after[0].channel_expires_at.expect("expiry") > expires + Duration::hours(20));
    assert_eq!(w.stub.state().graph_subscriptions().len(), 1);
}
