use crate::cli::ServeArgs;
use anyhow::Context;
use mymeet_api::AppState;
use mymeet_core::config::Config;
use mymeet_core::crypto::TokenCipher;

/// `mymeet serve`: migrations, then the API (health, metrics, calendars)
/// until SIGINT or SIGTERM.
pub async fn run(config: &Config, args: ServeArgs) -> anyhow::Result<()> {
    let db = super::migrate::open_migrated(config).await?;
    let bus = mymeet_core::bus::open(&config.bus, &db)
        .await
        .context("cannot open the message bus (bus.url)")?;
    let cipher = TokenCipher::from_config(config).context("the token encryption key")?;
    let state = AppState::new(db, bus, cipher, config.calendars.clone())
        .context("calendar providers ([calendars])")?;
    let addr = args.listen.unwrap_or_else(|| config.http.listen.clone());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (http.listen)"))?;
    let local = listener.local_addr()?;
    let stop = super::signal::shutdown_signal();
    tracing::info!(%local, "serving the API");
    println!("listening on http://{local}");
    mymeet_api::serve(listener, state, stop).await?;
    tracing::info!("stopped");
    Ok(())
}
