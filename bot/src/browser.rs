//! One headless Chromium per bot, with a fresh profile that is removed on
//! every path (a leftover profile's `SingletonLock` breaks the next launch).

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
        "Chromium not found at {0} (install it with scripts/setup, or apt-get install chromium)"
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

/// Removes the profile directory when dropped.
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
    /// allowed and the UI pinned to en-US.
    pub async fn launch(executable: &Path) -> Result<Self, BrowserError> {
        if !executable.exists() {
            return Err(BrowserError::Missing(executable.to_owned()));
        }
        let dir = std::env::temp_dir().join(format!("mymeet-bot-profile-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).map_err(BrowserError::Profile)?;
        let profile = ProfileDir(dir);
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .new_headless_mode()
            .no_sandbox()
            .user_data_dir(&profile.0)
            .window_size(1280, 800)
            .viewport(None)
            .arg("disable-gpu")
            .arg("use-fake-ui-for-media-stream")
            .arg("use-fake-device-for-media-stream")
            .arg(("autoplay-policy", "no-user-gesture-required"))
            .arg("disable-background-networking")
            .arg("disable-blink-features=AutomationControlled")
            .arg("lang=en-US")
            .build()
            .map_err(BrowserError::Config)?;
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

    /// A new blank page with `init_script` registered for every document.
    pub async fn page_with_script(&self, init_script: &str) -> Result<Page, BrowserError> {
        let page = self.browser.new_page("about:blank").await?;
        page.evaluate_on_new_document(init_script).await?;
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
