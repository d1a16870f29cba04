//! `bot.json` while the bot runs: at most every `every`, when its
//! transitions or speaker timeline changed, the report so far goes to the
//! launch's `bot.json` blob, so a launch that dies keeps who spoke when up
//! to then (the transcription stage reads each launch's timeline from
//! there). The hand-over stores the final report over it.

use super::handover::BotIds;
use super::WiredContext;
use crate::report::BotReport;
use bytes::Bytes;
use mymeet_core::blob::layout;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Periodic uploads of one launch's `bot.json`.
pub(super) struct ReportUploads {
    ctx: WiredContext,
    ids: BotIds,
    every: Duration,
    last: Option<Instant>,
    /// What the last upload that went through held of the transitions and
    /// speakers (a failed one is sent again on the next tick).
    sent: Arc<Mutex<Option<Vec<u8>>>>,
    running: Option<JoinHandle<()>>,
}

impl ReportUploads {
    /// Uploads for `ids` at most every `every`.
    pub(super) fn new(ctx: WiredContext, ids: BotIds, every: Duration) -> Self {
        ReportUploads {
            ctx,
            ids,
            every,
            last: None,
            sent: Arc::default(),
            running: None,
        }
    }

    /// Called after every flush with the report so far.
    pub(super) fn flushed(&mut self, report: &BotReport) {
        if self.last.is_some_and(|t| t.elapsed() < self.every) {
            return;
        }
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.last = Some(Instant::now());
        // Counters move on every tick; only a new step or turn is news.
        let Ok(content) = serde_json::to_vec(&(&report.transitions, &report.speakers)) else {
            return;
        };
        if lock(&self.sent).as_ref() == Some(&content) {
            return;
        }
        let json = match serde_json::to_vec(report) {
            Ok(json) => Bytes::from(json),
            Err(e) => {
                tracing::warn!(bot = %self.ids.bot_id, error = %e, "serializing bot.json");
                return;
            }
        };
        let (ctx, ids, sent) = (self.ctx.clone(), self.ids, self.sent.clone());
        self.running = Some(tokio::spawn(async move {
            let key = layout::bot_report(ids.bot_id, ids.launch);
            match ctx.blobs.put(&key, json).await {
                Ok(()) => *lock(&sent) = Some(content),
                Err(e) => {
                    tracing::warn!(bot = %ids.bot_id, %key, error = %e, "uploading bot.json so far");
                }
            }
        }));
    }

    /// Waits for an upload in flight, so that it cannot land after (and
    /// overwrite) the final `bot.json`.
    pub(super) async fn settle(&mut self) {
        if let Some(handle) = self.running.take() {
            let _ = handle.await;
        }
    }
}

/// A poisoned lock still holds the last content sent.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
