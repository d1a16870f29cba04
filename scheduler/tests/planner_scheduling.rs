//! The planner over stored calendar events: one bot per real meeting, bots
//! that follow their events, cancellation, overrides, frozen calendars, and
//! idempotence.

mod support;

use chrono::Duration;
use mymeet_core::db::entities::calendar_connections::ConnectionStatus;
use mymeet_core::db::repo::{self, scheduling};
use mymeet_core::domain::{BotState, EndReason};
use mymeet_scheduler::planner::{ManualClock, PlanReport, Planner, PlannerConfig};
use mymeet_scheduler::rules::{OverrideDecision, OverrideScope, Rules};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use support::{put_event, t0, tenant, user_with_calendar, Ev};
use uuid::Uuid;

const ZOOM_A: &str = "https://us02web.zoom.us/j/85312345678?pwd=abc.1";
const ZOOM_B: &str = "https://acme.zoom.us/j/85312345678?pwd=abc.1&from=addon";
const ZOOM_CANON: &str = "https://zoom.us/j/85312345678?pwd=abc.1";

fn planner(db: &DatabaseConnection, clock: Arc<ManualClock>) -> Planner {
    Planner::new(db.clone(), clock, PlannerConfig::default())
}

async fn bots_of(
    db: &DatabaseConnection,
    tenant: Uuid,
) -> Vec<mymeet_core::db::entities::bots::Model> {
    let mut out = Vec::new();
    for m in repo::meetings::list_for_tenant(
        db,
        tenant,
        t0() - Duration::days(30),
        t0() + Duration::days(60),
    )
    .await
    .unwrap()
    {
        out.extend(repo::bots::list_for_meeting(db, m.id).await.unwrap());
    }
    out
}

#[tokio::test]
async fn two_users_one_meeting_one_bot_both_requesters_and_idempotent() {
    let (db, _dir) = support::db().await;
    let t = tenant(&db).await;
    let (ann, ann_cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    let (bob, bob_cal) = user_with_calendar(&db, t, "bob@acme.com").await;
    let start = t0() + Duration::hours(2);
    let mut a = Ev::new("evt-ann", start, ZOOM_A, "ann@acme.com");
    a.attendees = vec![("ann@acme.com", "accepted"), ("bob@acme.com", "accepted")];
    let mut b = Ev::new("evt-bob", start, ZOOM_B, "ann@acme.com");
    b.attendees = a.attendees.clone();
    put_event(&db, &ann_cal, &a).await;
    put_event(&db, &bob_cal, &b).await;

    let clock = Arc::new(ManualClock::new(t0()));
    let p = planner(&db, clock.clone());
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.created.len(), 1, "{report:?}");
    let bots = bots_of(&db, t).await;
    assert_eq!(bots.len(), 1);
    let bot = &bots[0];
    assert_eq!(bot.state(), Some(BotState::Scheduled));
    assert_eq!(bot.scheduled_start_at, start - Duration::seconds(60));
    let meeting = repo::meetings::get(&db, bot.meeting_id).await.unwrap();
    assert_eq!(meeting.meeting_url, ZOOM_CANON);
    let mut want = vec![ann.id, bob.id];
    want.sort();
    assert_eq!(repo::bots::requesters(&db, bot.id).await.unwrap(), want);

    // Planning again changes nothing, not even the bot's version.
    let again = p.plan_tenant(t).await.unwrap();
    assert_eq!(again, PlanReport::default());
    let after = bots_of(&db, t).await;
    assert_eq!(after, bots);
}

