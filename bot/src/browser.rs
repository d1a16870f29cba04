//! One headless Chromium per bot, with a fresh profile that is removed on
//! every path (a leftover profile's `SingletonLock` breaks the next launch).

use crate::user_agent::unmarked_user_agent;
use chromiumoxide::cdp::browser_protocol::browser::{
    PermissionDescriptor, PermissionSetting, SetPermissionParams,
};
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use tokio::task::JoinHandle;

/// A running browser and the task that drives its CDP connection.
pub struct BotBrowser {
    browser: Browser,
    handler: JoinHandle<()>,
    profile: ProfileDir,
}

/// A browser that could not be started or driven.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// The executable is missing.
    #[error(
        "Chromium not found at {0} (scripts/setup installs it; or apt-get install \
         chromium-headless-shell, the default, or chromium and pass --chromium /usr/bin/chromium)"
    )]
    Missing(PathBuf),
    /// Creating the profile directory failed.
    #[error("creating the browser profile: {0}")]
    Profile(std::io::Error),
    /// The configuration was refused.
    #[error("browser configuration: {0}")]
    Config(String),
    /// CDP failed.
    #[error("browser: {0}")]
    Cdp(#[from] chromiumoxide::error::CdpError),
}

/// util-linux's `setpriv`, which sets the parent-death signal before exec.
const SETPRIV: &str = "/usr/bin/setpriv";

/// Writes `<dir>/chromium`, a script that execs `executable` with the
/// parent-death signal set (chromiumoxide builds the command itself, so a
/// pre-exec hook cannot be added to it).
fn write_launcher(dir: &Path, executable: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let quoted = executable.display().to_string().replace('\'', "'\\''");
    let script = format!("#!/bin/sh\nexec {SETPRIV} --pdeathsig KILL -- '{quoted}' \"$@\"\n");
    let path = dir.join("chromium");
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))?;
    Ok(path)
}

/// Removes the bot's temporary directory (profile and launcher) when dropped.
struct ProfileDir(PathBuf);

impl Drop for ProfileDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %self.0.display(), error = %e, "could not remove browser profile");
            }
        }
    }
}

impl BotBrowser {
    /// Launches `executable` headless with fake media devices, autoplay
    /// allowed, the UI pinned to en-US and `extra_args` (`--name[=v,...]`)
    /// after the built-in switches. Chromium is started through
    /// `setpriv --pdeathsig KILL`, so it dies with the thread that launched
    /// it even when this process is SIGKILLed (its helpers exit when it does).
    pub async fn launch(executable: &Path, extra_args: &[String]) -> Result<Self, BrowserError> {
        if !executable.exists() {
            return Err(BrowserError::Missing(executable.to_owned()));
        }
        if !Path::new(SETPRIV).exists() {
            return Err(BrowserError::Missing(PathBuf::from(SETPRIV)));
        }
        let dir = std::env::temp_dir().join(format!("mymeet-bot-{}", uuid::Uuid::new_v4()));
        let profile = ProfileDir(dir);
        let user_data = profile.0.join("profile");
        std::fs::create_dir_all(&user_data).map_err(BrowserError::Profile)?;
        let launcher = write_launcher(&profile.0, executable).map_err(BrowserError::Profile)?;
        let mut builder = BrowserConfig::builder()
            .chrome_executable(launcher)
            .new_headless_mode()
            .no_sandbox()
            .user_data_dir(&user_data)
            .viewport(None)
            .arg("disable-gpu")
            .arg("use-fake-ui-for-media-stream")
            .arg("use-fake-device-for-media-stream")
            .arg(("autoplay-policy", "no-user-gesture-required"))
            .arg("disable-background-networking")
            .arg("disable-blink-features=AutomationControlled")
            .arg("lang=en-US")
            // Fewer processes (bench/bot, BENCHMARKS.md): one renderer, no
            // spare one, no omnibox WebUI, GPU and audio service inside the
            // browser process.
            .arg(("renderer-process-limit", "1"))
            .arg("disable-site-isolation-trials")
            .arg("in-process-gpu")
            .arg((
                "disable-features",
                &[
                    "SpareRendererForSitePerProcess",
                    "AudioServiceOutOfProcess",
                    "BackForwardCache",
                    "OptimizationHints",
                    "MediaRouter",
                    "DialMediaRouteProvider",
                    "Translate",
                    // New headless still builds the omnibox popup's WebUI,
                    // in a renderer of its own (~80 MB).
                    "WebUIOmniboxPopup",
                    "WebUIOmniboxFullPopup",
                    "WebUIOmniboxAimPopup",
                ][..],
            ))
            // The network service inside the browser process: one process
            // fewer, −17 MB PSS and −95 MB RSS for a recording bot at the
            // same CPU (bench/bot, BENCHMARKS.md).
            .arg(("enable-features", &["NetworkServiceInProcess2"][..]))
            .arg("disable-component-update")
            .arg("disable-domain-reliability");
        // Chromium takes one --window-size; a repeated key would be merged.
        if !extra_args
            .iter()
            .any(|a| a.trim_start_matches('-').starts_with("window-size"))
        {
            builder = builder.window_size(1280, 800);
        }
        for arg in extra_args {
            let arg = arg.trim_start_matches('-');
            builder = match arg.split_once('=') {
                Some((key, values)) => {
                    let values: Vec<&str> = values.split(',').collect();
                    builder.arg((key, values.as_slice()))
                }
                None => builder.arg(arg),
            };
        }
        let config = builder.build().map_err(BrowserError::Config)?;
        let (browser, mut events) = Browser::launch(config).await?;
        let handler = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                if event.is_err() {
                    // Errors on single messages are not fatal; a closed
                    // connection ends the stream.
                    continue;
                }
            }
        });
        let bot = Self {
            browser,
            handler,
            profile,
        };
        // The fake-UI flag accepts prompts too; granting up front also
        // covers pages that query the permission state before asking.
        for name in ["microphone", "camera"] {
            let descriptor = PermissionDescriptor::builder()
                .name(name)
                .build()
                .map_err(BrowserError::Config)?;
            bot.browser
                .execute(SetPermissionParams::new(
                    descriptor,
                    PermissionSetting::Granted,
                ))
                .await?;
        }
        Ok(bot)
    }

    /// A new blank page with `init_script` registered for every document,
    /// presenting the browser's user agent without its "Headless" mark.
    pub async fn page_with_script(&self, init_script: &str) -> Result<Page, BrowserError> {
        let page = self.browser.new_page("about:blank").await?;
        let version = self.browser.version().await?;
        page.execute(unmarked_user_agent(&version.user_agent, &version.product))
            .await?;
        page.evaluate_on_new_document(init_script).await?;
        // The startup tab would keep a renderer (~40 MB) alive for nothing.
        for other in self.browser.pages().await? {
            if other.target_id() != page.target_id() {
                if let Err(e) = other.close().await {
                    tracing::debug!(error = %e, "closing the startup tab");
                }
            }
        }
        Ok(page)
    }

    /// Closes the browser, waits for it, and removes the profile.
    pub async fn close(mut self) {
        let closed =
            tokio::time::timeout(std::time::Duration::from_secs(5), self.browser.close()).await;
        if !matches!(closed, Ok(Ok(_))) {
            let _ = self.browser.kill().await;
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.browser.wait()).await;
        self.handler.abort();
        drop(self.profile);
    }
}
