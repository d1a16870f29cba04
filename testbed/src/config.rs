//! How a testbed is set up: who speaks, on which address, which host flags.

use crate::error::{Result, TestbedError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One server-side participant and the speech it plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantSpec {
    /// Display name shown on tiles and in the roster.
    pub name: String,
    /// Any audio file ffmpeg decodes.
    pub audio: PathBuf,
}

impl std::str::FromStr for ParticipantSpec {
    type Err = TestbedError;

    /// Parses `NAME=PATH`.
    fn from_str(s: &str) -> Result<Self> {
        match s.split_once('=') {
            Some((name, path)) if !name.trim().is_empty() && !path.is_empty() => Ok(Self {
                name: name.trim().to_owned(),
                audio: PathBuf::from(path),
            }),
            _ => Err(TestbedError::BadParticipant(s.to_owned())),
        }
    }
}

/// Host-side switches per platform style, settable at start and through the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StyleFlags {
    /// Whether the host has started the meeting (Zoom shows an error page until then).
    pub host_started: bool,
    /// Whether the platform refuses bots (Meet's blocked page, Teams' captcha, Zoom's RTMS wall).
    pub blocked: bool,
}

impl Default for StyleFlags {
    fn default() -> Self {
        Self {
            host_started: true,
            blocked: false,
        }
    }
}

/// Everything `Testbed::start` needs.
#[derive(Debug, Clone)]
pub struct TestbedConfig {
    /// Where to listen. Port 0 picks a free port per server; port P gives Meet P, Teams P+1,
    /// Zoom P+2 and the control API P+3.
    pub listen: SocketAddr,
    /// The participants, who speak in this order.
    pub participants: Vec<ParticipantSpec>,
    /// Silence before the first speaker once the schedule clock starts, so a page that has
    /// just been admitted has connected its media before anyone speaks.
    pub lead_in: Duration,
    /// Silence between two speakers.
    pub gap: Duration,
    /// Admit each guest this long after it entered the lobby.
    pub auto_admit: Option<Duration>,
    /// End the meeting this long after the schedule clock started (the first admission).
    pub end_after: Option<Duration>,
    /// Initial flags for the Meet style.
    pub meet: StyleFlags,
    /// Initial flags for the Teams style.
    pub teams: StyleFlags,
    /// Initial flags for the Zoom style.
    pub zoom: StyleFlags,
}

impl TestbedConfig {
    /// A loopback testbed with free ports and the default schedule.
    pub fn new(participants: Vec<ParticipantSpec>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            participants,
            lead_in: Duration::from_secs(2),
            gap: Duration::from_secs(1),
            auto_admit: None,
            end_after: None,
            meet: StyleFlags::default(),
            teams: StyleFlags::default(),
            zoom: StyleFlags::default(),
        }
    }
}
