//! Auto-join decisions for single events, from the JSON either provider
//! stores: organizer, outside attendees, acceptance, keywords, overrides.

use chrono::{TimeZone, Utc};
use mymeet_core::db::entities::calendar_events;
use mymeet_scheduler::rules::{
    decide, Decision, EventFacts, OverrideDecision, Response, Rules, SkipReason,
};
use serde_json::json;
use uuid::Uuid;

fn event(
    title: &str,
    organizer: &str,
    attendees: serde_json::Value,
    raw: serde_json::Value,
) -> calendar_events::Model {
    let t = Utc.with_ymd_and_hms(2030, 1, 2, 10, 0, 0).single().unwrap();
    calendar_events::Model {
        id: Uuid::new_v4(),
        connection_id: Uuid::new_v4(),
        provider_event_id: "e".into(),
        title: title.into(),
        starts_at: t,
        ends_at: t + chrono::Duration::minutes(30),
        meeting_url: Some("https://meet.google.com/abc-defg-hij".into()),
        organizer_email: Some(organizer.into()),
        attendees,
        status: "confirmed".into(),
        raw,
        updated_at: t,
    }
}

fn google(title: &str, organizer: &str, people: &[(&str, &str)]) -> calendar_events::Model {
    let attendees = json!(people
        .iter()
        .map(|(e, r)| json!({"email": e, "responseStatus": r, "self": *e == "me@acme.com"}))
        .collect::<Vec<_>>());
    event(
        title,
        organizer,
        attendees.clone(),
        json!({"kind": "calendar#event", "attendees": attendees}),
    )
}

fn facts(ev: &calendar_events::Model) -> EventFacts {
    EventFacts::of(ev, &["me@acme.com"]).unwrap()
}

#[test]
fn the_narrowing_rules_each_decide() {
    let mine_internal = google(
        "Standup",
        "me@acme.com",
        &[("me@acme.com", "accepted"), ("bob@acme.com", "accepted")],
    );
    let theirs_external = google(
        "Vendor call",
        "pm@vendor.io",
        &[("me@acme.com", "accepted"), ("pm@vendor.io", "accepted")],
    );
    let unanswered = google(
        "Town hall",
        "ceo@acme.com",
        &[("me@acme.com", "needsAction")],
    );
    let tentative = google("Maybe", "ceo@acme.com", &[("me@acme.com", "tentative")]);

    let all = Rules::default();
    for ev in [&mine_internal, &theirs_external, &unanswered, &tentative] {
        assert_eq!(
            decide(&all, &facts(ev), None),
            Decision::Join,
            "{}",
            ev.title
        );
    }
    let organized = Rules {
        only_organized: true,
        ..Rules::default()
    };
    assert_eq!(
        decide(&organized, &facts(&mine_internal), None),
        Decision::Join
    );
    assert_eq!(
        decide(&organized, &facts(&theirs_external), None),
        Decision::Skip(SkipReason::NotOrganizer)
    );
    let external = Rules {
        only_external: true,
        ..Rules::default()
    };
    assert_eq!(
        decide(&external, &facts(&mine_internal), None),
        Decision::Skip(SkipReason::NoExternalAttendees)
    );
    assert_eq!(
        decide(&external, &facts(&theirs_external), None),
        Decision::Join
    );
    let accepted = Rules {
        only_accepted: true,
        ..Rules::default()
    };
    assert_eq!(
        decide(&accepted, &facts(&mine_internal), None),
        Decision::Join,
        "organizing counts"
    );
    assert_eq!(
        decide(&accepted, &facts(&theirs_external), None),
        Decision::Join
    );
    assert_eq!(
        decide(&accepted, &facts(&unanswered), None),
        Decision::Skip(SkipReason::NotAccepted)
    );
    assert_eq!(
        decide(&accepted, &facts(&tentative), None),
        Decision::Skip(SkipReason::NotAccepted)
    );
}

