//! `mymeet bot`: one bot in one meeting, standalone (no database or broker).

use anyhow::Context;
use mymeet_bot::{BotConfig, HostAlias, NoopObserver};
use mymeet_core::config::Config;
use mymeet_core::domain::BotState;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Options of `mymeet bot`.
#[derive(Debug, clap::Args)]
pub struct BotArgs {
    /// The meeting link (Meet, Teams, Zoom, or a host alias).
    #[arg(long, value_name = "URL")]
    pub meeting_url: String,
    /// The name shown in the meeting.
    #[arg(long, value_name = "NAME", default_value = "mymeet notetaker")]
    pub bot_name: String,
    /// Where recording.ogg, tracks/ and bot.json are written.
    #[arg(long, value_name = "DIR", default_value = "bot-out")]
    pub out: PathBuf,
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
    /// The Chromium executable.
    #[arg(long, value_name = "PATH", default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,
    /// An extra Chromium switch, e.g. --chromium-arg=--renderer-process-limit=1 (repeatable).
    #[arg(long, value_name = "SWITCH", allow_hyphen_values = true)]
    pub chromium_arg: Vec<String>,
}

/// Runs the bot until it ends; SIGTERM or Ctrl-C makes it leave and finalize.
pub async fn run(_config: &Config, args: BotArgs) -> anyhow::Result<()> {
    let secs = |s: f64, what: &str| {
        Duration::try_from_secs_f64(s)
            .with_context(|| format!("--{what} must be a non-negative number"))
    };
    let mut config = BotConfig::new(args.meeting_url, args.out);
    config.bot_name = args.bot_name;
    config.max_duration = args
        .max_duration
        .map(|s| secs(s, "max-duration"))
        .transpose()?;
    config.waiting_room_timeout = secs(args.waiting_room_timeout, "waiting-room-timeout")?;
    config.alone_timeout = secs(args.alone_timeout, "alone-timeout")?;
    config.host_aliases = args.host_alias;
    config.profiles_dir = args.platforms_dir;
    config.chromium = args.chromium;
    config.chromium_args = args.chromium_arg;
    let out = config.out_dir.clone();

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        tracing::info!("stop requested");
        let _ = stop_tx.send(true);
    });

    let report = mymeet_bot::run(config, Arc::new(NoopObserver), stop_rx).await?;
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
