use axum::http::header;
use axum::response::IntoResponse;

/// Every metric of this process in the Prometheus text format.
pub(crate) async fn render() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        mymeet_core::telemetry::render_metrics(),
    )
}
