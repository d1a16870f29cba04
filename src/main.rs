//! `mymeet`: the one binary. Each subcommand lives in `commands/`.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

// Transcription allocates and frees a fresh buffer for every tensor op;
// mimalloc keeps those pages mapped instead of faulting them in again.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Both rustls crypto providers end up in the tree; pick one before any
    // TLS client (lapin, sqlx, object_store) asks for the default.
    let _ = rustls::crypto::ring::default_provider().install_default();

    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
