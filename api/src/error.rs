use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use mymeet_core::bus::BusError;
use mymeet_core::db::repo::RepoError;

/// An error answered to an HTTP client as `{"error": "..."}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A dependency (database, broker) is down.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The request is malformed or refers to something stale.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No valid credentials came with the request.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The credentials do not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No such thing (or not one the caller may see).
    #[error("not found: {0}")]
    NotFound(String),
    /// A bug or an unexpected failure; the detail is logged, not answered.
    #[error("internal error")]
    Internal(String),
}

impl From<RepoError> for ApiError {
    fn from(e: RepoError) -> Self {
        if e.is_not_found() {
            return ApiError::NotFound(e.to_string());
        }
        ApiError::Internal(e.to_string())
    }
}

impl From<BusError> for ApiError {
    fn from(e: BusError) -> Self {
        ApiError::Unavailable(format!("message bus: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        (
            status,
            Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}
