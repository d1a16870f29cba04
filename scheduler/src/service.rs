//! The long-running scheduler (`mymeet scheduler`): polling sync rounds,
//! syncs triggered by `calendar.changed`, planning after every sync and on
//! an interval, and the launcher with its lease — in one process until
//! shutdown.

use crate::launcher::Launcher;
use crate::planner::Planner;
use crate::sync::{calendar_changed_queue, CalendarSync, SyncOnChange, SyncOutcome};
use mymeet_core::bus::{consume, BusError, SharedBus};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

/// Push-triggered syncs running at once.
const TRIGGERED_SYNCS: usize = 8;

/// Everything the scheduler runs.
pub struct Scheduler {
    sync: CalendarSync,
    planner: Planner,
    launcher: Launcher,
    bus: SharedBus,
    plan_interval: Duration,
}

impl Scheduler {
    /// A scheduler that plans every `plan_interval` (and after each triggered sync).
    pub fn new(
        sync: CalendarSync,
        planner: Planner,
        launcher: Launcher,
        bus: SharedBus,
        plan_interval: Duration,
    ) -> Scheduler {
        Scheduler {
            sync,
            planner,
            launcher,
            bus,
            plan_interval,
        }
    }

    /// Runs until `shutdown` completes, then stops every loop (the launcher
    /// gives its lease up) and waits for them. Fails only when the bus
    /// subscription fails for good.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), BusError> {
        let Scheduler {
            sync,
            planner,
            launcher,
            bus,
            plan_interval,
        } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            // An error means the sender is gone: stop as well.
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let (synced_tx, mut synced_rx) = mpsc::unbounded_channel();
        let handler = Arc::new(SyncOnChange::new(sync.clone()).reporting_to(synced_tx.clone()));
        let consumer = tokio::spawn(consume(
            bus,
            calendar_changed_queue(),
            handler,
            TRIGGERED_SYNCS,
            stopped(stop_rx.clone()),
        ));
        let poller = tokio::spawn(poll(
            sync.clone(),
            synced_tx.clone(),
            stopped(stop_rx.clone()),
        ));
        let launcher = {
            let until = stopped(stop_rx.clone());
            tokio::spawn(async move { launcher.run(until).await })
        };
        tokio::pin!(shutdown);
        let mut consumer = consumer;
        let result = loop {
            plan(&planner).await;
            tokio::select! {
                _ = &mut shutdown => break Ok(()),
                r = &mut consumer => break match r {
                    Ok(r) => r,
                    Err(e) => Err(BusError::Broker(format!("sync consumer panicked: {e}"))),
                },
                _ = tokio::time::sleep(plan_interval) => {}
                Some(_) = synced_rx.recv() => {
                    // A burst of notifications is one planning run.
                    while synced_rx.try_recv().is_ok() {}
                }
            }
        };
        let _ = stop_tx.send(true);
        for (name, task) in [("calendar sync", poller), ("launcher", launcher)] {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "{name} loop panicked");
            }
        }
        if !consumer.is_finished() {
            if let Ok(Err(e)) = consumer.await {
                tracing::warn!(error = %e, "calendar.changed consumer ended with an error");
            }
        }
        result
    }
}

/// Polling: a sync round over every due connection each
/// `calendars.sync.poll_interval_secs`, each outcome reported so that
/// planning follows.
async fn poll(
    sync: CalendarSync,
    synced: mpsc::UnboundedSender<(Uuid, SyncOutcome)>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let interval = Duration::from_secs(sync.config().sync.poll_interval_secs.max(1));
    loop {
        match sync.run_round().await {
            Ok(report) => {
                tracing::info!(
                    connections = report.outcomes.len(),
                    synced = report.count("synced"),
                    "calendar sync round"
                );
                for outcome in report.outcomes {
                    // The receiver is gone only while shutting down.
                    let _ = synced.send(outcome);
                }
            }
            Err(e) => tracing::warn!(error = %e, "calendar sync round failed"),
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

/// One planning run over every tenant; failures are logged, the loop goes on.
async fn plan(planner: &Planner) {
    match planner.plan_all().await {
        Ok(r) if !r.is_empty() => tracing::info!(
            created = r.created.len(),
            moved = r.moved.len(),
            cancelled = r.cancelled.len(),
            "planned"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "planning failed"),
    }
}
