//! Gathering a tenant's calendar events and judging each one by its user's
//! rules and overrides.

use super::{PlanError, PlannerConfig};
use crate::rules::{self, decide, Decision, EventFacts, Rules, SkipReason};
use chrono::{DateTime, Duration, Utc};
use mymeet_core::db::entities::calendar_connections::{self, ConnectionStatus};
use mymeet_core::db::entities::{calendar_events, event_overrides, users};
use mymeet_core::db::repo::{self, scheduling};
use mymeet_integrations::links::MeetingLink;
use sea_orm::{DatabaseConnection, EntityTrait};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How far back events are read: a meeting that started up to this long ago
/// may still be running.
const LOOKBACK: Duration = Duration::days(1);

/// What the planner makes of one event.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Its connection cannot be synced: keep whatever it decided before.
    Frozen,
    /// Already over: history, left alone.
    Past,
    /// It wants no bot.
    Skip(SkipReason),
    /// It wants a bot in this meeting.
    Join(MeetingLink),
}

/// One event of one user, judged.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The stored event.
    pub event: calendar_events::Model,
    /// Whose calendar it is in.
    pub user_id: Uuid,
    /// The verdict.
    pub verdict: Verdict,
}

/// Every event of the tenant's calendars in the planning window, plus the
/// events that still hold a claim on a bot wherever they moved.
pub(crate) async fn candidates(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    now: DateTime<Utc>,
    config: &PlannerConfig,
) -> Result<Vec<Candidate>, PlanError> {
    let users = repo::users::list_for_tenant(db, tenant_id).await?;
    let user_ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let mut judges: HashMap<Uuid, Judge> = HashMap::new();
    let mut out = Vec::new();
    let mut seen: HashSet<Uuid> = HashSet::new();
    for user in &users {
        let rules = scheduling::get_rules(db, user.id)
            .await?
            .map(|m| Rules::from_model(&m))
            .unwrap_or_default();
        let overrides = scheduling::overrides_for_user(db, user.id).await?;
        for conn in repo::calendar::list_for_user(db, user.id).await? {
            let judge = Judge {
                user: user.clone(),
                conn: conn.clone(),
                rules: rules.clone(),
                overrides: overrides.clone(),
            };
            let events =
                repo::calendar::list_events(db, conn.id, now - LOOKBACK, now + config.horizon())
                    .await?;
            for event in events {
                seen.insert(event.id);
                out.push(judge.judge(event, now));
            }
            judges.insert(conn.id, judge);
        }
    }
    // Events that moved out of the window still release their bot.
    for link in scheduling::links_for_users(db, &user_ids).await? {
        if !link.wanted || seen.contains(&link.event_id) {
            continue;
        }
        let Some(event) = calendar_events::Entity::find_by_id(link.event_id)
            .one(db)
            .await?
        else {
            continue;
        };
        seen.insert(event.id);
        if let Some(judge) = judges.get(&event.connection_id) {
            out.push(judge.judge(event, now));
        }
    }
    Ok(out)
}

/// One user's rules applied to one connection's events.
struct Judge {
    user: users::Model,
    conn: calendar_connections::Model,
    rules: Rules,
    overrides: Vec<event_overrides::Model>,
}

impl Judge {
    fn judge(&self, event: calendar_events::Model, now: DateTime<Utc>) -> Candidate {
        let verdict = self.verdict(&event, now);
        Candidate {
            event,
            user_id: self.user.id,
            verdict,
        }
    }

    fn verdict(&self, event: &calendar_events::Model, now: DateTime<Utc>) -> Verdict {
        match self.conn.status {
            ConnectionStatus::NeedsReauth => return Verdict::Frozen,
            // A disconnected calendar asks for nothing any more.
            ConnectionStatus::Disconnected => return Verdict::Skip(SkipReason::Disabled),
            ConnectionStatus::Active => {}
        }
        if event.ends_at <= now {
            return Verdict::Past;
        }
        let facts = match EventFacts::of(event, &[&self.user.email, &self.conn.account_email]) {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(event = %event.id, error = %e, "event cannot be judged");
                return Verdict::Skip(SkipReason::NoLink);
            }
        };
        let over = rules::override_for(
            &self.overrides,
            self.conn.id,
            &event.provider_event_id,
            facts.series_id.as_deref(),
        );
        match (decide(&self.rules, &facts, over), facts.link) {
            (Decision::Join, Some(link)) => Verdict::Join(link),
            (Decision::Join, None) => Verdict::Skip(SkipReason::NoLink),
            (Decision::Skip(reason), _) => Verdict::Skip(reason),
        }
    }
}
