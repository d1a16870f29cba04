//! What a wired bot can fail with before, or after, its meeting.

use mymeet_core::blob::{BlobError, InvalidBlobKey};
use mymeet_core::bus::BusError;
use mymeet_core::db::repo::RepoError;
use mymeet_core::domain::BotState;
use uuid::Uuid;

/// Why a wired bot could not run, or could not hand its recording over.
#[derive(Debug, thiserror::Error)]
pub enum WiredError {
    /// Reading or writing the bot's rows failed.
    #[error("database: {0}")]
    Repo(#[from] RepoError),
    /// The bus refused a subscription or a message.
    #[error("bus: {0}")]
    Bus(#[from] BusError),
    /// The bot already ended; a bot is never run twice past its end.
    #[error("bot {bot_id} is already {state}; nothing to run")]
    AlreadyEnded {
        /// The bot.
        bot_id: Uuid,
        /// Its terminal state.
        state: BotState,
    },
    /// The bot itself could not start (its output directory).
    #[error(transparent)]
    Bot(#[from] crate::BotError),
    /// The recording could not be handed over (uploaded, stored, announced);
    /// the files are still in the output directory and the bot's row is left
    /// before its terminal state, so the finish step can be run again.
    #[error("handing over the recording of bot {bot_id}: {source}")]
    Finish {
        /// The bot.
        bot_id: Uuid,
        /// The last failure.
        source: FinishError,
    },
}

/// Why the finish step (upload, recording row, `recording.completed`) failed.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// A blob could not be written.
    #[error("uploading {what}: {source}")]
    Upload {
        /// The file or blob.
        what: String,
        /// Why.
        source: BlobError,
    },
    /// The tracks an earlier launch of the bot uploaded could not be read.
    #[error("reading the tracks of launch {launch}: {source}")]
    EarlierLaunch {
        /// The launch.
        launch: u32,
        /// Why.
        source: BlobError,
    },
    /// A local file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A track's file name is not a valid blob key.
    #[error(transparent)]
    Key(#[from] InvalidBlobKey),
    /// The recording row could not be stored.
    #[error("storing the recording: {0}")]
    Repo(#[from] RepoError),
    /// `recording.completed` could not be published.
    #[error("publishing recording.completed: {0}")]
    Bus(#[from] BusError),
    /// `bot.json` could not be serialized.
    #[error("serializing bot.json: {0}")]
    Json(#[from] serde_json::Error),
}
