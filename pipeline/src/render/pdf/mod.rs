//! HTML to PDF, with no network: Chromium's print-to-PDF by default,
//! wkhtmltopdf when configured and installed.

mod chromium;
mod wkhtmltopdf;

use mymeet_core::config::{PdfEngineKind, ReportsConfig};
use std::path::PathBuf;

/// Which program prints PDFs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfEngine {
    /// Headless Chromium over CDP (the browser the bot uses).
    Chromium {
        /// The Chromium executable, e.g. `/usr/bin/chromium`.
        executable: PathBuf,
    },
    /// wkhtmltopdf (archived upstream), run with local file access disabled.
    Wkhtmltopdf {
        /// The binary: a path, or a name looked up on `PATH`.
        binary: PathBuf,
    },
}

impl PdfEngine {
    /// The engine `[reports]` configures.
    pub fn from_config(config: &ReportsConfig) -> PdfEngine {
        match config.pdf_engine {
            PdfEngineKind::Chromium => PdfEngine::Chromium {
                executable: config.chromium.clone(),
            },
            PdfEngineKind::Wkhtmltopdf => PdfEngine::Wkhtmltopdf {
                binary: config.wkhtmltopdf.clone(),
            },
        }
    }
}

impl Default for PdfEngine {
    fn default() -> Self {
        PdfEngine::Chromium {
            executable: PathBuf::from("/usr/bin/chromium"),
        }
    }
}

/// A PDF that could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Chromium is not where the configuration says.
    #[error(
        "Chromium not found at {0} (install it with scripts/setup, or apt-get install chromium)"
    )]
    ChromiumMissing(PathBuf),
    /// wkhtmltopdf was chosen but is not installed.
    #[error(
        "the PDF engine is wkhtmltopdf, but `{0}` was not found; install wkhtmltopdf or use the chromium engine"
    )]
    WkhtmltopdfMissing(PathBuf),
    /// The browser's profile folder or launcher could not be made.
    #[error("preparing the browser: {0}")]
    Setup(std::io::Error),
    /// The browser configuration was refused.
    #[error("browser configuration: {0}")]
    Config(String),
    /// CDP failed (after one restart of the browser).
    #[error("Chromium: {0}")]
    Cdp(#[from] chromiumoxide::error::CdpError),
    /// Printing took too long; the browser is restarted for the next document.
    #[error("Chromium took longer than {0:?} to print")]
    Timeout(std::time::Duration),
    /// The page had no main frame to put the document in.
    #[error("Chromium: the page has no main frame")]
    NoFrame,
    /// wkhtmltopdf could not be run or failed.
    #[error("wkhtmltopdf: {0}")]
    Wkhtmltopdf(String),
}

/// Prints HTML documents to PDF. Keep one for many reports: the Chromium
/// engine starts its browser on the first document and keeps it, and starts
/// a new one when it has died.
pub struct PdfPrinter {
    engine: Engine,
}

enum Engine {
    /// Boxed: it holds a whole browser handle, the other engine a path.
    Chromium(Box<chromium::ChromiumPdf>),
    Wkhtmltopdf(wkhtmltopdf::Wkhtmltopdf),
}

impl PdfPrinter {
    /// A printer for `engine`; fails now, not at the first report, when the
    /// engine's program is not installed. Starts no process.
    pub fn new(engine: PdfEngine) -> Result<PdfPrinter, PdfError> {
        let engine = match engine {
            PdfEngine::Chromium { executable } => {
                Engine::Chromium(Box::new(chromium::ChromiumPdf::new(executable)?))
            }
            PdfEngine::Wkhtmltopdf { binary } => {
                Engine::Wkhtmltopdf(wkhtmltopdf::Wkhtmltopdf::new(&binary)?)
            }
        };
        Ok(PdfPrinter { engine })
    }

    /// Prints a self-contained HTML document. Every request the document
    /// makes (images, styles, fonts, frames) fails without reaching the
    /// network, and scripts do not run.
    pub async fn print(&self, html: &str) -> Result<Vec<u8>, PdfError> {
        match &self.engine {
            Engine::Chromium(c) => c.print(html).await,
            Engine::Wkhtmltopdf(w) => w.print(html).await,
        }
    }

    /// The process id of the running browser, if the Chromium engine has
    /// one (for monitoring, and for tests that kill it).
    pub async fn browser_pid(&self) -> Option<u32> {
        match &self.engine {
            Engine::Chromium(c) => c.pid().await,
            Engine::Wkhtmltopdf(_) => None,
        }
    }

    /// Closes the browser, if one runs; the next document starts a new one.
    pub async fn close(&self) {
        if let Engine::Chromium(c) = &self.engine {
            c.close().await;
        }
    }
}
