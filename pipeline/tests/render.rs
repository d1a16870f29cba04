//! Rendering: untrusted text stays inert in every format, PDFs are printed
//! with no network, DOCX files are real documents, custom templates are
//! checked when saved and used when given, Russian reports read Russian.

mod render_support;

use mymeet_core::config::{PdfEngineKind, ReportsConfig};
use mymeet_core::db::entities::reports::ReportFormat;
use mymeet_pipeline::render::{
    compile_template, render_report, srt_timestamp, BuiltinTemplate, PdfEngine, PdfError,
    PdfPrinter, RenderError, RenderOptions, Renderer,
};
use render_support::{docx_part, hostile_report, pdf_text, CountingServer, TRANSCRIPT_WORDS};
use std::path::PathBuf;
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_printer() -> PdfPrinter {
    PdfPrinter::new(PdfEngine::Chromium {
        executable: PathBuf::from(CHROMIUM),
    })
    .expect("Chromium at /usr/bin/chromium (scripts/setup installs it)")
}

const ALL_FORMATS: [ReportFormat; 5] = [
    ReportFormat::Html,
    ReportFormat::Pdf,
    ReportFormat::Docx,
    ReportFormat::Md,
    ReportFormat::Json,
];

#[test]
fn render_escapes_hostile_text_in_html_and_markdown() {
    let report = hostile_report(9, "en");
    let renderer = Renderer::new().expect("built-in templates compile");
    for template in BuiltinTemplate::ALL {
        let options = RenderOptions {
            template,
            ..RenderOptions::default()
        };
        let html = renderer.html(&report, &options).expect("HTML renders");
        for forbidden in [
            "<script",
            "<img",
            "<i>",
            "<b>",
            "<u>",
            "src=\"http",
            "Bob & Co",
        ] {
            assert!(
                !html.contains(forbidden),
                "{} HTML contains {forbidden:?}",
                template.name()
            );
        }
        assert!(html.contains("Bob &amp; Co"), "names are escaped");
        assert!(!html.contains("http://") || html.contains("&lt;img src&#x3D;&quot;http://"));
        let md = renderer
            .markdown(&report, &options)
            .expect("Markdown renders");
        assert!(!md.contains("<script") && !md.contains("<img") && !md.contains("<i>"));
    }
    let html = renderer
        .html(&report, &RenderOptions::default())
        .expect("summary HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; welcome to the platypus meeting"));
    assert!(html.contains("&lt;img src&#x3D;&quot;http://127.0.0.1:9/pixel.png&quot;&gt;"));
    // Handlebars syntax in the data is printed, never evaluated.
    assert!(html.contains("{{title}} {{{meeting.title}}} and {{&gt; header}} stay text"));
    assert!(html.contains("Quarterly &lt;b&gt;budget&lt;/b&gt; review {{engine}}"));
    // Self-contained: the only markup is ours, with no external resource.
    for external in ["<link", "<script", "<iframe", "url(", "@import"] {
        assert!(!html.contains(external), "HTML has {external:?}");
    }
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("@media print"));
}

