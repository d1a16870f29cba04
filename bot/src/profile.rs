//! A platform's selectors and texts, loaded from data because these UIs
//! change every few weeks: built in from `bot/platforms/*.toml`, or read from
//! a directory at run time to fix a broken selector without recompiling.

use mymeet_core::domain::Platform;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything the bot needs to know about one platform's pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformProfile {
    /// The platform this file describes.
    pub platform: Platform,
    /// The join flow.
    pub join: JoinSteps,
    /// How to tell where the bot is.
    pub states: StateMarkers,
    /// The active-speaker markers.
    pub speakers: SpeakerMarkers,
    /// How to leave.
    pub leave: LeaveControls,
}

/// The pre-join page and what to click in the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSteps {
    /// Buttons clicked whenever present before joining (browser choice, cookies).
    pub before_name_texts: Vec<String>,
    /// The display-name input.
    pub name_inputs: Vec<String>,
    /// Selectors present only while the microphone is on.
    pub mic_off: Vec<String>,
    /// Selectors present only while the camera is on.
    pub camera_off: Vec<String>,
    /// Texts of the join button, in order of preference.
    pub join_texts: Vec<String>,
    /// Selectors of the join button.
    pub join_selectors: Vec<String>,
    /// Buttons clicked once in the call (computer audio).
    pub after_join_texts: Vec<String>,
    /// Dialog buttons dismissed while in the call.
    pub dismiss_texts: Vec<String>,
}

/// A selector whose element must also carry a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementText {
    /// CSS selector.
    pub selector: String,
    /// Text the element's content must equal.
    pub text: String,
}

/// Texts and selectors that say where the bot is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateMarkers {
    /// Waiting to be let in.
    pub lobby_texts: Vec<String>,
    /// The host said no.
    pub denied_texts: Vec<String>,
    /// Anti-bot walls, captchas, sign-in walls.
    pub blocked_texts: Vec<String>,
    /// Elements that mean blocked (Meet's `h1` "Sign in").
    pub blocked_elements: Vec<ElementText>,
    /// The meeting does not exist.
    pub not_found_texts: Vec<String>,
    /// The host has not started the meeting (Zoom): keep waiting.
    pub not_started_texts: Vec<String>,
    /// Reload period while not started; 0 never reloads.
    pub reload_while_not_started_s: u64,
    /// In-call controls.
    pub in_call_selectors: Vec<String>,
    /// How many of them must be present to count as admitted.
    pub in_call_min_markers: usize,
    /// The host ended the meeting.
    pub ended_texts: Vec<String>,
    /// The host removed the bot.
    pub removed_texts: Vec<String>,
}

/// Participant tiles and the active-speaker highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeakerMarkers {
    /// One element per participant.
    pub tile: String,
    /// The element inside a tile that holds the name.
    pub name_selector: String,
    /// Or the tile attribute that holds it (tried first when not empty).
    pub name_attribute: String,
    /// Matches the tile, or an element inside it, while it speaks.
    pub speaking: String,
}

/// The leave button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveControls {
    /// Selectors of the leave button.
    pub selectors: Vec<String>,
    /// Its texts.
    pub texts: Vec<String>,
    /// The confirmation clicked after it, when one appears.
    pub confirm_texts: Vec<String>,
}

/// A profile file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Reading an override file failed.
    #[error("reading platform profile {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or names unknown keys.
    #[error("platform profile {origin}: {source}")]
    Parse {
        /// The file, or "built-in <platform>".
        origin: String,
        /// Why.
        source: toml::de::Error,
    },
    /// The file describes another platform.
    #[error("platform profile {origin} describes {found}, expected {expected}")]
    WrongPlatform {
        /// The file.
        origin: String,
        /// The platform wanted.
        expected: Platform,
        /// The platform in the file.
        found: Platform,
    },
}

impl PlatformProfile {
    /// The profile compiled into the binary.
    pub fn builtin(platform: Platform) -> Result<Self, ProfileError> {
        let text = match platform {
            Platform::Meet => include_str!("../platforms/meet.toml"),
            Platform::Teams => include_str!("../platforms/teams.toml"),
            Platform::Zoom => include_str!("../platforms/zoom.toml"),
        };
        Self::parse(text, &format!("built-in {platform}"), platform)
    }

    /// `<dir>/<platform>.toml` when `dir` is given and holds one, else the built-in.
    pub fn load(platform: Platform, dir: Option<&Path>) -> Result<Self, ProfileError> {
        if let Some(dir) = dir {
            let path = dir.join(format!("{platform}.toml"));
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|source| ProfileError::Read {
                    path: path.clone(),
                    source,
                })?;
                return Self::parse(&text, &path.display().to_string(), platform);
            }
        }
        Self::builtin(platform)
    }

    fn parse(text: &str, origin: &str, expected: Platform) -> Result<Self, ProfileError> {
        let profile: Self = toml::from_str(text).map_err(|source| ProfileError::Parse {
            origin: origin.to_owned(),
            source,
        })?;
        if profile.platform != expected {
            return Err(ProfileError::WrongPlatform {
                origin: origin.to_owned(),
                expected,
                found: profile.platform,
            });
        }
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_parses() {
        for p in Platform::ALL {
            let profile = PlatformProfile::builtin(p).unwrap();
            assert_eq!(profile.platform, p);
            assert!(!profile.states.in_call_selectors.is_empty());
            assert!(profile.states.in_call_min_markers >= 1);
        }
    }

    #[test]
    fn a_directory_overrides_one_platform() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = include_str!("../platforms/teams.toml").to_owned();
        text = text.replace("Someone will let you in soon", "Bitte warten");
        std::fs::write(dir.path().join("teams.toml"), text).unwrap();
        let teams = PlatformProfile::load(Platform::Teams, Some(dir.path())).unwrap();
        assert!(teams
            .states
            .lobby_texts
            .contains(&"Bitte warten".to_owned()));
        let meet = PlatformProfile::load(Platform::Meet, Some(dir.path())).unwrap();
        assert_eq!(meet, PlatformProfile::builtin(Platform::Meet).unwrap());
    }

    #[test]
    fn unknown_keys_and_wrong_platforms_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("zoom.toml"),
            include_str!("../platforms/meet.toml"),
        )
        .unwrap();
        assert!(matches!(
            PlatformProfile::load(Platform::Zoom, Some(dir.path())),
            Err(ProfileError::WrongPlatform { .. })
        ));
        let typo = include_str!("../platforms/zoom.toml").replace("lobby_texts", "loby_texts");
        std::fs::write(dir.path().join("zoom.toml"), typo).unwrap();
        assert!(matches!(
            PlatformProfile::load(Platform::Zoom, Some(dir.path())),
            Err(ProfileError::Parse { .. })
        ));
    }
}
