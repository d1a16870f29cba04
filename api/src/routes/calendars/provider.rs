//! The `{provider}` path segment.

use crate::ApiError;
use mymeet_core::db::entities::calendar_connections::Provider;

/// `google` or `microsoft`; anything else is not a route.
pub(crate) fn parse(segment: &str) -> Result<Provider, ApiError> {
    match segment {
        "google" => Ok(Provider::Google),
        "microsoft" => Ok(Provider::Microsoft),
        other => Err(ApiError::NotFound(format!(
            "no calendar provider {other:?} (google, microsoft)"
        ))),
    }
}

/// The path segment (and `oauth_states.provider`) of `provider`.
pub(crate) fn name(provider: Provider) -> &'static str {
    match provider {
        Provider::Google => "google",
        Provider::Microsoft => "microsoft",
    }
}
