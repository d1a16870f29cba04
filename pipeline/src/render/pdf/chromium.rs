//! Chromium's print-to-PDF over CDP, with the network shut on every layer:
//! the Fetch domain fails every request the page makes (`data:` URLs
//! aside), scripts are disabled, host names resolve to nothing and
//! everything else goes to a proxy on a closed port.

use super::PdfError;
use chromiumoxide::cdp::browser_protocol::emulation::SetScriptExecutionDisabledParams;
use chromiumoxide::cdp::browser_protocol::fetch::{
    ContinueRequestParams, EnableParams, EventRequestPaused, FailRequestParams, RequestPattern,
};
use chromiumoxide::cdp::browser_protocol::network::ErrorReason;
use chromiumoxide::cdp::browser_protocol::page::{PrintToPdfParams, SetDocumentContentParams};
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// util-linux's `setpriv`, which sets the parent-death signal before exec.
const SETPRIV: &str = "/usr/bin/setpriv";

/// How long closing a browser may take before it is killed.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long printing one document may take.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a running browser may take to answer `Browser.getVersion`.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one CDP command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The Chromium engine: one browser, started on first use, reused.
pub(super) struct ChromiumPdf {
    executable: PathBuf,
    running: Mutex<Option<RunningBrowser>>,
}

/// A started browser, the task driving its connection, and its profile.
struct RunningBrowser {
    browser: Browser,
    handler: JoinHandle<()>,
    /// Removed when the browser is dropped.
    _profile: tempfile::TempDir,
}

impl RunningBrowser {
    /// Whether the browser process still runs and its connection is open.
    /// A killed browser lingers as a zombie that `try_wait` does not always
    /// report at once, so `/proc` is asked too.
    fn is_alive(&mut self) -> bool {
        let running = match self.browser.get_mut_child() {
            Some(child) => {
                let inner = child.as_mut_inner();
                let exited = matches!(inner.try_wait(), Ok(Some(_)))
                    || inner.id().is_none_or(process_exited);
                !exited
            }
            None => true,
        };
        running && !self.handler.is_finished()
    }

    /// Whether the browser answers a trivial command soon: a killed
    /// browser's connection is not always seen closed at once, and a
    /// command sent over it would wait for its full timeout.
    async fn responds(&self) -> bool {
        tokio::time::timeout(PROBE_TIMEOUT, self.browser.version())
            .await
            .is_ok_and(|r| r.is_ok())
    }

    async fn shut(mut self) {
        // A dead browser cannot answer `Browser.close`; do not wait for it.
        let closed = if self.is_alive() {
            tokio::time::timeout(CLOSE_TIMEOUT, self.browser.close())
                .await
                .is_ok_and(|r| r.is_ok())
        } else {
            false
        };
        if !closed {
            let _ = self.browser.kill().await;
        }
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.browser.wait()).await;
        self.handler.abort();
    }
}

impl ChromiumPdf {
    pub(super) fn new(executable: PathBuf) -> Result<ChromiumPdf, PdfError> {
        if !executable.exists() {
            return Err(PdfError::ChromiumMissing(executable));
        }
        Ok(ChromiumPdf {
            executable,
            running: Mutex::new(None),
        })
    }

    /// Prints `html`; when the browser has died, starts a new one, and when
    /// printing fails on a browser that seemed alive, retries once on a new one.
    pub(super) async fn print(&self, html: &str) -> Result<Vec<u8>, PdfError> {
        let mut running = self.running.lock().await;
        let alive = match running.as_mut() {
            Some(browser) => browser.is_alive() && browser.responds().await,
            None => true,
        };
        if !alive {
            if let Some(dead) = running.take() {
                tracing::warn!("the PDF browser died; starting a new one");
                dead.shut().await;
            }
        }
        if running.is_none() {
            *running = Some(launch(&self.executable).await?);
        }
        let Some(browser) = running.as_ref() else {
            return Err(PdfError::Config("no browser".into()));
        };
        match print_within_limit(&browser.browser, html).await {
            Ok(pdf) => Ok(pdf),
            Err(first) => {
                tracing::warn!(error = %first, "printing a PDF failed; retrying on a new browser");
                if let Some(old) = running.take() {
                    old.shut().await;
                }
                let fresh = launch(&self.executable).await?;
                let result = print_within_limit(&fresh.browser, html).await;
                *running = Some(fresh);
                result
            }
        }
    }

    pub(super) async fn pid(&self) -> Option<u32> {
        let mut running = self.running.lock().await;
        let browser = running.as_mut()?;
        browser
            .browser
            .get_mut_child()
            .and_then(|child| child.as_mut_inner().id())
    }

    pub(super) async fn close(&self) {
        if let Some(browser) = self.running.lock().await.take() {
            browser.shut().await;
        }
    }
}

/// Whether process `pid` is gone or a zombie, by `/proc/<pid>/stat`
/// (state is the first field after the parenthesised command name).
fn process_exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next());
            matches!(state, Some("Z" | "X"))
        }
        Err(_) => true,
    }
}

