//! The bot's row follows the bot: every transition stored with
//! `repo::bots::transition_at_version` (optimistic: the version this process
//! last wrote) and announced on `bot.events`.

use super::error::WiredError;
use super::WiredContext;
use crate::report::TransitionRecord;
use chrono::Utc;
use mymeet_core::bus::messages::BotEventV1;
use mymeet_core::bus::Envelope;
use mymeet_core::db::entities::bots;
use mymeet_core::db::repo::{bots as bot_repo, RepoError};
use mymeet_core::domain::{BotState, EndReason};
use mymeet_core::launches;
use std::time::Duration;
use uuid::Uuid;

/// Tries of a database write that failed for a reason other than the state
/// machine (a dropped connection): a failing database must not stop a bot.
const DB_TRIES: u32 = 3;

/// Stores and announces one bot's transitions.
pub(super) struct BotStates {
    ctx: WiredContext,
    bot_id: Uuid,
    /// The row's version after this process's last write.
    version: i32,
}

impl BotStates {
    /// Reads the bot and brings its row to `launching`, the state a bot
    /// process starts in: a `scheduled` bot (started by hand) is launched; an
    /// active bot past `launching` was restarted after a crash and goes back
    /// to `launching` (`crashed`); an ended bot is refused. Also returns
    /// which launch of the bot this is (its transitions into `launching`),
    /// the number its uploads are filed under.
    pub(super) async fn begin(
        ctx: WiredContext,
        bot_id: Uuid,
    ) -> Result<(Self, bots::Model, u32), WiredError> {
        let bot = bot_repo::get(&ctx.db, bot_id).await?;
        let state = bot_repo::state_of(&bot)?;
        let mut states = BotStates {
            ctx,
            bot_id,
            version: bot.version,
        };
        let relaunch = match state {
            BotState::Launching => None,
            BotState::Scheduled => Some((None, "started by hand")),
            s if s.is_terminal() => return Err(WiredError::AlreadyEnded { bot_id, state: s }),
            _ => Some((
                Some(EndReason::Crashed),
                "restarted while the bot was active",
            )),
        };
        if let Some((reason, detail)) = relaunch {
            let record = TransitionRecord {
                from: state,
                to: BotState::Launching,
                reason,
                detail: Some(detail.to_owned()),
                at: Utc::now(),
            };
            bot_repo::transition_at_version(
                &states.ctx.db,
                bot_id,
                states.version,
                BotState::Launching,
                reason,
                Some(detail),
            )
            .await?;
            states.version += 1;
            states.announce(&record).await;
        }
        // At least 1: a bot found in `launching` was claimed by the launcher,
        // which stored that step.
        let launch = launches::of_bot(&states.ctx.db, bot_id).await?.len().max(1);
        let launch = u32::try_from(launch).unwrap_or(u32::MAX);
        Ok((states, bot, launch))
    }

    /// Stores `record` and announces it. Never fails: a refused or failed
    /// write is logged and `bot.json` keeps the truth.
    pub(super) async fn record(&mut self, record: &TransitionRecord) {
        if self.store(record).await {
            self.announce(record).await;
        }
    }

    /// Writes the transition; true when the row now holds it.
    async fn store(&mut self, r: &TransitionRecord) -> bool {
        let detail = r.detail.as_deref();
        for attempt in 1..=DB_TRIES {
            let result = bot_repo::transition_at_version(
                &self.ctx.db,
                self.bot_id,
                self.version,
                r.to,
                r.reason,
                detail,
            )
            .await;
            match result {
                Ok(_) => {
                    self.version += 1;
                    return true;
                }
                Err(RepoError::Conflict(_) | RepoError::IllegalTransition(_)) => {
                    return self.reconcile(r).await;
                }
                Err(e) if attempt < DB_TRIES => {
                    tracing::warn!(bot = %self.bot_id, error = %e, attempt, "storing a transition; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                Err(e) => {
                    tracing::error!(bot = %self.bot_id, to = %r.to, error = %e,
                        "could not store a transition; bot.json keeps it");
                }
            }
        }
        false
    }

    /// Someone else moved the row (the launcher, an operator) or it is not
    /// where this process left it: adopt its version and write the step from
    /// where the row is, if the state machine allows it.
    async fn reconcile(&mut self, r: &TransitionRecord) -> bool {
        let bot = match bot_repo::get(&self.ctx.db, self.bot_id).await {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(bot = %self.bot_id, error = %e, "re-reading the bot");
                return false;
            }
        };
        self.version = bot.version;
        let current = bot.state();
        if current == Some(r.to) {
            return false; // already there; announced by whoever wrote it
        }
        match bot_repo::transition_at_version(
            &self.ctx.db,
            self.bot_id,
            self.version,
            r.to,
            r.reason,
            r.detail.as_deref(),
        )
        .await
        {
            Ok(_) => {
                self.version += 1;
                true
            }
            Err(e) => {
                tracing::error!(bot = %self.bot_id, row = %bot.state, to = %r.to, error = %e,
                    "the bot's row refused a transition; bot.json keeps it");
                false
            }
        }
    }

    /// Publishes `bot.events`; a bus failure is logged (the row is the record).
    async fn announce(&self, r: &TransitionRecord) {
        let event = BotEventV1 {
            bot_id: self.bot_id,
            from: r.from,
            to: r.to,
            reason: r.reason,
            detail: r.detail.clone(),
            at: r.at,
        };
        if let Err(e) = self.ctx.bus.publish(&Envelope::new(&event)).await {
            tracing::error!(bot = %self.bot_id, to = %r.to, error = %e, "publishing bot.events");
        }
    }
}
