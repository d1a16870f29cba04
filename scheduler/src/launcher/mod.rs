//! Launching bots: each due bot is claimed (`scheduled → launching`, the
//! repository's version check makes the claim at-most-once) and started as a
//! child process or a Kubernetes Job; bots whose process died while their
//! meeting is still on are restarted (`→ launching`, reason `crashed`);
//! those that die after it are failed, and what they uploaded while
//! recording is handed to the pipeline ([`OrphanRecordings`]).
//!
//! Only the holder of the `launcher` lease (a compare-and-set row with an
//! expiry in `scheduler_leases`) launches, so two scheduler instances, or one
//! restarted while the old one's lease lives, never start a bot twice.

mod backend;
mod config;
mod kubernetes;
mod lease;
mod orphan;
mod process;
mod select;

pub use backend::{Backend, LaunchError, RunStatus};
pub use config::{BackendKind, KubernetesConfig, LauncherConfig, ProcessConfig, Resources};
pub use kubernetes::{build_job, job_name, validate_job, KubeBackend};
pub use lease::Lease;
pub use orphan::{OrphanError, OrphanRecordings};
pub use process::ProcessBackend;
pub use select::backend_for;

use crate::planner::Clock;
use chrono::{DateTime, Utc};
use mymeet_core::db::entities::bots;
use mymeet_core::db::repo::{self, RepoError};
use mymeet_core::domain::{BotState, EndReason};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use uuid::Uuid;

/// The states in which a bot's process should be running.
const ACTIVE: [BotState; 5] = [
    BotState::Launching,
    BotState::Joining,
    BotState::WaitingRoom,
    BotState::Recording,
    BotState::Leaving,
];

/// What one launcher tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// False when another instance holds the lease (this one did nothing).
    pub leader: bool,
    /// Bots claimed and started.
    pub launched: Vec<Uuid>,
    /// Crashed bots started again.
    pub restarted: Vec<Uuid>,
    /// Bots marked failed (crashed after their meeting, or would not start).
    pub failed: Vec<Uuid>,
    /// Scheduled bots whose meeting ended before they could launch.
    pub missed: Vec<Uuid>,
    /// Recordings made from the uploads of bots that died while recording.
    pub adopted: Vec<Uuid>,
}

/// Starts due bots and restarts crashed ones, one tick at a time.
pub struct Launcher {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    backend: Arc<dyn Backend>,
    lease: Lease,
    config: LauncherConfig,
    orphans: Option<OrphanRecordings>,
}