#[test]
fn keywords_overrides_declines_and_cancellations() {
    let ev = google(
        "Quarterly Planning (internal)",
        "me@acme.com",
        &[("me@acme.com", "accepted")],
    );
    let include = Rules {
        include_keywords: vec!["planning".into()],
        ..Rules::default()
    };
    assert_eq!(decide(&include, &facts(&ev), None), Decision::Join);
    let include_other = Rules {
        include_keywords: vec!["retro".into()],
        ..Rules::default()
    };
    assert_eq!(
        decide(&include_other, &facts(&ev), None),
        Decision::Skip(SkipReason::MissingKeyword)
    );
    let exclude = Rules {
        include_keywords: vec!["planning".into()],
        exclude_keywords: vec!["INTERNAL".into()],
        ..Rules::default()
    };
    assert_eq!(
        decide(&exclude, &facts(&ev), None),
        Decision::Skip(SkipReason::ExcludedKeyword)
    );
    assert_eq!(
        decide(&exclude, &facts(&ev), Some(OverrideDecision::Always)),
        Decision::Join
    );
    let off = Rules {
        enabled: false,
        ..Rules::default()
    };
    assert_eq!(
        decide(&off, &facts(&ev), None),
        Decision::Skip(SkipReason::Disabled)
    );
    assert_eq!(
        decide(&off, &facts(&ev), Some(OverrideDecision::Always)),
        Decision::Join
    );
    assert_eq!(
        decide(
            &Rules::default(),
            &facts(&ev),
            Some(OverrideDecision::Never)
        ),
        Decision::Skip(SkipReason::OverriddenNever)
    );

    let declined = google("Sync", "boss@acme.com", &[("me@acme.com", "declined")]);
    assert_eq!(facts(&declined).response, Response::Declined);
    assert_eq!(
        decide(&Rules::default(), &facts(&declined), None),
        Decision::Skip(SkipReason::Declined)
    );

    let mut cancelled = ev.clone();
    cancelled.status = "cancelled".into();
    assert_eq!(
        decide(
            &Rules::default(),
            &facts(&cancelled),
            Some(OverrideDecision::Always)
        ),
        Decision::Skip(SkipReason::Cancelled)
    );
    let mut no_link = ev.clone();
    no_link.meeting_url = Some("https://docs.google.com/document/d/x/edit".into());
    assert_eq!(
        decide(
            &Rules::default(),
            &facts(&no_link),
            Some(OverrideDecision::Always)
        ),
        Decision::Skip(SkipReason::NoLink)
    );
}

#[test]
fn graph_events_are_understood_too() {
    let attendees = json!([
        {"type": "required", "status": {"response": "none"}, "emailAddress": {"name": "Ana", "address": "ana@contoso.com"}},
    ]);
    let raw = json!({
        "subject": "Partner review",
        "isOrganizer": false,
        "responseStatus": {"response": "tentativelyAccepted"},
        "seriesMasterId": "AAMkSeries=",
        "organizer": {"emailAddress": {"address": "ana@contoso.com"}},
        "attendees": attendees,
    });
    let mut ev = event("Partner review", "ana@contoso.com", attendees, raw);
    ev.meeting_url = None;
    ev.raw["onlineMeeting"] =
        json!({"joinUrl": "https://teams.microsoft.com/meet/26482719471293?p=abc"});
    let f = facts(&ev);
    assert_eq!(f.response, Response::Tentative);
    assert!(f.has_external && !f.organized_by_user);
    assert_eq!(f.series_id.as_deref(), Some("AAMkSeries="));
    assert_eq!(f.link.as_ref().unwrap().meeting_id, "26482719471293");
    let accepted = Rules {
        only_accepted: true,
        ..Rules::default()
    };
    assert_eq!(
        decide(&accepted, &f, None),
        Decision::Skip(SkipReason::NotAccepted)
    );
    ev.raw["responseStatus"] = json!({"response": "accepted"});
    assert_eq!(decide(&accepted, &facts(&ev), None), Decision::Join);
}
