//! A local conference for tests and the demo: a WebRTC room whose participants speak
//! real recorded speech, and join pages that follow the Meet, Teams and Zoom guest flows.
//!
//! Each style is served on its own port so a bot can map host:port to a platform; a
//! fourth port serves the control API (see `http::control`).

pub mod audio;
mod clock;
pub mod config;
pub mod error;
mod http;
mod media;
mod pages;
pub mod room;
pub mod schedule;
mod testbed;

pub use config::{ParticipantSpec, StyleFlags, TestbedConfig};
pub use error::{Result, TestbedError};
pub use room::{GuestFilter, GuestStatus};
pub use testbed::{MeetingIds, RunningTestbed, Testbed};
