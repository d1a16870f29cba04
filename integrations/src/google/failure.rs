//! Turns google-calendar3's errors into [`GoogleError`]. The hub keeps the
//! parsed JSON of an error answer but drops its status line and headers, so
//! a delegate notes them (`Retry-After` above all) as the answer passes.

use super::GoogleError;
use google_calendar3::common;
use std::time::Duration;

/// Notes the status and `Retry-After` of a failed answer; never retries
/// itself (the sync loop decides, across connections).
#[derive(Debug, Default)]
pub(crate) struct FailureNotes {
    status: Option<u16>,
    retry_after: Option<Duration>,
}

impl common::Delegate for FailureNotes {
    fn http_failure(
        &mut self,
        res: &common::Response,
        _: Option<&serde_json::Value>,
    ) -> common::Retry {
        self.status = Some(res.status().as_u16());
        self.retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        common::Retry::Abort
    }
}

/// `Retry-After` as seconds or an HTTP date.
/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    if let Ok(secs) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

impl FailureNotes {
    /// The error for `err`, with what was noted.
    pub(crate) fn classify(&self, err: google_calendar3::Error) -> GoogleError {
        let (status, message, reason) = match &err {
            google_calendar3::Error::BadRequest(v) => (
                self.status
                    .or_else(|| v["error"]["code"].as_u64().map(|c| c as u16)),
                v["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                v["error"]["errors"][0]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            google_calendar3::Error::Failure(res) => (
                Some(res.status().as_u16()),
                res.status().to_string(),
                String::new(),
            ),
            google_calendar3::Error::HttpError(e) => return GoogleError::Transport(e.to_string()),
            other => return GoogleError::Transport(other.to_string()),
        };
        match status {
            Some(410) => GoogleError::SyncTokenExpired,
            Some(401) => GoogleError::Unauthorized,
            Some(404) => GoogleError::NotFound,
            Some(s @ (429 | 503)) => GoogleError::Throttled {
                status: s,
                retry_after: self.retry_after,
            },
            Some(403) if reason.contains("ateLimitExceeded") => GoogleError::Throttled {
                status: 403,
                retry_after: self.retry_after,
            },
            s => GoogleError::Api {
                status: s.unwrap_or(0),
                message,
            },
        }
    }
}
