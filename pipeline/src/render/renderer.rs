//! Handlebars rendering of reports into HTML and Markdown, with built-in
//! templates in English and Russian and tenants' own templates.
//!
//! Templates see the [`MeetingReport`] fields at the root (`meeting`,
//! `summary`, `key_points`, `action_items`, `decisions`, `open_questions`,
//! `topics`, `speakers`, `segments`, `engine`) plus `t` (the strings of the
//! report's language), `lang` and `include_transcript`; the helpers are in
//! `helpers.rs`. Rendering is strict: a field that does not exist is an
//! error, not an empty string. All templates come from the binary; nothing
//! is loaded from disk (dev mode stays off), so a template cannot read files.

use super::custom::{check_syntax_and_escaping, TemplateError};
use super::escape;
use super::helpers;
use super::locale::{Locale, Strings, StringsError};
use crate::analysis::MeetingReport;
use handlebars::Handlebars;
use serde_json::{json, Value};

/// The built-in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuiltinTemplate {
    /// Title, date, duration, summary, key points, action items, decisions,
    /// open questions, topics and talk time (and the transcript, when asked).
    #[default]
    Summary,
    /// The full transcript with speakers and timestamps.
    Transcript,
    /// The action items alone.
    ActionItems,
}

impl BuiltinTemplate {
    /// Every built-in template.
    pub const ALL: [BuiltinTemplate; 3] = [
        BuiltinTemplate::Summary,
        BuiltinTemplate::Transcript,
        BuiltinTemplate::ActionItems,
    ];

    /// Its name: `summary`, `transcript` or `action_items`.
    pub fn name(self) -> &'static str {
        match self {
            BuiltinTemplate::Summary => "summary",
            BuiltinTemplate::Transcript => "transcript",
            BuiltinTemplate::ActionItems => "action_items",
        }
    }

    /// The template called `name`, if it is a built-in one.
    pub fn from_name(name: &str) -> Option<BuiltinTemplate> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    fn html_source(self) -> &'static str {
        match self {
            BuiltinTemplate::Summary => include_str!("../../templates/html/summary.hbs"),
            BuiltinTemplate::Transcript => include_str!("../../templates/html/transcript.hbs"),
            BuiltinTemplate::ActionItems => include_str!("../../templates/html/action_items.hbs"),
        }
    }

    fn markdown_source(self) -> &'static str {
        match self {
            BuiltinTemplate::Summary => include_str!("../../templates/markdown/summary.hbs"),
            BuiltinTemplate::Transcript => include_str!("../../templates/markdown/transcript.hbs"),
            BuiltinTemplate::ActionItems => {
                include_str!("../../templates/markdown/action_items.hbs")
            }
        }
    }
}

/// Partials of the HTML templates; custom templates may use them too.
const HTML_PARTIALS: [(&str, &str); 4] = [
    ("header", include_str!("../../templates/html/header.hbs")),
    (
        "action_items_section",
        include_str!("../../templates/html/action_items_section.hbs"),
    ),
    (
        "transcript_section",
        include_str!("../../templates/html/transcript_section.hbs"),
    ),
    (
        "highlights",
        include_str!("../../templates/html/highlights.hbs"),
    ),
];

/// The same partials, by the same names, for Markdown.
const MARKDOWN_PARTIALS: [(&str, &str); 4] = [
    (
        "header",
        include_str!("../../templates/markdown/header.hbs"),
    ),
    (
        "action_items_section",
        include_str!("../../templates/markdown/action_items_section.hbs"),
    ),
    (
        "transcript_section",
        include_str!("../../templates/markdown/transcript_section.hbs"),
    ),
    (
        "highlights",
        include_str!("../../templates/markdown/highlights.hbs"),
    ),
];

/// The document around every HTML body: inline CSS, a CSP that forbids
/// every external resource, nothing else.
const HTML_DOCUMENT: &str = include_str!("../../templates/html/document.hbs");
const HTML_CSS: &str = include_str!("../../templates/html/report.css");

/// What to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// The built-in template, used for Markdown always and for HTML/PDF
    /// unless `custom_html` is given.
    pub template: BuiltinTemplate,
    /// A tenant's template for the HTML body (and so the PDF); checked like
    /// [`compile_template`](super::compile_template) before use.
    pub custom_html: Option<String>,
    /// Whether the summary ends with the full transcript.
    pub include_transcript: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            template: BuiltinTemplate::Summary,
            custom_html: None,
            include_transcript: true,
        }
    }
}