#[tokio::test]
async fn render_pdf_makes_no_request_and_holds_the_words() {
    let server = CountingServer::start().await;
    let report = hostile_report(server.port, "en");
    let renderer = Renderer::new().expect("built-in templates compile");
    let printer = chromium_printer();
    let rendered = render_report(
        &renderer,
        &printer,
        &report,
        &ALL_FORMATS,
        &RenderOptions::default(),
    )
    .await
    .expect("every format renders");
    let formats: Vec<ReportFormat> = rendered.iter().map(|r| r.format).collect();
    assert_eq!(formats, ALL_FORMATS);

    let pdf = rendered
        .iter()
        .find(|r| r.format == ReportFormat::Pdf)
        .expect("a PDF");
    assert_eq!((pdf.extension, pdf.mime), ("pdf", "application/pdf"));
    let text = pdf_text(&pdf.bytes);
    for word in TRANSCRIPT_WORDS {
        assert!(text.contains(word), "PDF text lacks {word:?}:\n{text}");
    }
    assert!(
        text.contains("<script>alert(1)</script>"),
        "markup printed as text"
    );
    assert!(text.contains("Action items") && text.contains("zeppelin"));

    // The same document without our CSP, with every kind of subresource:
    // only the interception and the browser flags stand in the way.
    let raw = format!(
        r#"<!DOCTYPE html><html><head>
        <link rel="stylesheet" href="http://127.0.0.1:{p}/style.css">
        <script src="http://127.0.0.1:{p}/app.js"></script>
        <style>@import url("http://127.0.0.1:{p}/import.css"); body {{ background: url("http://localhost:{p}/bg.png"); }}</style>
        </head><body><p>raw hostile page</p>
        <img src="http://127.0.0.1:{p}/pixel.png"><img src="http://localhost:{p}/pixel2.png">
        <iframe src="http://127.0.0.1:{p}/frame"></iframe>
        <script>fetch("http://127.0.0.1:{p}/fetch"); document.write("scripts ran");</script>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
        </body></html>"#,
        p = server.port
    );
    let raw_pdf = printer.print(&raw).await.expect("the raw page prints");
    let raw_text = pdf_text(&raw_pdf);
    assert!(raw_text.contains("raw hostile page"));
    assert!(!raw_text.contains("scripts ran"), "scripts are disabled");

    // Late requests would land after printing: give them a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.hits(), 0, "the local server saw a request");
    // The counter itself works: a request from here is seen.
    let _ = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect to the counting server");
    for _ in 0..250 {
        if server.hits() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.hits(), 1);
    printer.close().await;
}

