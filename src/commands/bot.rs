//! `mymeet bot`: one bot in one meeting — standalone with `--meeting-url`
//! (no database or broker), or wired with `--bot-id` (the bot's row, the bus
//! and the blob store from the configuration; how the scheduler launches it).

use anyhow::Context;
use mymeet_bot::wired::{WiredContext, WiredOptions};
use mymeet_bot::{BotConfig, BotReport, HostAlias, NoopObserver};
use mymeet_core::config::Config;
use mymeet_core::domain::BotState;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Options of `mymeet bot`.
#[derive(Debug, clap::Args)]
pub struct BotArgs {
    /// The meeting link (Meet, Teams, Zoom, or a host alias): a standalone bot.
    #[arg(
        long,
        value_name = "URL",
        required_unless_present = "bot_id",
        conflicts_with = "bot_id"
    )]
    pub meeting_url: Option<String>,
    /// The stored bot to run (database, bus and blob store as configured).
    #[arg(long, value_name = "UUID")]
    pub bot_id: Option<uuid::Uuid>,
    /// With --bot-id: most seconds between uploads of the audio appended to
    /// each track (about the most a bot whose machine dies loses).
    #[arg(long, value_name = "S", default_value_t = 2.0)]
    pub part_every: f64,
    /// With --bot-id: least seconds between uploads of the whole tracks so
    /// far, announced for live transcription.
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    pub upload_every: f64,
    /// The name shown in the meeting.
    #[arg(long, value_name = "NAME", default_value = "mymeet notetaker")]
    pub bot_name: String,
    /// Where recording.ogg, tracks/ and bot.json are written [default: bot-out,
    /// or DATA_DIR/bots/ID with --bot-id].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Leave after this many seconds in the call.
    #[arg(long, value_name = "S")]
    pub max_duration: Option<f64>,
    /// Give up when not admitted within this many seconds.
    #[arg(long, value_name = "S", default_value_t = 600.0)]
    pub waiting_room_timeout: f64,
    /// Leave this many seconds after the last other participant left.
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub alone_timeout: f64,
    /// Treat HOST[:PORT] as a platform's server (a testbed), e.g. 127.0.0.1:4001=meet.
    #[arg(long, value_name = "HOST:PORT=PLATFORM")]
    pub host_alias: Vec<HostAlias>,
    /// A directory of meet.toml / teams.toml / zoom.toml overriding the built-in selectors.
    #[arg(long, value_name = "DIR")]
    pub platforms_dir: Option<PathBuf>,
    /// The Chromium executable: Debian's chromium-headless-shell (the lightest), or /usr/bin/chromium.
    #[arg(long, value_name = "PATH", default_value = mymeet_bot::config::HEADLESS_SHELL)]
    pub chromium: PathBuf,
    /// An extra Chromium switch, e.g. --chromium-arg=--renderer-process-limit=1 (repeatable).
    #[arg(long, value_name = "SWITCH", allow_hyphen_values = true)]
    pub chromium_arg: Vec<String>,
}

/// Runs the bot until it ends; SIGTERM or Ctrl-C makes it leave and finalize.
pub async fn run(config: &Config, args: BotArgs) -> anyhow::Result<()> {
    let secs = |s: f64, what: &str| {
        Duration::try_from_secs_f64(s)
            .with_context(|| format!("--{what} must be a non-negative number"))
    };
    let out = match (&args.out, args.bot_id) {
        (Some(out), _) => out.clone(),
        (None, Some(id)) => config.data_dir.join("bots").join(id.to_string()),
        (None, None) => PathBuf::from("bot-out"),
    };
    let mut bot = BotConfig::new(args.meeting_url.clone().unwrap_or_default(), out);
    bot.bot_name = args.bot_name;
    bot.max_duration = args
        .max_duration
        .map(|s| secs(s, "max-duration"))
        .transpose()?;
    bot.waiting_room_timeout = secs(args.waiting_room_timeout, "waiting-room-timeout")?;
    bot.alone_timeout = secs(args.alone_timeout, "alone-timeout")?;
    bot.host_aliases = args.host_alias;
    bot.profiles_dir = args.platforms_dir;
    bot.chromium = args.chromium;
    bot.chromium_args = args.chromium_arg;
    let out = bot.out_dir.clone();
    let stop = super::signal::shutdown_flag();

    let report = match args.bot_id {
        None => mymeet_bot::run(bot, Arc::new(NoopObserver), stop).await?,
        Some(bot_id) => {
            let ctx = wired_context(config).await?;
            let mut options = WiredOptions::new(bot);
            options.part_every = secs(args.part_every, "part-every")?;
            options.upload_every = secs(args.upload_every, "upload-every")?;
            let run = mymeet_bot::wired::run_bot(ctx, bot_id, options, stop)
                .await
                .with_context(|| format!("bot {bot_id}"))?;
            if let Some(id) = run.recording_id {
                println!("recording {id}");
            }
            run.report
        }
    };
    outcome(&report, &out)
}

/// The database, bus and blob store of the configuration.
async fn wired_context(config: &Config) -> anyhow::Result<WiredContext> {
    let db = mymeet_core::db::connect(config)
        .await
        .context("cannot open the database (database.url)")?;
    let bus = mymeet_core::bus::open(&config.bus, &db)
        .await
        .context("cannot open the message bus (bus.url)")?;
    let blobs = mymeet_core::blob::open(config).context("cannot open the blob store (storage)")?;
    Ok(WiredContext { db, bus, blobs })
}

/// Prints how the bot ended; an error unless it ended `done`.
fn outcome(report: &BotReport, out: &std::path::Path) -> anyhow::Result<()> {
    let reason = report.end_reason.map(|r| r.to_string()).unwrap_or_default();
    let detail = report.detail.clone().unwrap_or_default();
    if report.state == BotState::Done {
        println!("done: {reason} ({})", out.display());
        Ok(())
    } else {
        anyhow::bail!(
            "bot {}: {reason}{}{detail}",
            report.state,
            if detail.is_empty() { "" } else { ": " }
        )
    }
}
