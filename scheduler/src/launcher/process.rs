//! Bots as child processes: `PROGRAM ARGS… --bot-id ID`.
//!
//! Liveness comes from the children this instance started and, for bots
//! started by an earlier instance of the scheduler, from `/proc`: a process
//! whose command line carries `--bot-id ID` is that bot. So a restarted
//! scheduler adopts running bots instead of launching them again.

use super::backend::{Backend, LaunchError, RunStatus};
use super::config::ProcessConfig;
use mymeet_core::db::entities::bots;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use tokio::process::{Child, Command};
use uuid::Uuid;

/// Starts bots as child processes.
#[derive(Debug)]
pub struct ProcessBackend {
    program: PathBuf,
    config: ProcessConfig,
    children: Mutex<HashMap<Uuid, Child>>,
}

impl ProcessBackend {
    /// A backend running `config.program` (or this executable).
    pub fn new(config: ProcessConfig) -> Result<ProcessBackend, LaunchError> {
        let program = match &config.program {
            Some(p) => p.clone(),
            None => std::env::current_exe().map_err(|source| LaunchError::Spawn {
                program: "the current executable".into(),
                source,
            })?,
        };
        Ok(ProcessBackend {
            program,
            config,
            children: Mutex::new(HashMap::new()),
        })
    }

    /// The process id of a bot this instance started, while it runs.
    pub fn pid(&self, bot_id: Uuid) -> Option<u32> {
        self.lock().get(&bot_id).and_then(Child::id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Child>> {
        self.children.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl Backend for ProcessBackend {
    async fn start(&self, bot_id: Uuid, attempt: u32) -> Result<(), LaunchError> {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.config.args)
            .arg("--bot-id")
            .arg(bot_id.to_string())
            .envs(&self.config.env)
            .env("MYMEET_BOT_ATTEMPT", attempt.to_string())
            .stdin(std::process::Stdio::null());
        let child = cmd.spawn().map_err(|source| LaunchError::Spawn {
            program: self.program.display().to_string(),
            source,
        })?;
        tracing::info!(bot = %bot_id, pid = ?child.id(), attempt, "bot process started");
        self.lock().insert(bot_id, child);
        Ok(())
    }

    async fn status(&self, bot: &bots::Model) -> Result<RunStatus, LaunchError> {
        {
            let mut children = self.lock();
            if let Some(child) = children.get_mut(&bot.id) {
                match child.try_wait() {
                    Ok(None) => return Ok(RunStatus::Running),
                    Ok(Some(exit)) => {
                        tracing::warn!(bot = %bot.id, %exit, "bot process exited");
                        children.remove(&bot.id);
                        return Ok(RunStatus::Gone);
                    }
                    Err(e) => {
                        tracing::warn!(bot = %bot.id, error = %e, "cannot poll bot process");
                        return Ok(RunStatus::Unknown);
                    }
                }
            }
        }
        Ok(if running_elsewhere(bot.id) {
            RunStatus::Running
        } else {
            RunStatus::Gone
        })
    }
}

/// True when some process on this machine has `--bot-id ID` on its command line.
fn running_elsewhere(bot_id: Uuid) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    let id = bot_id.to_string();
    dir.flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|cmdline| {
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            args.windows(2)
                .any(|w| w[0] == b"--bot-id" && w[1] == id.as_bytes())
        })
}
