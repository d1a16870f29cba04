//! Writers for txt, json, srt and vtt.

use super::Transcript;
use std::fmt::Write;
use std::str::FromStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One line per segment.
    Txt,
    /// The whole `Transcript` as JSON.
    Json,
    /// SubRip subtitles.
    Srt,
    /// WebVTT subtitles.
    Vtt,
}

/// A format name that is not txt, json, srt or vtt.
#[derive(Debug, thiserror::Error)]
#[error("unknown format `{0}`: use txt, json, srt or vtt")]
pub struct UnknownFormat(String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "txt" | "text" => Ok(Self::Txt),
            "json" => Ok(Self::Json),
            "srt" => Ok(Self::Srt),
            "vtt" | "webvtt" => Ok(Self::Vtt),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Txt => "txt",
            Self::Json => "json",
            Self::Srt => "srt",
            Self::Vtt => "vtt",
        }
    }
}

/// Renders a transcript in `format`.
pub fn render(transcript: &Transcript, format: Format) -> String {
    let mut out = String::new();
    match format {
        Format::Txt => {
            for s in &transcript.segments {
                let _ = writeln!(out, "{}", cue_text(s.speaker.as_deref(), &s.text, false));
            }
        }
        Format::Json => {
            out = serde_json::to_string_pretty(transcript).unwrap_or_default();
            out.push('\n');
        }
        Format::Srt => {
            for (i, s) in transcript.segments.iter().enumerate() {
                let _ = writeln!(out, "{}", i + 1);
                let _ = writeln!(
                    out,
                    "{} --> {}",
                    timestamp(s.start, ','),
                    timestamp(s.end, ',')
                );
                let _ = writeln!(out, "{}\n", cue_text(s.speaker.as_deref(), &s.text, false));
            }
        }
        Format::Vtt => {
            out.push_str("WEBVTT\n\n");
            for s in &transcript.segments {
                let _ = writeln!(
                    out,
                    "{} --> {}",
                    timestamp(s.start, '.'),
                    timestamp(s.end, '.')
                );
                let _ = writeln!(out, "{}\n", cue_text(s.speaker.as_deref(), &s.text, true));
            }
        }
    }
    out
}

/// `HH:MM:SS<sep>mmm`.
fn timestamp(seconds: f64, sep: char) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}{sep}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// A cue's text on one line: a blank line would end the cue, and VTT reserves `-->`.
fn cue_text(speaker: Option<&str>, text: &str, vtt: bool) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = if vtt { line.replace("-->", "->") } else { line };
    match (speaker, vtt) {
        (Some(sp), true) => format!("<v {sp}>{line}"),
        (Some(sp), false) => format!("{sp}: {line}"),
        (None, _) => line,
    }
}
