//! Word documents with real heading styles, tables and bulleted lists.

use super::locale::{Locale, Strings};
use super::renderer::{BuiltinTemplate, RenderOptions};
use super::time_format;
use crate::analysis::{Highlight, MeetingReport};
use docx_rs::{
    AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
    NumberingId, Paragraph, Run, RunFonts, Shading, SpecialIndentType, Start, Style, StyleType,
    Table, TableCell, TableRow,
};
use serde_json::Value;
use std::io::Cursor;

/// The numbering id of the bullet list.
const BULLETS: usize = 1;

/// A document that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("writing the DOCX: {0}")]
pub struct DocxError(String);

/// Writes `report` as a `.docx`: the same sections as the HTML of the
/// chosen built-in template (custom templates are HTML only).
pub fn render_docx(
    report: &MeetingReport,
    strings: &Strings,
    options: &RenderOptions,
) -> Result<Vec<u8>, DocxError> {
    let locale = Locale::for_language(&report.meeting.language);
    let t = strings.of(locale);
    let mut doc = Writer {
        docx: styled_document(),
        t: &t,
        locale,
    };
    let heading = match options.template {
        BuiltinTemplate::Summary => "summary_title",
        BuiltinTemplate::Transcript => "transcript_title",
        BuiltinTemplate::ActionItems => "action_items_title",
    };
    doc.header(report, heading);
    match options.template {
        BuiltinTemplate::Summary => {
            doc.summary(report);
            if options.include_transcript {
                doc.transcript(report);
            }
        }
        BuiltinTemplate::Transcript => doc.transcript(report),
        BuiltinTemplate::ActionItems => doc.action_items(report),
    }
    let mut bytes = Cursor::new(Vec::new());
    doc.docx
        .build()
        .pack(&mut bytes)
        .map_err(|e| DocxError(e.to_string()))?;
    Ok(bytes.into_inner())
}

/// A document with the Title and Heading styles Word's navigation pane
/// and outline use (outline levels set), and a bullet list definition.
fn styled_document() -> Docx {
    let fonts = RunFonts::new()
        .ascii("Calibri")
        .hi_ansi("Calibri")
        .cs("Calibri")
        .east_asia("Calibri");
    Docx::new()
        .default_fonts(fonts)
        .default_size(22)
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .size(48)
                .bold(),
        )
        .add_style(heading_style("Heading1", "heading 1", 0, 32))
        .add_style(heading_style("Heading2", "heading 2", 1, 26))
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new("•"),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(720),
                    Some(SpecialIndentType::Hanging(360)),
                    None,
                    None,
                ),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS))
}

fn heading_style(id: &str, name: &str, level: usize, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
        .outline_lvl(level)
        .size(size)
        .color("1F3864")
        .bold()
}

/// Text for XML: drops control characters XML 1.0 cannot carry at all.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .collect()
}

fn text_run(text: &str) -> Run {
    Run::new().add_text(clean(text))
}

fn paragraph(text: &str) -> Paragraph {
    Paragraph::new().add_run(text_run(text))
}

struct Writer<'a> {
    docx: Docx,
    t: &'a Value,
    locale: Locale,
}

