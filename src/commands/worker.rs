//! `mymeet worker`: the pipeline's stages as one long-running process.

use anyhow::Context;
use mymeet_core::config::Config;
use mymeet_pipeline::stages::{Pipeline, Stage};

/// Options of `mymeet worker`.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Stages to run, comma-separated: transcription, report, delivery. All by default.
    #[arg(long = "stage", value_name = "STAGE", value_delimiter = ',')]
    pub stages: Vec<Stage>,
}

/// Runs `mymeet worker` until SIGINT or SIGTERM; running messages finish first.
pub async fn run(config: &Config, args: WorkerArgs) -> anyhow::Result<()> {
    super::transcribe::limit_compute_threads(config.transcription.threads);
    let stages = if args.stages.is_empty() {
        Stage::ALL.to_vec()
    } else {
        args.stages
    };
    let db = super::migrate::open_migrated(config).await?;
    let bus = mymeet_core::bus::open(&config.bus, &db)
        .await
        .context("cannot open the message bus (bus.url)")?;
    let blobs = mymeet_core::blob::open(config)?;
    let pipeline = Pipeline::from_config(config, db, bus, blobs, &stages, None)
        .await
        .context("cannot start the pipeline")?;
    let names: Vec<String> = stages.iter().map(ToString::to_string).collect();
    tracing::info!(stages = %names.join(","), "worker running");
    pipeline.run(super::signal::shutdown_flag()).await?;
    tracing::info!("worker stopped");
    Ok(())
}