#[tokio::test]
async fn moved_event_moves_the_bot_and_cancelled_event_cancels_it() {
    let (db, _dir) = support::db().await;
    let t = tenant(&db).await;
    let (_ann, cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    let start = t0() + Duration::hours(3);
    let mut ev = Ev::new(
        "evt-1",
        start,
        "https://meet.google.com/abc-defg-hij",
        "ann@acme.com",
    );
    put_event(&db, &cal, &ev).await;
    let clock = Arc::new(ManualClock::new(t0()));
    let p = planner(&db, clock);
    p.plan_tenant(t).await.unwrap();
    let bot = bots_of(&db, t).await.remove(0);

    // The organizer moves it an hour later.
    ev.start = start + Duration::hours(1);
    put_event(&db, &cal, &ev).await;
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.moved, vec![bot.id], "{report:?}");
    assert!(report.created.is_empty() && report.cancelled.is_empty());
    let moved = repo::bots::get(&db, bot.id).await.unwrap();
    assert_eq!(moved.scheduled_start_at, ev.start - Duration::seconds(60));
    assert_eq!(moved.state(), Some(BotState::Scheduled));
    let meeting = repo::meetings::get(&db, moved.meeting_id).await.unwrap();
    assert_eq!(meeting.starts_at, ev.start);
    assert_eq!(p.plan_tenant(t).await.unwrap(), PlanReport::default());

    // Then cancels it.
    ev.status = "cancelled";
    put_event(&db, &cal, &ev).await;
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.cancelled, vec![bot.id]);
    let gone = repo::bots::get(&db, bot.id).await.unwrap();
    assert_eq!(gone.state(), Some(BotState::Cancelled));
    assert_eq!(gone.end_reason(), Some(EndReason::Cancelled));
    assert_eq!(p.plan_tenant(t).await.unwrap(), PlanReport::default());
}

#[tokio::test]
async fn declined_by_one_keeps_the_bot_declined_by_all_cancels_it() {
    let (db, _dir) = support::db().await;
    let t = tenant(&db).await;
    let (ann, ann_cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    let (bob, bob_cal) = user_with_calendar(&db, t, "bob@acme.com").await;
    let start = t0() + Duration::hours(1);
    let url = "https://teams.microsoft.com/meet/26482719471293?p=sW9fHy4L";
    let mut a = Ev::new("a1", start, url, "boss@other.com");
    a.attendees = vec![("ann@acme.com", "accepted"), ("bob@acme.com", "accepted")];
    let mut b = Ev::new("b1", start, url, "boss@other.com");
    b.attendees = a.attendees.clone();
    put_event(&db, &ann_cal, &a).await;
    put_event(&db, &bob_cal, &b).await;
    let p = planner(&db, Arc::new(ManualClock::new(t0())));
    p.plan_tenant(t).await.unwrap();
    let bot = bots_of(&db, t).await.remove(0);

    a.attendees = vec![("ann@acme.com", "declined"), ("bob@acme.com", "accepted")];
    put_event(&db, &ann_cal, &a).await;
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.requesters_removed, vec![(bot.id, ann.id)]);
    assert!(report.cancelled.is_empty());
    assert_eq!(
        repo::bots::requesters(&db, bot.id).await.unwrap(),
        vec![bob.id]
    );

    b.attendees = vec![("ann@acme.com", "declined"), ("bob@acme.com", "declined")];
    put_event(&db, &bob_cal, &b).await;
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.cancelled, vec![bot.id]);
}

