//! mymeet's HTTP API.
//!
//! Thin axum handlers over [`AppState`]; every error type implements
//! `IntoResponse`. For now: health and metrics. Tenants, API keys, webhooks,
//! calendars and the dashboard grow here.

mod error;
mod routes;
mod state;

pub use error::ApiError;
pub use state::AppState;

use axum::Router;
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
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