/// [`print_on`], given at most [`PRINT_TIMEOUT`]: a wedged browser must
/// not hold the worker forever.
async fn print_within_limit(browser: &Browser, html: &str) -> Result<Vec<u8>, PdfError> {
    tokio::time::timeout(PRINT_TIMEOUT, print_on(browser, html))
        .await
        .unwrap_or(Err(PdfError::Timeout(PRINT_TIMEOUT)))
}

/// Loads `html` into a fresh tab with every request blocked, prints it,
/// and closes the tab.
async fn print_on(browser: &Browser, html: &str) -> Result<Vec<u8>, PdfError> {
    let page = browser.new_page("about:blank").await?;
    let printed = match block_requests(&page).await {
        Ok(blocker) => {
            let printed = print_page(&page, html).await;
            blocker.abort();
            printed
        }
        Err(e) => Err(e),
    };
    if let Err(e) = page.close().await {
        tracing::debug!(error = %e, "closing the PDF tab");
    }
    printed
}

/// Turns on Fetch interception for every URL and fails each paused request
/// (a `data:` URL is inline, not a request, and may continue).
async fn block_requests(page: &Page) -> Result<JoinHandle<()>, PdfError> {
    let mut paused = page.event_listener::<EventRequestPaused>().await?;
    let answerer = page.clone();
    let handle = tokio::spawn(async move {
        while let Some(event) = paused.next().await {
            let id = event.request_id.clone();
            let url = &event.request.url;
            let answer = if url.starts_with("data:") {
                answerer
                    .execute(ContinueRequestParams::new(id))
                    .await
                    .map(|_| ())
            } else {
                tracing::info!(url = %url, "blocked a request from a report being printed");
                answerer
                    .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                    .await
                    .map(|_| ())
            };
            if let Err(e) = answer {
                tracing::debug!(error = %e, "answering a paused request");
            }
        }
    });
    let every_url = RequestPattern::builder().url_pattern("*").build();
    page.execute(EnableParams::builder().pattern(every_url).build())
        .await?;
    page.execute(SetScriptExecutionDisabledParams::new(true))
        .await?;
    Ok(handle)
}

async fn print_page(page: &Page, html: &str) -> Result<Vec<u8>, PdfError> {
    let frame = page.mainframe().await?.ok_or(PdfError::NoFrame)?;
    page.execute(SetDocumentContentParams::new(frame, html))
        .await?;
    let params = PrintToPdfParams {
        print_background: Some(true),
        prefer_css_page_size: Some(true),
        ..PrintToPdfParams::default()
    };
    Ok(page.pdf(params).await?)
}

/// Writes `<dir>/chromium`, a script that execs `executable` with the
/// parent-death signal set, so the browser dies with this process even when
/// it is SIGKILLed (chromiumoxide builds the command; no pre-exec hook).
fn write_launcher(dir: &Path, executable: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let quoted = executable.display().to_string().replace('\'', "'\\''");
    let exec = if Path::new(SETPRIV).exists() {
        format!("exec {SETPRIV} --pdeathsig KILL -- '{quoted}' \"$@\"")
    } else {
        format!("exec '{quoted}' \"$@\"")
    };
    let path = dir.join("chromium");
    std::fs::write(&path, format!("#!/bin/sh\n{exec}\n"))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))?;
    Ok(path)
}

/// Starts headless Chromium with a fresh profile and no way out.
async fn launch(executable: &Path) -> Result<RunningBrowser, PdfError> {
    let profile = tempfile::Builder::new()
        .prefix("mymeet-pdf-")
        .tempdir()
        .map_err(PdfError::Setup)?;
    let user_data = profile.path().join("profile");
    std::fs::create_dir_all(&user_data).map_err(PdfError::Setup)?;
    let launcher = write_launcher(profile.path(), executable).map_err(PdfError::Setup)?;
    let config = BrowserConfig::builder()
        .chrome_executable(launcher)
        .new_headless_mode()
        .no_sandbox()
        .user_data_dir(&user_data)
        .viewport(None)
        .window_size(1240, 1754)
        .request_timeout(COMMAND_TIMEOUT)
        .arg("disable-gpu")
        .arg("disable-background-networking")
        .arg("disable-component-update")
        .arg("disable-domain-reliability")
        .arg("disable-sync")
        .arg("disable-default-apps")
        .arg("no-first-run")
        .arg("no-pings")
        .arg("disable-breakpad")
        .arg("disable-client-side-phishing-detection")
        // Under the Fetch interception: speculative connections (the
        // preload scanner's preconnects) never pass through Fetch, so names
        // resolve to nothing, and every connection (loopback included) goes
        // to a proxy on a port nobody listens on.
        .arg(("host-resolver-rules", "MAP * ~NOTFOUND"))
        .arg(("proxy-server", "127.0.0.1:9"))
        .arg(("proxy-bypass-list", "<-loopback>"))
        .arg(("renderer-process-limit", "1"))
        .arg("in-process-gpu")
        .build()
        .map_err(PdfError::Config)?;
    let (browser, mut events) = Browser::launch(config).await?;
    let handler = tokio::spawn(async move {
        // Errors on single messages are not fatal; a closed connection
        // ends the stream, which is how a dead browser is noticed.
        while let Some(_event) = events.next().await {}
    });
    Ok(RunningBrowser {
        browser,
        handler,
        _profile: profile,
    })
}
