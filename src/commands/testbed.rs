//! `mymeet testbed`: a local conference with Meet, Teams and Zoom style join pages.

use anyhow::Context;
use mymeet_core::config::Config;
use mymeet_testbed::{ParticipantSpec, StyleFlags, Testbed, TestbedConfig};
use std::time::Duration;

/// Options of `mymeet testbed`.
#[derive(Debug, clap::Args)]
pub struct TestbedArgs {
    /// Where to listen: port 0 picks free ports; port P serves Meet on P, Teams P+1, Zoom P+2, control P+3.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: String,
    /// A participant and the audio file it speaks (any format ffmpeg decodes); repeat, in speaking order.
    #[arg(long = "participant", value_name = "NAME=AUDIO", required = true)]
    pub participants: Vec<ParticipantSpec>,
    /// Admit each guest this many seconds after it enters the lobby.
    #[arg(long, value_name = "SECS")]
    pub auto_admit: Option<f64>,
    /// End the meeting this many seconds after the first guest was admitted.
    #[arg(long, value_name = "SECS")]
    pub end_after: Option<f64>,
    /// Silence before the first speaker once the first guest is admitted.
    #[arg(long, value_name = "SECS", default_value_t = 2.0)]
    pub lead_in: f64,
    /// Silence between two speakers.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub gap: f64,
    /// Zoom's host has not started the meeting yet (start it with POST /start).
    #[arg(long)]
    pub zoom_not_started: bool,
    /// Show the anti-bot wall / blocked page of these styles (meet, teams, zoom).
    #[arg(long, value_name = "STYLE")]
    pub blocked: Vec<mymeet_core::domain::Platform>,
}

fn secs(value: f64, flag: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value)
        .with_context(|| format!("--{flag} must be a non-negative number of seconds"))
}

/// Runs the testbed until SIGINT or SIGTERM, printing the join and control URLs.
pub async fn run(_config: &Config, args: TestbedArgs) -> anyhow::Result<()> {
    let mut config = TestbedConfig::new(args.participants);
    config.listen = args
        .listen
        .parse()
        .with_context(|| format!("--listen {:?} is not HOST:PORT", args.listen))?;
    config.lead_in = secs(args.lead_in, "lead-in")?;
    config.gap = secs(args.gap, "gap")?;
    config.auto_admit = args.auto_admit.map(|s| secs(s, "auto-admit")).transpose()?;
    config.end_after = args.end_after.map(|s| secs(s, "end-after")).transpose()?;
    config.zoom = StyleFlags {
        host_started: !args.zoom_not_started,
        blocked: false,
    };
    for style in args.blocked {
        match style {
            mymeet_core::domain::Platform::Meet => config.meet.blocked = true,
            mymeet_core::domain::Platform::Teams => config.teams.blocked = true,
            mymeet_core::domain::Platform::Zoom => config.zoom.blocked = true,
        }
    }
    let testbed = Testbed::start(config)
        .await
        .context("cannot start the testbed")?;
    let stop = super::signal::shutdown_signal();
    for line in testbed.url_lines() {
        println!("{line}");
    }
    stop.await;
    testbed.shutdown().await;
    Ok(())
}
