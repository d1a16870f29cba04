//! How a caller follows a bot without the bot knowing about databases or
//! buses: the scheduler implements [`BotObserver`] to store transitions
//! (`db::repo::bots::transition`), publish `bot.events`, upload flushed
//! files to the blob store and publish `recording.completed`.

use crate::report::{BotReport, TransitionRecord};
use std::path::Path;

/// Receives a bot's progress. Every method has a no-op default; an observer
/// handles its own errors (a failing database must not stop a recording).
#[async_trait::async_trait]
pub trait BotObserver: Send + Sync {
    /// A checked state transition happened (already in `bot.json`).
    async fn transition(&self, _record: &TransitionRecord) {}

    /// The files under `out_dir` were flushed (about every second while
    /// recording); `report` is the report so far, its speaker timeline up to
    /// now (a turn still going ends now).
    async fn flushed(&self, _out_dir: &Path, _report: &BotReport) {}

    /// The bot ended; `report` is what `bot.json` holds.
    async fn finished(&self, _report: &BotReport) {}
}

/// An observer that ignores everything (standalone runs).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopObserver;

#[async_trait::async_trait]
impl BotObserver for NoopObserver {}