/// A report that could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A custom template was refused.
    #[error("custom template: {0}")]
    Template(#[from] TemplateError),
    /// A template failed on this report (a built-in one failing is a bug).
    #[error("rendering template `{template}`: {error}")]
    Render {
        /// Which template.
        template: String,
        /// Where and why, as a template error.
        error: TemplateError,
    },
    /// The embedded strings are broken.
    #[error(transparent)]
    Strings(#[from] StringsError),
    /// An embedded template does not compile.
    #[error("built-in template `{name}`: {error}")]
    Builtin {
        /// Which template.
        name: &'static str,
        /// Why.
        error: TemplateError,
    },
    /// The report could not be turned into template data.
    #[error("report data: {0}")]
    Data(#[from] serde_json::Error),
}

/// Renders reports with the built-in templates or a custom one. Build one
/// and reuse it: templates are compiled once.
#[derive(Debug)]
pub struct Renderer {
    html: Handlebars<'static>,
    markdown: Handlebars<'static>,
    strings: Strings,
}

impl Renderer {
    /// Compiles the built-in templates and loads the strings.
    pub fn new() -> Result<Renderer, RenderError> {
        let mut html = registry();
        let mut markdown = registry();
        markdown.register_escape_fn(escape::markdown);
        let builtin = |name: &'static str| {
            move |e: handlebars::TemplateError| RenderError::Builtin {
                name,
                error: e.into(),
            }
        };
        for (name, source) in HTML_PARTIALS {
            html.register_partial(name, source).map_err(builtin(name))?;
        }
        for (name, source) in MARKDOWN_PARTIALS {
            markdown
                .register_partial(name, source)
                .map_err(builtin(name))?;
        }
        for template in BuiltinTemplate::ALL {
            let name = template.name();
            html.register_template_string(name, template.html_source())
                .map_err(builtin(name))?;
            markdown
                .register_template_string(name, template.markdown_source())
                .map_err(builtin(name))?;
        }
        html.register_template_string("document", HTML_DOCUMENT)
            .map_err(builtin("document"))?;
        Ok(Renderer {
            html,
            markdown,
            strings: Strings::load()?,
        })
    }

    /// A self-contained HTML document: the body from the chosen template,
    /// inline CSS with print rules, no external resources.
    pub fn html(
        &self,
        report: &MeetingReport,
        options: &RenderOptions,
    ) -> Result<String, RenderError> {
        let body = self.html_body(report, options)?;
        let locale = Locale::for_language(&report.meeting.language);
        let page = json!({
            "lang": locale.code(),
            "title": report.meeting.title,
            "css": HTML_CSS,
            "body": body,
        });
        self.html
            .render("document", &page)
            .map_err(|e| render_error("document", &e))
    }

    /// The HTML body alone (no document around it), e.g. for an email.
    pub fn html_body(
        &self,
        report: &MeetingReport,
        options: &RenderOptions,
    ) -> Result<String, RenderError> {
        let data = self.data(report, options)?;
        match &options.custom_html {
            Some(source) => {
                check_syntax_and_escaping(source)?;
                self.html
                    .render_template(source, &data)
                    .map_err(|e| RenderError::Template((&e).into()))
            }
            None => {
                let name = options.template.name();
                self.html
                    .render(name, &data)
                    .map_err(|e| render_error(name, &e))
            }
        }
    }

    /// Markdown from the built-in template (custom templates are HTML only).
    pub fn markdown(
        &self,
        report: &MeetingReport,
        options: &RenderOptions,
    ) -> Result<String, RenderError> {
        let data = self.data(report, options)?;
        let name = options.template.name();
        self.markdown
            .render(name, &data)
            .map_err(|e| render_error(name, &e))
    }

    /// The strings of every locale.
    pub(crate) fn strings(&self) -> &Strings {
        &self.strings
    }

    /// The template data: the report's fields plus `t`, `lang` and
    /// `include_transcript`.
    fn data(&self, report: &MeetingReport, options: &RenderOptions) -> Result<Value, RenderError> {
        let locale = Locale::for_language(&report.meeting.language);
        let mut data = serde_json::to_value(report)?;
        if let Value::Object(map) = &mut data {
            map.insert("t".into(), self.strings.of(locale));
            map.insert("lang".into(), Value::from(locale.code()));
            map.insert(
                "include_transcript".into(),
                Value::from(options.include_transcript),
            );
        }
        Ok(data)
    }
}

/// A strict registry with the helpers and HTML escaping.
fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.set_dev_mode(false);
    helpers::register(&mut registry);
    registry
}

fn render_error(template: &str, e: &handlebars::RenderError) -> RenderError {
    RenderError::Render {
        template: template.to_owned(),
        error: e.into(),
    }
}
