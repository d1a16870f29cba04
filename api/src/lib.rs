//! mymeet's HTTP API.
//!
//! Thin axum handlers over [`AppState`]; every error type implements
//! `IntoResponse`. Health and metrics, and calendars: connecting Google and
//! Microsoft accounts (OAuth with PKCE), disconnecting them, and receiving
//! their push notifications. Tenants, API keys, webhooks and the dashboard
//! grow here.

mod calendar_providers;
mod error;
mod routes;
mod state;
pub mod user_token;

pub use calendar_providers::{CalendarProviders, ProvidersError};
pub use error::ApiError;
pub use state::AppState;

use axum::Router;
use mymeet_core::bus::messages::CalendarChangedV1;
use mymeet_core::bus::{Event, QueueSpec};
use std::future::Future;
use tokio::net::TcpListener;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    routes::router().with_state(state)
}

/// Serves the API on `listener` until `shutdown` completes, then finishes
/// in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // What the calendar routes publish is kept until the scheduler reads it,
    // even when the scheduler is not running yet.
    state
        .bus
        .declare(&QueueSpec::stage(CalendarChangedV1::TOPIC))
        .await
        .map_err(std::io::Error::other)?;
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
