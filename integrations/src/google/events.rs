use super::failure::FailureNotes;
use super::{GoogleCalendar, GoogleError};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// How to list events.
#[derive(Debug, Clone)]
pub enum ListMode {
    /// Every event overlapping `[from, to)`, recurring series expanded into instances.
    Full {
        /// Window start.
        from: DateTime<Utc>,
        /// Window end.
        to: DateTime<Utc>,
    },
    /// What changed since the listing that handed out `sync_token`
    /// (deleted events come as `status: cancelled`).
    Incremental {
        /// The previous listing's `nextSyncToken`.
        sync_token: String,
    },
}

/// All pages of one listing.
#[derive(Debug, Clone)]
pub struct EventListing {
    /// The events as Calendar v3 JSON (null fields left out).
    pub events: Vec<Value>,
    /// The cursor for the next incremental listing.
    pub next_sync_token: Option<String>,
}

impl GoogleCalendar {
    /// Lists events of `calendar_id`, following every page.
    pub async fn list_events(
        &self,
        access_token: &str,
        calendar_id: &str,
        mode: &ListMode,
    ) -> Result<EventListing, GoogleError> {
        let hub = self.hub(access_token);
        let mut events = Vec::new();
        let mut page: Option<String> = None;
        loop {
            let mut notes = FailureNotes::default();
            // singleEvents: instances of recurring series (moved and
            // cancelled ones included) come as events of their own.
            let mut call = hub
                .events()
                .list(calendar_id)
                .single_events(true)
                .max_results(250)
                .delegate(&mut notes);
            match mode {
                ListMode::Full { from, to } => {
                    call = call.time_min(*from).time_max(*to);
                }
                // Google refuses timeMin/timeMax together with a syncToken.
                ListMode::Incremental { sync_token } => call = call.sync_token(sync_token),
            }
            if let Some(p) = &page {
                call = call.page_token(p);
            }
            let (_, list) = match call.doit().await {
                Ok(r) => r,
                Err(e) => return Err(notes.classify(e)),
            };
            for e in list.items.unwrap_or_default() {
                let v = serde_json::to_value(e)
                    .map_err(|e| GoogleError::Transport(format!("event JSON: {e}")))?;
                events.push(strip_nulls(v));
            }
            match list.next_page_token {
                Some(p) => page = Some(p),
                None => {
                    return Ok(EventListing {
                        events,
                        next_sync_token: list.next_sync_token,
                    })
                }
            }
        }
    }
}

/// Drops `null` members (the typed model writes every absent field as null).
pub(crate) fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}