impl Writer<'_> {
    fn s(&self, key: &str) -> String {
        self.t[key].as_str().unwrap_or(key).to_owned()
    }

    fn push(&mut self, p: Paragraph) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_paragraph(p);
    }

    fn push_table(&mut self, table: Table) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_table(table);
    }

    fn heading(&mut self, key: &str) {
        let text = self.s(key);
        self.push(paragraph(&text).style("Heading1"));
    }

    fn bullet(&mut self, runs: Vec<Run>) {
        let p = runs.into_iter().fold(Paragraph::new(), Paragraph::add_run);
        self.push(p.numbering(NumberingId::new(BULLETS), IndentLevel::new(0)));
    }

    fn empty(&mut self, key: &str) {
        let text = self.s(key);
        self.push(Paragraph::new().add_run(text_run(&text).italic()));
    }

    fn header(&mut self, report: &MeetingReport, heading: &str) {
        let m = &report.meeting;
        self.push(paragraph(&m.title).style("Title"));
        let kicker = self.s(heading);
        self.push(Paragraph::new().add_run(text_run(&kicker).italic()));
        let mut facts = vec![
            (
                self.s("date"),
                time_format::date_time(m.started_at, self.locale),
            ),
            (
                self.s("duration"),
                time_format::duration(m.duration_secs, self.locale),
            ),
        ];
        if let Some(platform) = &m.platform {
            facts.push((self.s("platform"), platform.clone()));
        }
        for (label, value) in facts {
            self.push(
                Paragraph::new()
                    .add_run(text_run(&format!("{label}: ")).bold())
                    .add_run(text_run(&value)),
            );
        }
    }

    fn summary(&mut self, report: &MeetingReport) {
        self.heading("summary");
        if report.summary.is_empty() {
            self.empty("none");
        }
        for sentence in &report.summary {
            self.push(paragraph(sentence));
        }
        self.heading("key_points");
        self.highlights(&report.key_points);
        self.action_items(report);
        self.heading("decisions");
        self.highlights(&report.decisions);
        self.heading("open_questions");
        self.highlights(&report.open_questions);
        self.heading("topics");
        if report.topics.is_empty() {
            self.empty("none");
        }
        for topic in &report.topics {
            let span = format!(
                "{}–{} ",
                time_format::clock(topic.start_secs),
                time_format::clock(topic.end_secs)
            );
            self.bullet(vec![
                text_run(&span).color("808080"),
                text_run(&topic.title),
            ]);
        }
        self.talk_time(report);
    }

    fn highlights(&mut self, items: &[Highlight]) {
        if items.is_empty() {
            self.empty("none");
        }
        for item in items {
            let mut runs = vec![text_run(&item.text)];
            if let Some(speaker) = &item.speaker {
                runs.push(text_run(&format!(" — {speaker}")).italic());
            }
            runs.push(
                text_run(&format!(" ({})", time_format::clock(item.at_secs))).color("808080"),
            );
            self.bullet(runs);
        }
    }

    fn action_items(&mut self, report: &MeetingReport) {
        self.heading("action_items");
        if report.action_items.is_empty() {
            self.empty("no_action_items");
            return;
        }
        let mut rows = vec![self.header_row(&["#", "task", "owner", "due", "at"])];
        for (i, item) in report.action_items.iter().enumerate() {
            let owner = item.owner.clone().unwrap_or_else(|| self.s("nobody"));
            let due = item
                .due
                .map(|d| time_format::date(d, self.locale))
                .unwrap_or_else(|| self.s("no_date"));
            rows.push(row(&[
                (i + 1).to_string(),
                item.text.clone(),
                owner,
                due,
                time_format::clock(item.at_secs),
            ]));
        }
        self.push_table(Table::new(rows));
    }

    fn talk_time(&mut self, report: &MeetingReport) {
        self.heading("talk_time");
        if report.speakers.is_empty() {
            self.empty("none");
            return;
        }
        let mut rows =
            vec![self.header_row(&["speaker", "talk_time", "share", "words", "words_per_minute"])];
        for s in &report.speakers {
            rows.push(row(&[
                s.name.clone(),
                time_format::clock(s.talk_secs),
                format!(
                    "{} {}",
                    time_format::text_bar(s.share),
                    time_format::percent(s.share)
                ),
                s.words.to_string(),
                format!("{:.0}", s.words_per_minute),
            ]));
        }
        self.push_table(Table::new(rows));
    }

    fn transcript(&mut self, report: &MeetingReport) {
        self.heading("transcript");
        let unknown = self.s("unknown_speaker");
        for segment in &report.segments {
            let speaker = segment.speaker.as_deref().unwrap_or(&unknown);
            self.push(
                Paragraph::new()
                    .add_run(
                        text_run(&format!("{} ", time_format::clock(segment.start)))
                            .color("808080"),
                    )
                    .add_run(text_run(&format!("{speaker}: ")).bold())
                    .add_run(text_run(&segment.text)),
            );
        }
    }

    /// A bold, shaded first row; keys are looked up in the strings, `#` is kept.
    fn header_row(&self, keys: &[&str]) -> TableRow {
        TableRow::new(
            keys.iter()
                .map(|key| {
                    let label = if *key == "#" {
                        "#".to_owned()
                    } else {
                        self.s(key)
                    };
                    TableCell::new()
                        .shading(Shading::new().fill("E7ECF3"))
                        .add_paragraph(Paragraph::new().add_run(text_run(&label).bold()))
                })
                .collect(),
        )
    }
}

fn row(cells: &[String]) -> TableRow {
    TableRow::new(
        cells
            .iter()
            .map(|text| TableCell::new().add_paragraph(paragraph(text)))
            .collect(),
    )
}
