//! `[scheduler]`: how the planner schedules bots (`[scheduler.planner]`) and
//! how the launcher starts them (`[scheduler.launcher]`: child processes or
//! Kubernetes Jobs, the lease, the bot command line).
//!
//! The types live here, not in the scheduler crate, so that one `Config`
//! holds every section; `mymeet_scheduler` re-exports them.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[scheduler]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerConfig {
    /// Seconds between planning runs (every calendar sync also triggers one).
    pub plan_interval_secs: u64,
    /// `[scheduler.planner]`.
    pub planner: PlannerConfig,
    /// `[scheduler.launcher]`.
    pub launcher: LauncherConfig,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            plan_interval_secs: 30,
            planner: PlannerConfig::default(),
            launcher: LauncherConfig::default(),
        }
    }
}

/// How the planner schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlannerConfig {
    /// Seconds before the meeting's start that its bot starts joining.
    pub lead_time_secs: u64,
    /// Days ahead that meetings are planned.
    pub horizon_days: u64,
}

impl Default for PlannerConfig {
    fn default() -> Self {
        PlannerConfig {
            lead_time_secs: 60,
            horizon_days: 14,
        }
    }
}

impl PlannerConfig {
    /// The lead time.
    pub fn lead_time(&self) -> Duration {
        Duration::seconds(i64::try_from(self.lead_time_secs).unwrap_or(i64::MAX / 1_000_000))
    }

    /// The planning horizon.
    pub fn horizon(&self) -> Duration {
        Duration::days(i64::try_from(self.horizon_days).unwrap_or(3650))
    }
}

/// Where bots run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// Child processes of the scheduler (the embedded default).
    #[default]
    Process,
    /// One Kubernetes Job per bot.
    Kubernetes,
}

/// The launcher's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LauncherConfig {
    /// Process or Kubernetes.
    pub backend: BackendKind,
    /// Seconds between ticks.
    pub tick_secs: u64,
    /// Bots running at once, at most.
    pub max_concurrent: usize,
    /// Due bots looked at per tick.
    pub batch_size: u64,
    /// The lease's name (instances sharing it exclude each other).
    pub lease_name: String,
    /// Seconds a lease lasts without renewal.
    pub lease_ttl_secs: u64,
    /// The child-process backend.
    pub process: ProcessConfig,
    /// The Kubernetes backend.
    pub kubernetes: KubernetesConfig,
}

impl Default for LauncherConfig {
    fn default() -> Self {
        LauncherConfig {
            backend: BackendKind::Process,
            tick_secs: 5,
            max_concurrent: 4,
            batch_size: 50,
            lease_name: "launcher".into(),
            lease_ttl_secs: 30,
            process: ProcessConfig::default(),
            kubernetes: KubernetesConfig::default(),
        }
    }
}

impl LauncherConfig {
    /// The tick interval.
    pub fn tick(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.tick_secs.max(1))
    }

    /// The lease duration.
    pub fn lease_ttl(&self) -> Duration {
        Duration::seconds(i64::try_from(self.lease_ttl_secs).unwrap_or(3600))
    }
}

/// `PROGRAM ARGS… --bot-id ID` as a child process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessConfig {
    /// The program; unset: the running `mymeet` executable.
    pub program: Option<PathBuf>,
    /// Arguments before `--bot-id ID`.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
}

impl Default for ProcessConfig {
    fn default() -> Self {
        ProcessConfig {
            program: None,
            args: vec!["bot".into()],
            env: BTreeMap::new(),
        }
    }
}

/// CPU and memory, as Kubernetes quantities (`500m`, `1Gi`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Resources {
    /// CPU.
    pub cpu: Option<String>,
    /// Memory.
    pub memory: Option<String>,
}

/// One Job per bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KubernetesConfig {
    /// Namespace of the Jobs.
    pub namespace: String,
    /// The mymeet image.
    pub image: String,
    /// `Always`, `IfNotPresent` or `Never`; unset: the cluster's default.
    pub image_pull_policy: Option<String>,
    /// Command (entrypoint); unset: the image's.
    pub command: Vec<String>,
    /// Arguments before `--bot-id ID`.
    pub args: Vec<String>,
    /// Resource requests.
    pub requests: Resources,
    /// Resource limits.
    pub limits: Resources,
    /// Seconds a finished Job is kept before Kubernetes deletes it.
    pub ttl_seconds_after_finished: i32,
    /// Seconds a Job may run at most.
    pub active_deadline_seconds: Option<i64>,
    /// Service account of the bot pods.
    pub service_account: Option<String>,
    /// A Secret whose keys become environment variables (database URL, ...).
    pub env_from_secret: Option<String>,
    /// A ConfigMap whose keys become environment variables.
    pub env_from_config_map: Option<String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
}

impl Default for KubernetesConfig {
    fn default() -> Self {
        KubernetesConfig {
            namespace: "mymeet".into(),
            image: "ghcr.io/mymeet/mymeet:latest".into(),
            image_pull_policy: None,
            command: vec!["mymeet".into()],
            args: vec!["bot".into()],
            requests: Resources {
                cpu: Some("500m".into()),
                memory: Some("768Mi".into()),
            },
            limits: Resources {
                cpu: Some("2".into()),
                memory: Some("2Gi".into()),
            },
            ttl_seconds_after_finished: 3600,
            active_deadline_seconds: Some(6 * 3600),
            service_account: None,
            env_from_secret: None,
            env_from_config_map: None,
            env: BTreeMap::new(),
        }
    }
}
