//! The command line, as clap types.

use crate::commands::bot::BotArgs;
use crate::commands::demo::DemoArgs;
use crate::commands::models::ModelsArgs;
use crate::commands::templates::TemplatesArgs;
use crate::commands::testbed::TestbedArgs;
use crate::commands::transcribe::TranscribeArgs;
use crate::commands::worker::WorkerArgs;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Self-hostable meeting bots: join Meet, Teams and Zoom calls, record,
/// transcribe and email a report.
///
/// Configuration comes from built-in defaults (SQLite, in-process bus and
/// files under ./data), then the TOML file given with --config, then
/// MYMEET_* environment variables (MYMEET_DATABASE__URL sets database.url).
#[derive(Debug, Parser)]
#[command(name = "mymeet", version, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, short, global = true, env = "MYMEET_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole loop on this machine: a local meeting, a bot that records it, the transcript, the report and its email.
    Demo(DemoArgs),
    /// Run the HTTP API server (health, readiness, metrics); applies migrations first.
    Serve(ServeArgs),
    /// Run the scheduler: calendar sync, one bot per meeting, and the bot launcher with its lease.
    Scheduler,
    /// Run the pipeline's stages: transcribe recordings, render reports, email them.
    Worker(WorkerArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check the configuration and print it with secrets redacted.
    Config,
    /// Show the meeting link (platform, URL, id, passcode) found in an event JSON or text file.
    Links(LinksArgs),
    /// Run one meeting bot: join, record, write recording.ogg, tracks/ and bot.json (standalone with
    /// --meeting-url; with --bot-id, stored and uploaded as configured).
    Bot(BotArgs),
    /// Fetch and list the Whisper and voice activity models.
    Models(ModelsArgs),
    /// Transcribe audio files with Whisper (txt, json, srt or vtt).
    Transcribe(TranscribeArgs),
    /// Run a local conference with Meet, Teams and Zoom style join pages and speaking participants.
    Testbed(TestbedArgs),
    /// Check and store a tenant's own report templates (handlebars), refused with line and column.
    Templates(TemplatesArgs),
}

/// Options of `mymeet serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; overrides http.listen.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

/// Options of `mymeet links`.
#[derive(Debug, clap::Args)]
pub struct LinksArgs {
    /// An event as JSON (Google Calendar or Microsoft Graph shape), or a text or HTML file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print a JSON array of {platform, url, meeting_id, passcode}.
    #[arg(long)]
    pub json: bool,
}
