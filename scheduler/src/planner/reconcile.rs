//! Turning judged events into meetings and bots, and withdrawing the claims
//! of events that no longer want their bot.

use super::collect::{Candidate, Verdict};
use super::{PlanError, PlanReport, PlannerConfig};
use chrono::{DateTime, Utc};
use mymeet_core::db::entities::{bot_calendar_events, bots, meetings};
use mymeet_core::db::repo::{self, meetings::NewMeeting, scheduling};
use mymeet_core::domain::{BotState, EndReason};
use mymeet_integrations::links::MeetingLink;
use sea_orm::DatabaseConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// One real meeting: a normalized link at a start time, and the events (of
/// possibly several users) that want a bot in it.
struct Group {
    link: MeetingLink,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// (event id, user id), in a stable order.
    members: Vec<(Uuid, Uuid)>,
}

/// Applies the verdicts: one bot per group, claims recorded, stale claims
/// withdrawn, unwanted bots cancelled.
pub(crate) async fn apply(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    config: &PlannerConfig,
    candidates: Vec<Candidate>,
) -> Result<PlanReport, PlanError> {
    let mut report = PlanReport::default();
    let user_ids: Vec<Uuid> = candidates
        .iter()
        .map(|c| c.user_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let links = scheduling::links_for_users(db, &user_ids).await?;
    let mut claims: HashMap<Uuid, Vec<bot_calendar_events::Model>> = HashMap::new();
    for l in &links {
        claims.entry(l.event_id).or_default().push(l.clone());
    }

    let mut groups: BTreeMap<(String, DateTime<Utc>), Group> = BTreeMap::new();
    let mut judged: HashSet<Uuid> = HashSet::new();
    for c in &candidates {
        match &c.verdict {
            Verdict::Frozen | Verdict::Past => {}
            Verdict::Skip(_) => {
                judged.insert(c.event.id);
            }
            Verdict::Join(link) => {
                judged.insert(c.event.id);
                let g = groups
                    .entry((link.url.clone(), c.event.starts_at))
                    .or_insert_with(|| Group {
                        link: link.clone(),
                        title: c.event.title.clone(),
                        starts_at: c.event.starts_at,
                        ends_at: c.event.ends_at,
                        members: Vec::new(),
                    });
                g.ends_at = g.ends_at.max(c.event.ends_at);
                g.members.push((c.event.id, c.user_id));
            }
        }
    }

    // Which bot each wanting event belongs to now.
    let mut target: HashMap<Uuid, Uuid> = HashMap::new();
    for group in groups.values_mut() {
        group.members.sort();
        let bot = bot_for_group(db, tenant_id, config, group, &claims, &links, &mut report).await?;
        let Some(bot) = bot else { continue };
        for (event_id, user_id) in &group.members {
            target.insert(*event_id, bot.id);
            let already = claims
                .get(event_id)
                .is_some_and(|ls| ls.iter().any(|l| l.bot_id == bot.id && l.wanted));
            if !already {
                scheduling::link_event(db, bot.id, *event_id, *user_id, true).await?;
            }
            let requesters = repo::bots::requesters(db, bot.id).await?;
            if !requesters.contains(user_id) {
                repo::bots::add_requester(db, bot.id, *user_id).await?;
                report.requesters_added.push((bot.id, *user_id));
            }
        }
    }

    // Claims of judged events that point elsewhere now are withdrawn.
    let mut touched: HashSet<Uuid> = HashSet::new();
    for l in &links {
        if l.wanted && judged.contains(&l.event_id) && target.get(&l.event_id) != Some(&l.bot_id) {
            scheduling::link_event(db, l.bot_id, l.event_id, l.user_id, false).await?;
            touched.insert(l.bot_id);
        }
    }
    let mut touched: Vec<Uuid> = touched.into_iter().collect();
    touched.sort();
    for bot_id in touched {
        release(db, bot_id, now, &mut report).await?;
    }
    Ok(report)
}

/// The bot of a group: the live bot of its meeting, the bot its events had
/// at their old time (moved along), or a new one.
async fn bot_for_group(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    config: &PlannerConfig,
    group: &Group,
    claims: &HashMap<Uuid, Vec<bot_calendar_events::Model>>,
    links: &[bot_calendar_events::Model],
    report: &mut PlanReport,
) -> Result<Option<bots::Model>, PlanError> {
    let start = group.starts_at - config.lead_time();
    if let Some(meeting) =
        repo::meetings::find(db, tenant_id, &group.link.url, group.starts_at).await?
    {
        let all = repo::bots::list_for_meeting(db, meeting.id).await?;
        if let Some(live) = all
            .iter()
            .find(|b| b.state().is_some_and(|s| !s.is_terminal()))
        {
            return keep_in_step(db, live.clone(), start, report)
                .await
                .map(Some);
        }
        // Recorded (or failed) already: no second bot for the same call.
        if all
            .iter()
            .any(|b| b.state().is_some_and(|s| s != BotState::Cancelled))
        {
            return Ok(None);
        }
        let requesters = requesters_of(group);
        let bot = repo::bots::create(db, meeting.id, start, &requesters).await?;
        report.created.push(bot.id);
        return Ok(Some(bot));
    }
    if let Some(bot) = movable_bot(db, group, claims, links).await? {
        // The bot first: its version check refuses a move the launcher raced.
        if scheduling::reschedule_bot(db, bot.id, bot.version, start).await? {
            scheduling::move_meeting(
                db,
                bot.meeting_id,
                group.starts_at,
                group.ends_at,
                &group.title,
            )
            .await?;
            report.moved.push(bot.id);
            return Ok(Some(repo::bots::get(db, bot.id).await?));
        }
    }
    let meeting = repo::meetings::upsert(
        db,
        NewMeeting {
            tenant_id,
            platform: group.link.platform,
            meeting_url: &group.link.url,
            title: &group.title,
            starts_at: group.starts_at,
            ends_at: group.ends_at,
        },
    )
    .await?
    .model;
    let bot = repo::bots::create(db, meeting.id, start, &requesters_of(group)).await?;
    report.created.push(bot.id);
    Ok(Some(bot))
}

/// A still-scheduled bot whose every claim comes from this group's events at
/// an older time of the same link: the meeting moved, so the bot moves.
async fn movable_bot(
    db: &DatabaseConnection,
    group: &Group,
    claims: &HashMap<Uuid, Vec<bot_calendar_events::Model>>,
    links: &[bot_calendar_events::Model],
) -> Result<Option<bots::Model>, PlanError> {
    let members: HashSet<Uuid> = group.members.iter().map(|(e, _)| *e).collect();
    let mut seen = HashSet::new();
    for (event_id, _) in &group.members {
        for claim in claims.get(event_id).into_iter().flatten() {
            if !claim.wanted || !seen.insert(claim.bot_id) {
                continue;
            }
            let others = links
                .iter()
                .any(|l| l.bot_id == claim.bot_id && l.wanted && !members.contains(&l.event_id));
            if others {
                continue;
            }
            let bot = repo::bots::get(db, claim.bot_id).await?;
            if bot.state() != Some(BotState::Scheduled) {
                continue;
            }
            let meeting: meetings::Model = repo::meetings::get(db, bot.meeting_id).await?;
            if meeting.meeting_url == group.link.url {
                return Ok(Some(bot));
            }
        }
    }
    Ok(None)
}

/// Moves a scheduled bot whose start no longer matches its meeting's time.
async fn keep_in_step(
    db: &DatabaseConnection,
    bot: bots::Model,
    start: DateTime<Utc>,
    report: &mut PlanReport,
) -> Result<bots::Model, PlanError> {
    if bot.state() == Some(BotState::Scheduled)
        && bot.scheduled_start_at != start
        && scheduling::reschedule_bot(db, bot.id, bot.version, start).await?
    {
        report.moved.push(bot.id);
        return Ok(repo::bots::get(db, bot.id).await?);
    }
    Ok(bot)
}

fn requesters_of(group: &Group) -> Vec<Uuid> {
    let mut users: Vec<Uuid> = group.members.iter().map(|(_, u)| *u).collect();
    users.sort();
    users.dedup();
    users
}

/// After claims on `bot_id` were withdrawn: users with no claim left stop
/// being requesters, and a scheduled bot nobody wants is cancelled.
async fn release(
    db: &DatabaseConnection,
    bot_id: Uuid,
    now: DateTime<Utc>,
    report: &mut PlanReport,
) -> Result<(), PlanError> {
    let bot = repo::bots::get(db, bot_id).await?;
    if bot.state() != Some(BotState::Scheduled) {
        return Ok(());
    }
    let claims = scheduling::links_for_bot(db, bot_id).await?;
    let wanting: HashSet<Uuid> = claims
        .iter()
        .filter(|l| l.wanted)
        .map(|l| l.user_id)
        .collect();
    if wanting.is_empty() {
        match repo::bots::transition(
            db,
            bot_id,
            BotState::Cancelled,
            Some(EndReason::Cancelled),
            Some("no calendar event wants this bot any more"),
        )
        .await
        {
            Ok(_) => report.cancelled.push(bot_id),
            // The launcher claimed it first; the next run sees its new state.
            Err(e) if e.is_conflict() => {
                tracing::info!(bot = %bot_id, at = %now, "bot changed while being cancelled")
            }
            Err(e) => return Err(e.into()),
        }
        return Ok(());
    }
    let from_calendar: HashSet<Uuid> = claims.iter().map(|l| l.user_id).collect();
    for user in repo::bots::requesters(db, bot_id).await? {
        if from_calendar.contains(&user) && !wanting.contains(&user) {
            scheduling::remove_requester(db, bot_id, user).await?;
            report.requesters_removed.push((bot_id, user));
        }
    }
    Ok(())
}
