//! The bot with the database, the bus and the blob store wired in: what
//! `mymeet bot --bot-id ID` (launched by the scheduler) and `mymeet demo`
//! run.
//!
//! [`run_bot`] reads the bot and its meeting, brings the row to `launching`,
//! listens on the bot's `bot.commands` queue and runs [`crate::run`] with an
//! observer that stores every transition (and announces it on `bot.events`),
//! uploads while recording (the bytes appended to each track every
//! `part_every`, whole tracks for `recording.progress` every `upload_every`,
//! `bot.json` so far every `report_every`), and at the end hands the
//! recording over — blobs → recording row → `recording.completed` →
//! terminal state.

mod commands;
mod error;
mod handover;
mod live_upload;
mod observer;
mod part_upload;
mod report_upload;
mod states;

pub use commands::command_queue;
pub use error::{FinishError, WiredError};
pub use handover::{hand_over, BotIds};

use crate::config::BotConfig;
use crate::report::{BotReport, TransitionRecord};
use commands::CommandListener;
use mymeet_core::blob::SharedBlobStore;
use mymeet_core::bus::SharedBus;
use mymeet_core::db::repo::meetings;
use mymeet_core::db::Db;
use mymeet_core::domain::{BotState, EndReason};
use observer::WiredObserver;
use states::BotStates;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// Where a wired bot keeps its state, messages and files.
#[derive(Clone)]
pub struct WiredContext {
    /// The database (bots, transitions, recordings).
    pub db: Db,
    /// The bus (`bot.events`, `bot.commands`, `recording.completed`).
    pub bus: SharedBus,
    /// The blob store (`recordings/<bot>/launch-<n>/…`).
    pub blobs: SharedBlobStore,
}

/// How to run a wired bot.
#[derive(Debug, Clone)]
pub struct WiredOptions {
    /// The bot's settings; its `meeting_url` is replaced by the meeting's,
    /// and it records into the launch's `launch-<n>/` subfolder of `out_dir`.
    pub bot: BotConfig,
    /// Most time between two uploads of the bytes appended to each track
    /// (numbered parts under `launch-<n>/parts/`): about the most audio a
    /// bot whose machine dies loses. Parts go at flushes (every second): at
    /// the last flush before this much time would have passed.
    pub part_every: Duration,
    /// Least time between two uploads of the whole tracks so far; they
    /// also wait until the recording has grown by an eighth since the last
    /// one (a snapshot only saves readers merging parts, see
    /// `live_upload.rs`).
    pub upload_every: Duration,
    /// Least time between two `recording.progress` announcements, which let
    /// the transcription stage work during the call.
    pub progress_every: Duration,
    /// Least time between two uploads of `bot.json` so far (only when a
    /// transition or speaker turn is new), so a launch that dies keeps its
    /// speaker timeline.
    pub report_every: Duration,
}

impl WiredOptions {
    /// `bot` with parts every 2 s, whole tracks uploaded at least 30 s
    /// apart, progress announced every 30 s, and `bot.json` every 5 s.
    pub fn new(bot: BotConfig) -> Self {
        WiredOptions {
            bot,
            part_every: Duration::from_secs(2),
            upload_every: Duration::from_secs(30),
            progress_every: Duration::from_secs(30),
            report_every: Duration::from_secs(5),
        }
    }
}

/// What a wired bot did.
#[derive(Debug, Clone)]
pub struct WiredRun {
    /// What `bot.json` holds.
    pub report: BotReport,
    /// The recording row, when the bot got into the call.
    pub recording_id: Option<Uuid>,
}

/// Runs bot `bot_id` until it ends; `shutdown` turning true (SIGTERM) or a
/// `Stop` on `bot.commands` makes it leave. Fails before the meeting when the
/// bot or its meeting cannot be read or the bot already ended, and after it
/// when the recording could not be handed over (the row is then left short
/// of its terminal state and the files stay in `options.bot.out_dir`, in the
/// launch's `launch-<n>/` subfolder).
pub async fn run_bot(
    ctx: WiredContext,
    bot_id: Uuid,
    options: WiredOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<WiredRun, WiredError> {
    let (mut states, bot, launch) = BotStates::begin(ctx.clone(), bot_id).await?;
    let meeting = match meetings::get(&ctx.db, bot.meeting_id).await {
        Ok(m) => m,
        Err(e) => {
            fail_early(&mut states, &format!("reading the meeting: {e}")).await;
            return Err(e.into());
        }
    };
    let mut config = options.bot.clone();
    config.meeting_url = meeting.meeting_url;
    // A relaunch on the same machine (the process launcher) gets the same
    // folder as the launch that crashed: each launch records into its own
    // subfolder, so the crashed launch's files are neither uploaded again
    // under this launch's keys nor mixed into its recording.
    config.out_dir = config.out_dir.join(format!("launch-{launch}"));
    if let Err(e) = std::fs::create_dir_all(&config.out_dir) {
        let detail = format!("output directory {}: {e}", config.out_dir.display());
        fail_early(&mut states, &detail).await;
        return Err(crate::BotError::Output {
            path: config.out_dir,
            source: e,
        }
        .into());
    }
    let listener = match CommandListener::subscribe(&ctx.bus, bot_id).await {
        Ok(l) => l,
        Err(e) => {
            fail_early(&mut states, &format!("subscribing to bot.commands: {e}")).await;
            return Err(e.into());
        }
    };
    let ids = BotIds {
        bot_id,
        meeting_id: bot.meeting_id,
        launch,
    };
    let observer = Arc::new(WiredObserver::new(
        ctx.clone(),
        ids,
        config.out_dir.clone(),
        states,
        &options,
    ));

    let (stop_tx, stop_rx) = watch::channel(false);
    let commands = tokio::spawn(listener.run(stop_tx.clone()));
    let signals = tokio::spawn(async move {
        loop {
            if *shutdown.borrow_and_update() {
                let _ = stop_tx.send(true);
                return;
            }
            if shutdown.changed().await.is_err() {
                return;
            }
        }
    });
    let report = crate::run(config, observer.clone(), stop_rx).await;
    commands.abort();
    signals.abort();
    if let Err(e) = ctx.bus.remove(&command_queue(bot_id)).await {
        tracing::warn!(bot = %bot_id, error = %e, "removing the bot's command queue");
    }
    let report = report?;
    match observer.outcome().await {
        Some(Ok(recording_id)) => Ok(WiredRun {
            report,
            recording_id,
        }),
        Some(Err(source)) => Err(WiredError::Finish { bot_id, source }),
        None => Ok(WiredRun {
            report,
            recording_id: None,
        }),
    }
}

/// Ends a bot that could not even start its browser: `failed(join_error)`.
async fn fail_early(states: &mut BotStates, detail: &str) {
    states
        .record(&TransitionRecord {
            from: BotState::Launching,
            to: BotState::Failed,
            reason: Some(EndReason::JoinError),
            detail: Some(detail.to_owned()),
            at: chrono::Utc::now(),
        })
        .await;
}
