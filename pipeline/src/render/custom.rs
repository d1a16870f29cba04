//! Tenants' own templates: compiled when saved, refused with a position when
//! broken or when they could print untrusted text unescaped.

use super::renderer::{RenderError, RenderOptions, Renderer};
use super::sample::sample_report;
use handlebars::template::{Template, TemplateElement};

/// A template that cannot be used, with the place in its source at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", position_prefix(.line, .column))]
pub struct TemplateError {
    /// 1-based line of the fault, when known.
    pub line: Option<usize>,
    /// 1-based column of the fault, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

fn position_prefix(line: &Option<usize>, column: &Option<usize>) -> String {
    match (*line, *column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    }
}

impl TemplateError {
    fn at(line: usize, column: usize, message: impl Into<String>) -> TemplateError {
        TemplateError {
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }
}

impl From<handlebars::TemplateError> for TemplateError {
    fn from(e: handlebars::TemplateError) -> Self {
        let (line, column) = e.pos().unzip();
        TemplateError {
            line,
            column,
            message: e.reason().to_string(),
        }
    }
}

impl From<&handlebars::RenderError> for TemplateError {
    fn from(e: &handlebars::RenderError) -> Self {
        TemplateError {
            line: e.line_no,
            column: e.column_no,
            message: e.reason().to_string(),
        }
    }
}

/// Checks a custom template before it is stored: it must parse, must not
/// print anything unescaped (`{{{…}}}`, `{{&…}}`, raw blocks `{{{{…}}}}`),
/// and must render a sample report in strict mode, so a misspelt field is
/// refused now rather than when a meeting's report is due.
pub fn compile_template(source: &str) -> Result<(), TemplateError> {
    check_syntax_and_escaping(source)?;
    let renderer = Renderer::new().map_err(|e| TemplateError {
        line: None,
        column: None,
        message: e.to_string(),
    })?;
    let options = RenderOptions {
        custom_html: Some(source.to_owned()),
        ..RenderOptions::default()
    };
    match renderer.html_body(&sample_report(), &options) {
        Ok(_) => Ok(()),
        Err(RenderError::Template(e) | RenderError::Render { error: e, .. }) => Err(e),
        Err(other) => Err(TemplateError {
            line: None,
            column: None,
            message: other.to_string(),
        }),
    }
}

/// Parses `source` and refuses every construct that outputs unescaped text.
pub(crate) fn check_syntax_and_escaping(source: &str) -> Result<Template, TemplateError> {
    let template = Template::compile(source)?;
    if let Some(offset) = source.find("{{{{") {
        let (line, column) = line_column(source, offset);
        return Err(TemplateError::at(
            line,
            column,
            "raw blocks `{{{{…}}}}` are not allowed in custom templates",
        ));
    }
    refuse_unescaped(&template)?;
    Ok(template)
}

/// Walks the template tree, blocks and their `else` branches included.
fn refuse_unescaped(template: &Template) -> Result<(), TemplateError> {
    for (i, element) in template.elements.iter().enumerate() {
        match element {
            TemplateElement::HtmlExpression(_) => {
                let (line, column) = template
                    .mapping
                    .get(i)
                    .map(|m| (m.0, m.1))
                    .unwrap_or((0, 0));
                return Err(TemplateError::at(
                    line,
                    column,
                    "unescaped output (`{{{…}}}` or `{{&…}}`) is not allowed in custom templates; use `{{…}}`",
                ));
            }
            TemplateElement::HelperBlock(helper) => {
                for inner in [&helper.template, &helper.inverse].into_iter().flatten() {
                    refuse_unescaped(inner)?;
                }
            }
            TemplateElement::DecoratorBlock(decorator)
            | TemplateElement::PartialBlock(decorator) => {
                if let Some(inner) = &decorator.template {
                    refuse_unescaped(inner)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triple_stash_is_refused_with_its_position() {
        let err = check_syntax_and_escaping("<p>\n  {{{meeting.title}}}</p>")
            .expect_err("triple-stash refused");
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
        let err = check_syntax_and_escaping("{{#if summary}}{{&engine}}{{/if}}")
            .expect_err("ampersand refused inside a block");
        assert!(err.message.contains("unescaped"), "{err}");
        let err = check_syntax_and_escaping("{{#if summary}}x{{else}}\n{{{engine}}}{{/if}}")
            .expect_err("refused in an else branch");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn raw_blocks_are_refused() {
        let err = check_syntax_and_escaping("a\nb {{{{raw}}}}{{x}}{{{{/raw}}}}")
            .expect_err("raw block refused");
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
    }

    #[test]
    fn escaped_mustaches_are_fine() {
        check_syntax_and_escaping(r"\{{literal}} {{meeting.title}}").expect("plain template");
    }
}
