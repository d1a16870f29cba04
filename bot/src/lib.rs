//! One bot in one meeting: platform adapters for Meet, Teams and Zoom driving
//! headless Chromium over CDP, the audio bridge, the recorder, the speaker
//! timeline and the leave rules.
//!
//! [`run`] takes a [`BotConfig`], a [`BotObserver`] (how the scheduler wires
//! in the database and the bus without this crate depending on them) and a
//! stop signal, and writes `recording.ogg`, `tracks/*.ogg` and `bot.json`.
//!
//! Depends on `mymeet-integrations` and `mymeet-core`; never on `pipeline`,
//! `scheduler` or `api`.

pub mod bridge;
pub mod browser;
pub mod config;
pub mod detect;
pub mod observer;
pub mod ogg;
pub mod page;
pub mod profile;
pub mod recorder;
pub mod recovery;
pub mod report;
mod session;
pub mod user_agent;
pub mod wired;

pub use config::BotConfig;
pub use detect::{detect, DetectError, HostAlias, MeetingTarget};
pub use observer::{BotObserver, NoopObserver};
pub use profile::PlatformProfile;
pub use recovery::{finalize_recording, RecoveredRecording, RecoveryError};
pub use report::{BotReport, SpeakerTurn, TransitionRecord};
pub use session::{run, BotError};
