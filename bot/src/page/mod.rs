//! The meeting page as the bot sees it: the injected capture script and the
//! typed results of asking it what it sees.

use crate::profile::PlatformProfile;
use chromiumoxide::Page;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// The script injected into every document before the page's own scripts.
pub const CAPTURE_SCRIPT: &str = include_str!("capture.js");

/// What the page shows right now.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Probe {
    /// The page's URL.
    pub url: String,
    /// The page's title.
    pub title: String,
    /// The meeting-ended text seen, if any.
    pub ended: Option<String>,
    /// The removed text seen, if any.
    pub removed: Option<String>,
    /// The denial text seen, if any.
    pub denied: Option<String>,
    /// The platform's own words around an anti-bot or sign-in wall.
    pub blocked: Option<String>,
    /// The not-found text seen, if any.
    pub not_found: Option<String>,
    /// The host-has-not-started text seen, if any.
    pub not_started: Option<String>,
    /// The lobby text seen, if any.
    pub lobby: Option<String>,
    /// How many in-call controls are visible.
    pub in_call_markers: usize,
    /// Whether the name input is visible.
    pub name_input: bool,
    /// Names on participant tiles.
    pub participants: Vec<String>,
    /// Names whose tile is highlighted as speaking.
    pub speaking: Vec<String>,
}

impl Probe {
    /// Admitted: enough in-call markers and no lobby text (lobby false
    /// positives are the bug users report most).
    pub fn admitted(&self, profile: &PlatformProfile) -> bool {
        self.lobby.is_none()
            && self.not_started.is_none()
            && self.in_call_markers >= profile.states.in_call_min_markers.max(1)
    }
}

/// Something the capture script noticed since the last drain.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageEvent {
    /// A remote audio track appeared.
    Track {
        /// The page's track id.
        track_id: String,
        /// Epoch milliseconds.
        at: i64,
    },
    /// A track was put on a bridge slot.
    TrackAttached {
        /// The page's track id.
        track_id: String,
        /// The bridge transceiver's mid.
        mid: Option<String>,
        /// Epoch milliseconds.
        at: i64,
    },
    /// A remote track ended.
    TrackEnded {
        /// The page's track id.
        track_id: String,
        /// Epoch milliseconds.
        at: i64,
    },
    /// Someone started speaking.
    SpeakerStart {
        /// Their name.
        name: String,
        /// Epoch milliseconds.
        at: i64,
    },
    /// Someone stopped speaking.
    SpeakerStop {
        /// Their name.
        name: String,
        /// Epoch milliseconds.
        at: i64,
    },
    /// Anything else (errors, no free slot), kept for the log.
    #[serde(other)]
    Other,
}

/// The events part of `__mymeet.poll(cfg)`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Drained {
    /// Events since the last drain.
    pub events: Vec<PageEvent>,
    /// The bridge's connection state.
    pub bridge: String,
    /// Remote audio tracks seen so far.
    pub tracks: usize,
}

/// A failed conversation with the page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// CDP failed.
    #[error("browser: {0}")]
    Cdp(#[from] chromiumoxide::error::CdpError),
    /// The capture script is missing from the document (a page that replaced it).
    #[error("unexpected answer from the page for {what}: {message}")]
    Answer {
        /// What was asked.
        what: &'static str,
        /// Why it could not be read.
        message: String,
    },
}

/// Evaluates `expression` (awaiting a promise) and decodes its JSON value.
pub async fn eval<T: DeserializeOwned>(
    page: &Page,
    what: &'static str,
    expression: String,
) -> Result<T, PageError> {
    let result = page.evaluate(expression).await?;
    result.into_value::<T>().map_err(|e| PageError::Answer {
        what,
        message: e.to_string(),
    })
}

/// Asks the page what it shows.
pub async fn probe(page: &Page, profile_json: &str) -> Result<Probe, PageError> {
    call(page, "probe", format!("probe({profile_json})")).await
}

/// Calls `__mymeet.<call>` and decodes its answer; an error when the
/// capture script is missing from the document.
async fn call<T: DeserializeOwned>(
    page: &Page,
    what: &'static str,
    call: String,
) -> Result<T, PageError> {
    eval(
        page,
        what,
        format!("window.__mymeet ? window.__mymeet.{call} : null"),
    )
    .await
    .and_then(|answer: Option<T>| {
        answer.ok_or(PageError::Answer {
            what,
            message: "capture script not loaded".into(),
        })
    })
}

/// What one recording tick reads: the events since the last one, and the page.
#[derive(Debug, Clone, Deserialize)]
pub struct Poll {
    /// Events since the last drain.
    pub drained: Drained,
    /// What the page shows.
    pub probe: Probe,
}

/// Takes the events the capture script collected and asks the page what it
/// shows, in one round trip.
pub async fn poll(page: &Page, profile_json: &str) -> Result<Poll, PageError> {
    call(page, "poll", format!("poll({profile_json})")).await
}

/// Clicks the first element matching `selectors` or labelled one of `texts`
/// with a trusted CDP click; returns whether something was clicked.
pub async fn click(page: &Page, selectors: &[String], texts: &[String]) -> Result<bool, PageError> {
    if selectors.is_empty() && texts.is_empty() {
        return Ok(false);
    }
    let args = serde_json::json!([selectors, texts]);
    let mark: Option<String> = eval(
        page,
        "mark",
        format!("window.__mymeet ? window.__mymeet.mark(...{args}) : null"),
    )
    .await?;
    let Some(mark) = mark else {
        return Ok(false);
    };
    let element = page
        .find_element(format!("[data-mymeet-click=\"{mark}\"]"))
        .await?;
    element.click().await?;
    Ok(true)
}

/// Types `text` into the first visible element matching `selectors`.
pub async fn fill(page: &Page, selectors: &[String], text: &str) -> Result<bool, PageError> {
    let args = serde_json::json!([selectors, []]);
    let mark: Option<String> = eval(
        page,
        "mark",
        format!("window.__mymeet ? window.__mymeet.mark(...{args}) : null"),
    )
    .await?;
    let Some(mark) = mark else {
        return Ok(false);
    };
    let element = page
        .find_element(format!("[data-mymeet-click=\"{mark}\"]"))
        .await?;
    element.click().await?;
    // Select what is there so typing replaces it.
    page.evaluate(format!(
        "(() => {{ const e = document.querySelector('[data-mymeet-click=\"{mark}\"]'); if (e && e.select) e.select(); }})()"
    ))
    .await?;
    element.type_str(text).await?;
    Ok(true)
}
