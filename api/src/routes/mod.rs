//! The routes, one module per resource.

mod calendars;
mod health;
mod metrics;

use crate::AppState;
use axum::routing::{delete, get, post};
use axum::Router;

/// Every route of the API.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route(
            "/v1/calendars/{provider}/connect",
            get(calendars::connect::start),
        )
        .route(
            "/v1/calendars/{provider}/callback",
            get(calendars::callback::finish),
        )
        .route(
            "/v1/calendars/connections/{id}",
            delete(calendars::disconnect::remove),
        )
        .route(
            "/v1/calendars/google/notifications",
            post(calendars::google_push::receive),
        )
        .route(
            "/v1/calendars/microsoft/notifications",
            post(calendars::graph_push::receive),
        )
}
