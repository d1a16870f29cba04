//! What one bot is asked to do.

use crate::detect::HostAlias;
use std::path::PathBuf;
use std::time::Duration;

/// Debian's `chromium-headless-shell`: the bot's default browser.
///
/// It is Chromium without the desktop browser layer (no windows, tabs UI,
/// omnibox, extensions or profile services): a recording bot needs about
/// 240 MB PSS with it against 370 MB with the full `chromium` in its new
/// headless mode, at the same CPU (BENCHMARKS.md). The full browser stays a
/// choice (`--chromium /usr/bin/chromium`) for a platform that refuses the
/// shell.
pub const HEADLESS_SHELL: &str = "/usr/lib/chromium/chromium-headless-shell";

/// One bot's settings.
#[derive(Debug, Clone)]
pub struct BotConfig {
    /// The meeting link.
    pub meeting_url: String,
    /// The display name in the meeting.
    pub bot_name: String,
    /// Where `recording.ogg`, `tracks/` and `bot.json` go.
    pub out_dir: PathBuf,
    /// Leave after this long in the call; `None` for no limit.
    pub max_duration: Option<Duration>,
    /// Give up when not admitted in this long.
    pub waiting_room_timeout: Duration,
    /// Leave this long after the last other participant left.
    pub alone_timeout: Duration,
    /// Give up when the join page leads nowhere in this long.
    pub join_timeout: Duration,
    /// Hosts that serve a platform's pages (a testbed).
    pub host_aliases: Vec<HostAlias>,
    /// A directory of `<platform>.toml` files overriding the built-in ones.
    pub profiles_dir: Option<PathBuf>,
    /// The Chromium executable: by default [`HEADLESS_SHELL`].
    pub chromium: PathBuf,
    /// Extra Chromium switches (`--name[=value]`), after the built-in ones.
    pub chromium_args: Vec<String>,
    /// Audio tracks the bridge can carry at once.
    pub bridge_slots: usize,
}

impl BotConfig {
    /// Defaults for `meeting_url`: 10 min waiting room, 60 s alone, no
    /// maximum duration (the typical defaults of PLATFORMS.md).
    pub fn new(meeting_url: impl Into<String>, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            meeting_url: meeting_url.into(),
            bot_name: "mymeet notetaker".into(),
            out_dir: out_dir.into(),
            max_duration: None,
            waiting_room_timeout: Duration::from_secs(600),
            alone_timeout: Duration::from_secs(60),
            join_timeout: Duration::from_secs(60),
            host_aliases: Vec::new(),
            profiles_dir: None,
            chromium: PathBuf::from(HEADLESS_SHELL),
            chromium_args: Vec::new(),
            bridge_slots: 8,
        }
    }
}
