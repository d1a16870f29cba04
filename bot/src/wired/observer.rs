//! [`WiredObserver`]: the [`BotObserver`] that stores, announces and uploads.
//!
//! Transitions are stored and announced as they happen, except the terminal
//! one: it waits until the recording is handed over (uploaded, stored,
//! announced), so that a `done` row always has its recording.

use super::error::FinishError;
use super::handover::{hand_over, BotIds};
use super::live_upload::LiveUpload;
use super::part_upload::PartUploads;
use super::report_upload::ReportUploads;
use super::states::BotStates;
use super::{WiredContext, WiredOptions};
use crate::observer::BotObserver;
use crate::report::{BotReport, TransitionRecord};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::Mutex;
use uuid::Uuid;

/// Tries of the finish step before the bot gives up and leaves its row
/// short of the terminal state (the files stay on disk for another run).
const FINISH_TRIES: u32 = 3;

/// Follows one bot into the database, the bus and the blob store.
pub(super) struct WiredObserver {
    ctx: WiredContext,
    ids: BotIds,
    out_dir: PathBuf,
    inner: Mutex<Inner>,
}

struct Inner {
    states: BotStates,
    /// The bytes appended to each track, every `part_every`.
    parts: PartUploads,
    /// Whole tracks and `recording.progress`, every `upload_every`.
    live: LiveUpload,
    /// `bot.json` so far, every `report_every`.
    report: ReportUploads,
    /// The terminal transition, held back until the recording is handed over.
    terminal: Option<TransitionRecord>,
    /// What the finish step ended with, once it ran.
    outcome: Option<Result<Option<Uuid>, FinishError>>,
}

impl WiredObserver {
    /// An observer for `ids`, whose files are written under `out_dir`,
    /// uploading as often as `options` say.
    pub(super) fn new(
        ctx: WiredContext,
        ids: BotIds,
        out_dir: PathBuf,
        states: BotStates,
        options: &WiredOptions,
    ) -> Self {
        let parts = PartUploads::new(ctx.clone(), ids, options.part_every);
        let live = LiveUpload::new(
            ctx.clone(),
            ids,
            options.upload_every,
            options.progress_every,
        );
        let report = ReportUploads::new(ctx.clone(), ids, options.report_every);
        WiredObserver {
            ctx,
            ids,
            out_dir,
            inner: Mutex::new(Inner {
                states,
                parts,
                live,
                report,
                terminal: None,
                outcome: None,
            }),
        }
    }

    /// The finish step's result: the recording id (`None` when the bot never
    /// got in), or why it failed; `None` if the bot has not finished.
    pub(super) async fn outcome(&self) -> Option<Result<Option<Uuid>, FinishError>> {
        self.inner.lock().await.outcome.take()
    }
}

#[async_trait::async_trait]
impl BotObserver for WiredObserver {
    async fn transition(&self, record: &TransitionRecord) {
        let mut inner = self.inner.lock().await;
        if record.to.is_terminal() {
            inner.terminal = Some(record.clone());
        } else {
            inner.states.record(record).await;
        }
    }

    async fn flushed(&self, out_dir: &Path, report: &BotReport) {
        let mut inner = self.inner.lock().await;
        // Parts first: they are what a killed bot keeps.
        inner.parts.flushed(out_dir);
        inner.live.flushed(out_dir);
        inner.report.flushed(report);
    }

    async fn finished(&self, report: &BotReport) {
        let mut inner = self.inner.lock().await;
        // Nothing in flight may land after (and over) the final blobs.
        inner.parts.settle().await;
        inner.live.settle().await;
        inner.report.settle().await;
        let totals = inner.parts.totals();
        tracing::info!(bot = %self.ids.bot_id, launch = self.ids.launch, parts = totals.parts,
            bytes = totals.bytes, failed = totals.failed, "parts uploaded while recording");
        let mut result = hand_over(&self.ctx, self.ids, &self.out_dir, report).await;
        for attempt in 1..FINISH_TRIES {
            let Err(e) = &result else { break };
            tracing::warn!(bot = %self.ids.bot_id, error = %e, attempt, "handing over the recording; retrying");
            tokio::time::sleep(Duration::from_secs(u64::from(attempt))).await;
            result = hand_over(&self.ctx, self.ids, &self.out_dir, report).await;
        }
        match &result {
            Ok(_) => {
                if let Some(terminal) = inner.terminal.take() {
                    inner.states.record(&terminal).await;
                }
            }
            Err(e) => tracing::error!(bot = %self.ids.bot_id, error = %e,
                out_dir = %self.out_dir.display(),
                "the recording could not be handed over; the bot's row stays unfinished"),
        }
        inner.outcome = Some(result);
    }
}
