//! Rendering of a [`MeetingReport`](crate::analysis::MeetingReport) into
//! the formats people read: HTML, PDF, DOCX, Markdown and JSON.
//!
//! Safety rules, which every format keeps:
//! - untrusted text (transcript, titles, names) is always escaped: HTML by
//!   handlebars' default escaping, Markdown by [`escape::markdown`], DOCX by
//!   its XML writer; helpers return values (escaped like any expression)
//!   and never write raw output;
//! - custom templates may not print unescaped (`{{{…}}}`, `{{&…}}`, raw
//!   blocks are refused by [`compile_template`]), and cannot read files:
//!   every template and partial is embedded in the binary, dev mode is off;
//! - PDFs are printed with no network (see [`PdfPrinter`]).

mod custom;
mod docx;
mod escape;
mod helpers;
mod locale;
mod output;
mod pdf;
mod renderer;
mod sample;
mod tenant_template;
mod time_format;

pub use custom::{compile_template, TemplateError};
pub use docx::DocxError;
pub use locale::Locale;
pub use output::{file_type, render_report, RenderedReport, ReportRenderError};
pub use pdf::{PdfEngine, PdfError, PdfPrinter};
pub use renderer::{BuiltinTemplate, RenderError, RenderOptions, Renderer};
pub use sample::sample_report;
pub use tenant_template::{save_tenant_template, SaveTemplateError};
pub(crate) use time_format::MONTHS_RU;
pub use time_format::{clock, srt_timestamp};
