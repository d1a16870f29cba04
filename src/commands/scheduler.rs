//! `mymeet scheduler`: calendar sync (polling rounds and syncs the API's
//! push notifications ask for), planning (one bot per meeting) and the
//! launcher (`mymeet bot --bot-id ID` children, or Kubernetes Jobs) with its
//! lease, until SIGINT or SIGTERM.

use anyhow::Context;
use mymeet_core::config::Config;
use mymeet_core::crypto::TokenCipher;
use mymeet_scheduler::launcher::{backend_for, Launcher, OrphanRecordings};
use mymeet_scheduler::planner::{Clock, Planner, SystemClock};
use mymeet_scheduler::service::Scheduler;
use mymeet_scheduler::sync::CalendarSync;
use std::sync::Arc;
use std::time::Duration;

/// Runs the scheduler until a shutdown signal.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = super::migrate::open_migrated(config).await?;
    let bus = mymeet_core::bus::open(&config.bus, &db)
        .await
        .context("cannot open the message bus (bus.url)")?;
    let cipher = TokenCipher::from_config(config).context("the token encryption key")?;
    let sync = CalendarSync::new(db.clone(), cipher, config.calendars.clone())
        .context("calendar sync ([calendars])")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let settings = &config.scheduler;
    let planner = Planner::new(db.clone(), clock.clone(), settings.planner.clone());
    let backend = backend_for(&settings.launcher)
        .await
        .context("the bot launcher ([scheduler.launcher])")?;
    // The lease names its holder: host and process, for whoever debugs a stuck lease.
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "scheduler".into());
    let instance = format!("{host}-{}", std::process::id());
    let blobs = mymeet_core::blob::open(config).context("the blob store ([storage])")?;
    let launcher = Launcher::new(
        db.clone(),
        clock,
        backend,
        settings.launcher.clone(),
        &instance,
    )
    .with_orphan_recordings(OrphanRecordings {
        blobs,
        bus: bus.clone(),
    });
    let interval = Duration::from_secs(settings.plan_interval_secs.max(1));
    tracing::info!(%instance, backend = ?settings.launcher.backend, "scheduler running");
    Scheduler::new(sync, planner, launcher, bus, interval)
        .run(super::signal::shutdown_signal())
        .await
        .context("the scheduler stopped")?;
    tracing::info!("scheduler stopped");
    Ok(())
}
