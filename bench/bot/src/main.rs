//! The subset of `mymeet testbed` and `mymeet bot` that bench/bot/run.sh
//! drives, with the same flags, so the benchmark can run (in release) while
//! the full CLI is being rebuilt. Same library calls as the CLI.

use clap::{Parser, Subcommand};
use mymeet_bot::{BotConfig, HostAlias, NoopObserver};
use mymeet_core::domain::BotState;
use mymeet_testbed::{ParticipantSpec, Testbed, TestbedConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Bot benchmark helper.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A local conference (as `mymeet testbed`).
    Testbed {
        /// NAME=AUDIO, in speaking order.
        #[arg(long = "participant", required = true)]
        participants: Vec<ParticipantSpec>,
        /// Admit each guest this many seconds after it enters the lobby.
        #[arg(long)]
        auto_admit: Option<f64>,
        /// Silence before the first speaker.
        #[arg(long, default_value_t = 2.0)]
        lead_in: f64,
    },
    /// One bot (as `mymeet bot`).
    Bot {
        /// The meeting link.
        #[arg(long)]
        meeting_url: String,
        /// The name shown in the meeting.
        #[arg(long, default_value = "mymeet notetaker")]
        bot_name: String,
        /// The output directory.
        #[arg(long)]
        out: PathBuf,
        /// Leave after this many seconds in the call.
        #[arg(long)]
        max_duration: Option<f64>,
        /// HOST:PORT=PLATFORM.
        #[arg(long)]
        host_alias: Vec<HostAlias>,
        /// The Chromium executable.
        #[arg(long)]
        chromium: Option<PathBuf>,
        /// An extra Chromium switch (repeatable).
        #[arg(long, allow_hyphen_values = true)]
        chromium_arg: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("SIGTERM handler: {e}");
            return ExitCode::FAILURE;
        }
    };
    match Cli::parse().command {
        Command::Testbed {
            participants,
            auto_admit,
            lead_in,
        } => {
            let mut config = TestbedConfig::new(participants);
            config.auto_admit = auto_admit.map(Duration::from_secs_f64);
            config.lead_in = Duration::from_secs_f64(lead_in);
            let testbed = match Testbed::start(config).await {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("testbed: {e}");
                    return ExitCode::FAILURE;
                }
            };
            for line in testbed.url_lines() {
                println!("{line}");
            }
            term.recv().await;
            testbed.shutdown().await;
            ExitCode::SUCCESS
        }
        Command::Bot {
            meeting_url,
            bot_name,
            out,
            max_duration,
            host_alias,
            chromium,
            chromium_arg,
        } => {
            let mut config = BotConfig::new(meeting_url, out);
            config.bot_name = bot_name;
            config.max_duration = max_duration.map(Duration::from_secs_f64);
            config.host_aliases = host_alias;
            if let Some(chromium) = chromium {
                config.chromium = chromium;
            }
            config.chromium_args = chromium_arg;
            let (stop_tx, stop) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                term.recv().await;
                let _ = stop_tx.send(true);
            });
            match mymeet_bot::run(config, Arc::new(NoopObserver), stop).await {
                Ok(report) if report.state == BotState::Done => ExitCode::SUCCESS,
                Ok(report) => {
                    eprintln!("bot {}: {:?}", report.state, report.detail);
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("bot: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
