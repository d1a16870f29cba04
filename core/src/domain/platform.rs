use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A conferencing platform a bot can join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Google Meet.
    Meet,
    /// Microsoft Teams.
    Teams,
    /// Zoom, through its web client.
    Zoom,
}

impl Platform {
    /// Every platform, in a stable order.
    pub const ALL: [Platform; 3] = [Platform::Meet, Platform::Teams, Platform::Zoom];

    /// The name stored in the database and used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Meet => "meet",
            Platform::Teams => "teams",
            Platform::Zoom => "zoom",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown platform name.
#[derive(Debug, thiserror::Error)]
#[error("unknown platform {0:?} (expected meet, teams or zoom)")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}