#[tokio::test]
async fn render_pdf_browser_is_reused_and_restarted_after_it_died() {
    let renderer = Renderer::new().expect("built-in templates compile");
    let html = renderer
        .html(&hostile_report(9, "en"), &RenderOptions::default())
        .expect("HTML");
    let printer = chromium_printer();
    assert_eq!(printer.browser_pid().await, None, "started lazily");
    printer.print(&html).await.expect("first PDF");
    let first = printer.browser_pid().await.expect("a browser runs");
    printer.print(&html).await.expect("second PDF");
    assert_eq!(
        printer.browser_pid().await,
        Some(first),
        "one browser for many reports"
    );

    let killed = std::process::Command::new("kill")
        .args(["-KILL", &first.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    // Once it is a zombie the printer must see the exit itself, without
    // waiting for a command to time out.
    for _ in 0..250 {
        let stat = std::fs::read_to_string(format!("/proc/{first}/stat")).unwrap_or_default();
        if stat.is_empty() || stat.contains(") Z ") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    let pdf = printer
        .print(&html)
        .await
        .expect("a PDF after the browser died");
    assert!(pdf_text(&pdf).contains("platypus"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the dead browser was noticed at once, not after a command timed out"
    );
    let second = printer.browser_pid().await.expect("a new browser runs");
    assert_ne!(second, first);
    printer.close().await;
}

#[test]
fn render_with_wkhtmltopdf_configured_but_missing_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("bin").join("wkhtmltopdf");
    let config = ReportsConfig {
        pdf_engine: PdfEngineKind::Wkhtmltopdf,
        wkhtmltopdf: missing.clone(),
        ..ReportsConfig::default()
    };
    let err = PdfPrinter::new(PdfEngine::from_config(&config))
        .err()
        .expect("refused without the binary");
    assert!(matches!(&err, PdfError::WkhtmltopdfMissing(p) if *p == missing));
    let message = err.to_string();
    assert!(
        message.contains("wkhtmltopdf") && message.contains("not found"),
        "{message}"
    );
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );

    let err = PdfPrinter::new(PdfEngine::Chromium {
        executable: dir.path().join("chromium"),
    })
    .err()
    .expect("refused without Chromium");
    assert!(err.to_string().contains("Chromium not found"), "{err}");
}

#[tokio::test]
async fn render_docx_has_headings_tables_lists_and_the_words() {
    let renderer = Renderer::new().expect("built-in templates compile");
    let printer = chromium_printer();
    let rendered = render_report(
        &renderer,
        &printer,
        &hostile_report(9, "en"),
        &[ReportFormat::Docx],
        &RenderOptions::default(),
    )
    .await
    .expect("DOCX renders without starting a browser");
    assert_eq!(printer.browser_pid().await, None);
    let docx = &rendered[0];
    assert_eq!(docx.extension, "docx");
    assert!(docx.bytes.starts_with(b"PK"), "a zip");
    let document = docx_part(&docx.bytes, "word/document.xml");
    for word in TRANSCRIPT_WORDS {
        assert!(document.contains(word), "document.xml lacks {word:?}");
    }
    assert!(
        document.contains(r#"<w:pStyle w:val="Heading1" />"#)
            || document.contains(r#"<w:pStyle w:val="Heading1"/>"#)
    );
    assert!(document.contains("Title"));
    assert!(
        document.contains("<w:tbl>"),
        "tables for action items and talk time"
    );
    assert!(document.contains("<w:numPr>"), "bulleted lists");
    assert!(document.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!document.contains("<script"));
    let styles = docx_part(&docx.bytes, "word/styles.xml");
    assert!(
        styles.contains(r#"w:styleId="Heading1""#),
        "a real Heading 1 style"
    );
    assert!(
        styles.contains("w:outlineLvl"),
        "headings carry outline levels"
    );
    let _ = docx_part(&docx.bytes, "word/numbering.xml");
}

#[test]
fn render_rejects_a_broken_custom_template_with_line_and_column() {
    let broken =
        "<h1>{{meeting.title}}</h1>\n<ul>\n  {{#each summary}}<li>{{this}}</li>{{/if}}\n</ul>\n";
    let err = compile_template(broken).expect_err("mismatched block refused");
    assert_eq!(err.line, Some(3), "{err}");
    assert!(err.column.is_some(), "{err}");
    assert!(err.to_string().starts_with("line 3, column "), "{err}");

    let unclosed = "<p>\n{{#if summary}}\n<b>open\n";
    let err = compile_template(unclosed).expect_err("unclosed block refused");
    assert!(err.line.is_some() && err.column.is_some(), "{err}");

    let typo = "<h1>{{meeting.title}}</h1>\n<p>{{meeting.titel}}</p>";
    let err = compile_template(typo).expect_err("a misspelt field is refused (strict mode)");
    assert_eq!((err.line, err.column), (Some(2), Some(4)), "{err}");

    let unescaped = "<div>\n  <p>{{{meeting.title}}}</p>\n</div>";
    let err = compile_template(unescaped).expect_err("triple-stash refused");
    assert_eq!((err.line, err.column), (Some(2), Some(6)), "{err}");

    let from_disk = "{{> /etc/passwd}}";
    assert!(
        compile_template(from_disk).is_err(),
        "no partial comes from disk"
    );
}

#[test]
fn render_uses_a_valid_custom_template() {
    let custom = "<section class=\"acme\"><h1>ACME minutes: {{meeting.title}}</h1>\n\
        {{#each segments}}<p>{{srt_time start}} {{speaker}}: {{text}}</p>{{/each}}\n\
        {{> action_items_section}}<p>{{t.owner}}</p></section>";
    compile_template(custom).expect("a valid template compiles");
    let renderer = Renderer::new().expect("built-in templates compile");
    let report = hostile_report(9, "en");
    let options = RenderOptions {
        custom_html: Some(custom.into()),
        ..RenderOptions::default()
    };
    let html = renderer.html(&report, &options).expect("custom HTML");
    assert!(html.contains("<section class=\"acme\"><h1>ACME minutes: Quarterly &lt;b&gt;budget"));
    assert!(html.contains("<p>00:00:05,000 Bob &amp; Co: {{title}}"));
    assert!(html.contains("01:02:05,000"));
    assert!(html.contains("zeppelin"), "built-in partials are available");
    assert!(!html.contains("<script"));
    assert!(
        !html.contains("Key points"),
        "the built-in summary is not used"
    );
    // Markdown stays on the built-in template.
    let md = renderer.markdown(&report, &options).expect("Markdown");
    assert!(!md.contains("ACME") && md.contains("Key points"));

    let refused = RenderOptions {
        custom_html: Some("{{{meeting.title}}}".into()),
        ..RenderOptions::default()
    };
    assert!(matches!(
        renderer.html(&report, &refused),
        Err(RenderError::Template(_))
    ));
}

#[tokio::test]
async fn render_russian_report_in_russian() {
    let renderer = Renderer::new().expect("built-in templates compile");
    let printer = chromium_printer();
    let mut report = hostile_report(9, "ru");
    report.segments[0].text = "Добрый день, коллеги, начинаем планёрку".into();
    let rendered = render_report(
        &renderer,
        &printer,
        &report,
        &[ReportFormat::Html, ReportFormat::Md, ReportFormat::Docx],
        &RenderOptions::default(),
    )
    .await
    .expect("renders");
    let html = String::from_utf8(rendered[0].bytes.clone()).expect("UTF-8");
    for phrase in [
        "Итоги встречи",
        "Задачи",
        "Ответственный",
        "Срок",
        "Стенограмма",
        "28 ноября 2026 г.",
        "1 ч 02 мин",
    ] {
        assert!(html.contains(phrase), "HTML lacks {phrase:?}");
    }
    assert!(html.contains("lang=\"ru\""));
    assert!(html.contains("Добрый день, коллеги"));
    assert!(!html.contains("Action items"));
    let md = String::from_utf8(rendered[1].bytes.clone()).expect("UTF-8");
    assert!(
        md.contains("## Задачи") && md.contains("## Решения"),
        "{md}"
    );
    let document = docx_part(&rendered[2].bytes, "word/document.xml");
    assert!(document.contains("Время выступлений") && document.contains("планёрку"));

    for (language, expected) in [("ru-RU", "Итоги встречи"), ("de", "Meeting summary")]
    {
        report.meeting.language = language.into();
        let html = renderer
            .html(&report, &RenderOptions::default())
            .expect("HTML");
        assert!(html.contains(expected), "{language} → {expected}");
    }
}

#[test]
fn render_timestamps_like_srt_and_clocks() {
    assert_eq!(srt_timestamp(0.0), "00:00:00,000");
    assert_eq!(srt_timestamp(62.5), "00:01:02,500");
    assert_eq!(srt_timestamp(3723.046), "01:02:03,046");
    assert_eq!(srt_timestamp(-1.0), "00:00:00,000");
    assert_eq!(mymeet_pipeline::render::clock(62.5), "01:02");
    assert_eq!(mymeet_pipeline::render::clock(3723.9), "01:02:03");
    let renderer = Renderer::new().expect("built-in templates compile");
    let options = RenderOptions {
        template: BuiltinTemplate::Transcript,
        ..RenderOptions::default()
    };
    let md = renderer
        .markdown(&hostile_report(9, "en"), &options)
        .expect("Markdown transcript");
    assert!(md.contains("**[00:05] Bob &amp; Co:**"), "{md}");
    assert!(
        md.contains("**[01:02:05] Bob &amp; Co:** thanks everyone"),
        "{md}"
    );
}

#[test]
fn render_types_can_be_shared_by_a_worker() {
    fn shared<T: Send + Sync>() {}
    shared::<Renderer>();
    shared::<PdfPrinter>();
}

#[tokio::test]
async fn render_json_is_the_report_itself_and_types_are_labelled() {
    let renderer = Renderer::new().expect("built-in templates compile");
    let printer = chromium_printer();
    let report = hostile_report(9, "en");
    let rendered = render_report(
        &renderer,
        &printer,
        &report,
        &[ReportFormat::Json, ReportFormat::Md, ReportFormat::Html],
        &RenderOptions::default(),
    )
    .await
    .expect("renders");
    let labels: Vec<(&str, &str)> = rendered.iter().map(|r| (r.extension, r.mime)).collect();
    assert_eq!(
        labels,
        [
            ("json", "application/json"),
            ("md", "text/markdown; charset=utf-8"),
            ("html", "text/html; charset=utf-8"),
        ]
    );
    let json = std::str::from_utf8(&rendered[0].bytes).expect("UTF-8");
    assert!(json.contains("\n  \"meeting\": {"), "pretty-printed");
    let back: mymeet_pipeline::analysis::MeetingReport =
        serde_json::from_str(json).expect("the JSON is a MeetingReport");
    assert_eq!(back, report);
    assert_eq!(printer.browser_pid().await, None, "no PDF, no browser");
}