impl Launcher {
    /// A launcher over `db` that starts bots with `backend`; `instance` names
    /// this scheduler instance in the lease.
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        backend: Arc<dyn Backend>,
        config: LauncherConfig,
        instance: &str,
    ) -> Launcher {
        let lease = Lease::new(db.clone(), &config.lease_name, instance, config.lease_ttl());
        Launcher {
            db,
            clock,
            backend,
            lease,
            config,
            orphans: None,
        }
    }

    /// Hands the uploads of bots that die while recording (and are not
    /// restarted) to the pipeline, instead of only failing them.
    pub fn with_orphan_recordings(mut self, orphans: OrphanRecordings) -> Self {
        self.orphans = Some(orphans);
        self
    }

    /// One pass: take or renew the lease, restart crashed bots, start due ones.
    pub async fn tick(&self) -> Result<TickReport, LaunchError> {
        let now = self.clock.now();
        let mut report = TickReport::default();
        if !self.lease.acquire(now).await? {
            return Ok(report);
        }
        report.leader = true;
        let mut active = self.reconcile_active(now, &mut report).await?;
        let due =
            repo::bots::list_in_state(&self.db, BotState::Scheduled, now, self.config.batch_size)
                .await?;
        for bot in due {
            if active >= self.config.max_concurrent {
                tracing::info!(active, "concurrency limit reached; the rest wait");
                break;
            }
            if self.launch_due(&bot, now, &mut report).await? {
                active += 1;
            }
        }
        Ok(report)
    }

    /// Ticks every `tick_secs` until `shutdown` resolves, then gives the lease up.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut every = tokio::time::interval(self.config.tick());
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = every.tick() => {
                    if let Err(e) = self.tick().await {
                        tracing::warn!(error = %e, "launcher tick failed");
                    }
                }
            }
        }
        if let Err(e) = self.lease.release().await {
            tracing::warn!(error = %e, "could not release the launcher lease");
        }
    }

    /// Checks every active bot's process; returns how many are running.
    async fn reconcile_active(
        &self,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<usize, LaunchError> {
        let far = now + chrono::Duration::days(3650);
        let mut running = 0;
        for state in ACTIVE {
            for bot in repo::bots::list_in_state(&self.db, state, far, 10_000).await? {
                match self.backend.status(&bot).await? {
                    RunStatus::Running | RunStatus::Unknown => running += 1,
                    RunStatus::Gone => {
                        if self.recover(&bot, state, now, report).await? {
                            running += 1;
                        }
                    }
                }
            }
        }
        Ok(running)
    }

    /// A bot whose process is gone: restarted while its meeting is on (and
    /// it got past launching), failed otherwise. True when restarted.
    async fn recover(
        &self,
        bot: &bots::Model,
        state: BotState,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<bool, LaunchError> {
        let meeting = repo::meetings::get(&self.db, bot.meeting_id).await?;
        if state != BotState::Launching && now < meeting.ends_at {
            let claimed = repo::bots::transition_at_version(
                &self.db,
                bot.id,
                bot.version,
                BotState::Launching,
                Some(EndReason::Crashed),
                Some("bot process exited during the meeting; restarting"),
            )
            .await;
            return match claimed {
                Ok(_) => {
                    tracing::warn!(bot = %bot.id, from = %state, "restarting crashed bot");
                    self.start_claimed(bot, report).await?;
                    report.restarted.push(bot.id);
                    Ok(true)
                }
                Err(e) if e.is_conflict() => Ok(false),
                Err(e) => Err(e.into()),
            };
        }
        if let Some(orphans) = &self.orphans {
            // Before the bot is failed: an adoption that fails leaves it
            // active, so the next tick tries again and nothing is lost.
            match orphans.adopt(&self.db, bot).await {
                Ok(Some(recording)) => report.adopted.push(recording),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(bot = %bot.id, error = %e, "cannot adopt a dead bot's recording yet");
                    return Ok(false);
                }
            }
        }
        let detail = if state == BotState::Launching {
            "bot process exited before it joined"
        } else {
            "bot process exited after the meeting ended"
        };
        match repo::bots::transition_at_version(
            &self.db,
            bot.id,
            bot.version,
            BotState::Failed,
            Some(EndReason::Crashed),
            Some(detail),
        )
        .await
        {
            Ok(_) => report.failed.push(bot.id),
            Err(e) if e.is_conflict() || matches!(e, RepoError::IllegalTransition(_)) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(false)
    }

    /// Claims and starts one due bot. True when it was started.
    async fn launch_due(
        &self,
        bot: &bots::Model,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<bool, LaunchError> {
        let meeting = repo::meetings::get(&self.db, bot.meeting_id).await?;
        if meeting.ends_at <= now {
            match repo::bots::transition_at_version(
                &self.db,
                bot.id,
                bot.version,
                BotState::Cancelled,
                Some(EndReason::Cancelled),
                Some("the meeting ended before the bot could launch"),
            )
            .await
            {
                Ok(_) => report.missed.push(bot.id),
                Err(e) if e.is_conflict() => {}
                Err(e) => return Err(e.into()),
            }
            return Ok(false);
        }
        // The claim: only one writer moves this version to launching.
        match repo::bots::transition_at_version(
            &self.db,
            bot.id,
            bot.version,
            BotState::Launching,
            None,
            None,
        )
        .await
        {
            Ok(_) => {}
            Err(e) if e.is_conflict() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        if self.start_claimed(bot, report).await? {
            report.launched.push(bot.id);
            return Ok(true);
        }
        Ok(false)
    }

    /// Starts a claimed bot; a start that fails marks it failed.
    async fn start_claimed(
        &self,
        bot: &bots::Model,
        report: &mut TickReport,
    ) -> Result<bool, LaunchError> {
        let attempt = repo::bots::history(&self.db, bot.id)
            .await?
            .iter()
            .filter(|t| t.to_state == BotState::Launching.as_str())
            .count();
        let attempt = u32::try_from(attempt).unwrap_or(u32::MAX);
        match self.backend.start(bot.id, attempt).await {
            Ok(()) => Ok(true),
            Err(e) => {
                tracing::error!(bot = %bot.id, error = %e, "bot would not start");
                let detail = format!("launch failed: {e}");
                repo::bots::transition(
                    &self.db,
                    bot.id,
                    BotState::Failed,
                    Some(EndReason::Crashed),
                    Some(&detail),
                )
                .await?;
                report.failed.push(bot.id);
                Ok(false)
            }
        }
    }
}
