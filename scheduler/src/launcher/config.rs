//! Launcher settings: which backend, how many bots at once, the lease, and
//! the bot command line (configurable so that tests can launch a small real
//! program instead of `mymeet bot`). Defined in `[scheduler.launcher]` of the
//! core configuration.

pub use mymeet_core::config::{
    BackendKind, KubernetesConfig, LauncherConfig, ProcessConfig, Resources,
};
