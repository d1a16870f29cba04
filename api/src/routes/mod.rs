//! The routes, one module per resource.

mod health;
mod metrics;

use crate::AppState;
use axum::routing::get;
use axum::Router;

/// Every route of the API.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
}