#[tokio::test]
async fn series_exceptions_rules_and_overrides_are_honored() {
    let (db, _dir) = support::db().await;
    let t = tenant(&db).await;
    let (ann, cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    scheduling::set_rules(
        &db,
        ann.id,
        &Rules {
            only_external: true,
            exclude_keywords: vec!["1:1".into()],
            ..Rules::default()
        }
        .to_new(),
    )
    .await
    .unwrap();
    let url = "https://meet.google.com/abc-defg-hij";
    let day = Duration::days(1);
    // A daily series with an outside guest: instance 2 cancelled, instance 3 moved.
    let ids: Vec<String> = (0..3)
        .map(|i| format!("series1_2030030{}T100000Z", 5 + i))
        .collect();
    let mut instances = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let mut ev = Ev::new(
            id,
            t0() + Duration::hours(1) + day * i as i32,
            url,
            "ann@acme.com",
        );
        ev.attendees = vec![
            ("ann@acme.com", "accepted"),
            ("guest@partner.org", "accepted"),
        ];
        ev.series = Some("series1");
        instances.push(ev);
    }
    instances[1].status = "cancelled";
    instances[2].start += Duration::hours(2);
    for ev in &instances {
        put_event(&db, &cal, ev).await;
    }
    // Internal-only meeting and a 1:1 are ruled out.
    let mut internal = Ev::new(
        "internal",
        t0() + Duration::hours(5),
        "https://zoom.us/j/98765432101",
        "ann@acme.com",
    );
    internal.attendees = vec![("ann@acme.com", "accepted"), ("bob@acme.com", "accepted")];
    put_event(&db, &cal, &internal).await;
    let mut one_on_one = Ev::new(
        "1on1",
        t0() + Duration::hours(6),
        "https://zoom.us/j/98765432102",
        "ann@acme.com",
    );
    one_on_one.title = "Ann / Guest 1:1";
    one_on_one.attendees = vec![
        ("ann@acme.com", "accepted"),
        ("guest@partner.org", "accepted"),
    ];
    put_event(&db, &cal, &one_on_one).await;

    let p = planner(&db, Arc::new(ManualClock::new(t0())));
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(
        report.created.len(),
        2,
        "instances 1 and 3 only: {report:?}"
    );
    let mut starts: Vec<_> = bots_of(&db, t)
        .await
        .iter()
        .map(|b| b.scheduled_start_at)
        .collect();
    starts.sort();
    let lead = Duration::seconds(60);
    assert_eq!(
        starts,
        vec![instances[0].start - lead, instances[2].start - lead]
    );

    // "always" on the internal meeting, "never" on the whole series.
    scheduling::set_override(
        &db,
        ann.id,
        cal.id,
        OverrideScope::Event,
        "internal",
        OverrideDecision::Always,
    )
    .await
    .unwrap();
    scheduling::set_override(
        &db,
        ann.id,
        cal.id,
        OverrideScope::Series,
        "series1",
        OverrideDecision::Never,
    )
    .await
    .unwrap();
    // A resync rewrites the events; the overrides stay.
    put_event(&db, &cal, &internal).await;
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.created.len(), 1, "{report:?}");
    assert_eq!(report.cancelled.len(), 2, "{report:?}");
    let live: Vec<_> = bots_of(&db, t)
        .await
        .into_iter()
        .filter(|b| b.state() == Some(BotState::Scheduled))
        .collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].scheduled_start_at, internal.start - lead);
}

#[tokio::test]
async fn a_calendar_that_needs_reauth_schedules_nothing_and_others_are_unaffected() {
    let (db, _dir) = support::db().await;
    let t = tenant(&db).await;
    let (_ann, ann_cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    let (_bob, bob_cal) = user_with_calendar(&db, t, "bob@acme.com").await;
    repo::calendar::set_status(&db, ann_cal.id, ConnectionStatus::NeedsReauth)
        .await
        .unwrap();
    put_event(
        &db,
        &ann_cal,
        &Ev::new(
            "a",
            t0() + Duration::hours(1),
            "https://zoom.us/j/11111111111",
            "ann@acme.com",
        ),
    )
    .await;
    put_event(
        &db,
        &bob_cal,
        &Ev::new(
            "b",
            t0() + Duration::hours(1),
            "https://zoom.us/j/22222222222",
            "bob@acme.com",
        ),
    )
    .await;
    let p = planner(&db, Arc::new(ManualClock::new(t0())));
    let report = p.plan_tenant(t).await.unwrap();
    assert_eq!(report.created.len(), 1);
    let bots = bots_of(&db, t).await;
    let meeting = repo::meetings::get(&db, bots[0].meeting_id).await.unwrap();
    assert_eq!(meeting.meeting_url, "https://zoom.us/j/22222222222");
}

#[tokio::test]
async fn events_without_a_link_or_in_the_past_get_no_bot() {
    let (db, _dir) = support::db().await;
    let t = tenant(&db).await;
    let (_ann, cal) = user_with_calendar(&db, t, "ann@acme.com").await;
    let mut no_link = Ev::new("nolink", t0() + Duration::hours(1), "x", "ann@acme.com");
    no_link.url = None;
    put_event(&db, &cal, &no_link).await;
    put_event(
        &db,
        &cal,
        &Ev::new(
            "rec",
            t0() + Duration::hours(1),
            "https://zoom.us/rec/share/abc",
            "ann@acme.com",
        ),
    )
    .await;
    put_event(
        &db,
        &cal,
        &Ev::new(
            "past",
            t0() - Duration::hours(2),
            "https://zoom.us/j/11111111111",
            "ann@acme.com",
        ),
    )
    .await;
    let p = planner(&db, Arc::new(ManualClock::new(t0())));
    assert_eq!(p.plan_tenant(t).await.unwrap(), PlanReport::default());
    assert!(bots_of(&db, t).await.is_empty());
}
