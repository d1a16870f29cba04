//! One module per subcommand; each takes the loaded configuration.

pub(crate) mod bot;
mod config;
pub(crate) mod demo;
mod links;
mod migrate;
pub(crate) mod models;
mod scheduler;
mod serve;
mod signal;
pub(crate) mod templates;
pub(crate) mod testbed;
pub(crate) mod transcribe;
pub(crate) mod worker;

use crate::cli::{Cli, Command};
use mymeet_core::config::{Config, TelemetryConfig};

/// Loads the configuration, starts telemetry and runs the subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    if matches!(cli.command, Command::Demo(_))
        && config.telemetry.log_filter == TelemetryConfig::default().log_filter
    {
        // The demo draws its own progress; only problems should interrupt it.
        config.telemetry.log_filter =
            "error,mymeet=warn,mymeet_core=warn,mymeet_bot=warn,mymeet_pipeline=warn".into();
    }
    mymeet_core::telemetry::init(&config.telemetry)?;
    match cli.command {
        Command::Demo(args) => demo::run(&config, args).await,
        Command::Serve(args) => serve::run(&config, args).await,
        Command::Scheduler => scheduler::run(&config).await,
        Command::Migrate => migrate::run(&config).await,
        Command::Config => config::run(&config),
        Command::Links(args) => links::run(&args.file, args.json),
        Command::Bot(args) => bot::run(&config, args).await,
        Command::Models(args) => models::run(&config, args),
        Command::Transcribe(args) => transcribe::run(&config, args),
        Command::Testbed(args) => testbed::run(&config, args).await,
        Command::Templates(args) => templates::run(&config, args).await,
        Command::Worker(args) => worker::run(&config, args).await,
    }
}
