//! Deciding and scheduling: from the stored calendar events of a tenant,
//! which meetings get a bot, and when it starts.
//!
//! - One bot per real meeting: the same normalized link at the same start in
//!   several users' calendars is one `meetings` row and one bot, with every
//!   user who wanted it as a requester (they all get the report).
//! - A bot starts `lead_time` before its meeting. An event that moves takes
//!   its still-`scheduled` bot along; an event that is cancelled, declined or
//!   ruled out withdraws its claim, and a bot no event wants any more is
//!   cancelled. Calendars whose connection needs re-authorization are
//!   frozen: nothing new is scheduled from them, and their stale data
//!   cancels nothing.
//! - Planning is idempotent: a second run over unchanged events writes
//!   nothing.

mod clock;
mod collect;
mod reconcile;

pub use clock::{Clock, ManualClock, SystemClock};
pub use collect::{Candidate, Verdict};
pub use mymeet_core::config::PlannerConfig;

use mymeet_core::db::repo::{self, RepoError};
use sea_orm::{DatabaseConnection, DbErr};
use std::sync::Arc;
use uuid::Uuid;

/// What a planning run changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanReport {
    /// Bots created.
    pub created: Vec<Uuid>,
    /// Bots moved to a new start.
    pub moved: Vec<Uuid>,
    /// Bots cancelled.
    pub cancelled: Vec<Uuid>,
    /// (bot, user) requesters added.
    pub requesters_added: Vec<(Uuid, Uuid)>,
    /// (bot, user) requesters removed.
    pub requesters_removed: Vec<(Uuid, Uuid)>,
}

impl PlanReport {
    /// True when the run changed nothing.
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.moved.is_empty()
            && self.cancelled.is_empty()
            && self.requesters_added.is_empty()
            && self.requesters_removed.is_empty()
    }
}

/// What planning can fail with.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A repository call failed.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// A direct query failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// Decides which meetings of a tenant get bots, and keeps those bots in step
/// with the calendars.
#[derive(Debug, Clone)]
pub struct Planner {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    config: PlannerConfig,
}

impl Planner {
    /// A planner over `db`, reading time from `clock`.
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>, config: PlannerConfig) -> Planner {
        Planner { db, clock, config }
    }

    /// Plans one tenant.
    pub async fn plan_tenant(&self, tenant_id: Uuid) -> Result<PlanReport, PlanError> {
        let now = self.clock.now();
        let candidates = collect::candidates(&self.db, tenant_id, now, &self.config).await?;
        reconcile::apply(&self.db, tenant_id, now, &self.config, candidates).await
    }

    /// Plans every tenant; one tenant's failure is logged and does not stop
    /// the others.
    pub async fn plan_all(&self) -> Result<PlanReport, PlanError> {
        let mut total = PlanReport::default();
        for tenant in repo::tenants::list(&self.db).await? {
            match self.plan_tenant(tenant.id).await {
                Ok(r) => {
                    total.created.extend(r.created);
                    total.moved.extend(r.moved);
                    total.cancelled.extend(r.cancelled);
                    total.requesters_added.extend(r.requesters_added);
                    total.requesters_removed.extend(r.requesters_removed);
                }
                Err(e) => tracing::warn!(tenant = %tenant.id, error = %e, "planning failed"),
            }
        }
        Ok(total)
    }
}
