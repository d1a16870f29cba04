//! `[reports]`: which files a report is rendered into, and how PDFs are printed.

use crate::db::entities::reports::ReportFormat;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[reports]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportsConfig {
    /// Formats rendered for every meeting: `html`, `pdf`, `docx`, `md`, `json`.
    pub formats: Vec<ReportFormat>,
    /// What prints PDFs: `chromium` (the default) or `wkhtmltopdf`.
    pub pdf_engine: PdfEngineKind,
    /// The Chromium executable that prints PDFs.
    pub chromium: PathBuf,
    /// The wkhtmltopdf binary (a path, or a name on `PATH`), used only when
    /// `pdf_engine = "wkhtmltopdf"`.
    pub wkhtmltopdf: PathBuf,
    /// Whether the summary ends with the full transcript.
    pub include_transcript: bool,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            formats: vec![
                ReportFormat::Html,
                ReportFormat::Pdf,
                ReportFormat::Docx,
                ReportFormat::Md,
                ReportFormat::Json,
            ],
            pdf_engine: PdfEngineKind::Chromium,
            chromium: PathBuf::from("/usr/bin/chromium"),
            wkhtmltopdf: PathBuf::from("wkhtmltopdf"),
            include_transcript: true,
        }
    }
}

/// The program that turns a report's HTML into a PDF.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PdfEngineKind {
    /// Headless Chromium's print-to-PDF, with the network shut.
    #[default]
    Chromium,
    /// wkhtmltopdf, with local file access disabled (archived upstream).
    Wkhtmltopdf,
}
