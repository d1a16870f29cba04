//! A report rendered into each requested format, ready to store as a blob.

use super::docx::{render_docx, DocxError};
use super::pdf::{PdfError, PdfPrinter};
use super::renderer::{RenderError, RenderOptions, Renderer};
use crate::analysis::MeetingReport;
use mymeet_core::db::entities::reports::ReportFormat;

/// One format of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedReport {
    /// The format.
    pub format: ReportFormat,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The file name extension, without the dot.
    pub extension: &'static str,
    /// The MIME type.
    pub mime: &'static str,
}

/// A format that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportRenderError {
    /// HTML or Markdown failed (or a custom template was refused).
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The DOCX could not be written.
    #[error(transparent)]
    Docx(#[from] DocxError),
    /// The PDF could not be printed.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// The JSON could not be written.
    #[error("writing the JSON report: {0}")]
    Json(#[from] serde_json::Error),
}

/// The file name extension and MIME type of `format`.
pub fn file_type(format: ReportFormat) -> (&'static str, &'static str) {
    match format {
        ReportFormat::Html => ("html", "text/html; charset=utf-8"),
        ReportFormat::Pdf => ("pdf", "application/pdf"),
        ReportFormat::Docx => (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ReportFormat::Md => ("md", "text/markdown; charset=utf-8"),
        ReportFormat::Json => ("json", "application/json"),
    }
}

/// Renders `report` into each of `formats`, in that order. The HTML is
/// rendered once and shared by the HTML and PDF outputs; a custom template
/// in `options` shapes both (Markdown and DOCX use the built-in template).
pub async fn render_report(
    renderer: &Renderer,
    printer: &PdfPrinter,
    report: &MeetingReport,
    formats: &[ReportFormat],
    options: &RenderOptions,
) -> Result<Vec<RenderedReport>, ReportRenderError> {
    let needs_html = formats
        .iter()
        .any(|f| matches!(f, ReportFormat::Html | ReportFormat::Pdf));
    let html = if needs_html {
        Some(renderer.html(report, options)?)
    } else {
        None
    };
    let mut rendered = Vec::with_capacity(formats.len());
    for &format in formats {
        let bytes = match format {
            ReportFormat::Html => html.clone().unwrap_or_default().into_bytes(),
            ReportFormat::Pdf => printer.print(html.as_deref().unwrap_or_default()).await?,
            ReportFormat::Docx => render_docx(report, renderer.strings(), options)?,
            ReportFormat::Md => renderer.markdown(report, options)?.into_bytes(),
            ReportFormat::Json => serde_json::to_vec_pretty(report)?,
        };
        let (extension, mime) = file_type(format);
        rendered.push(RenderedReport {
            format,
            bytes,
            extension,
            mime,
        });
    }
    Ok(rendered)
}
