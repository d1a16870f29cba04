use super::api::json_of;
use super::{GraphCalendar, GraphError};
use chrono::{DateTime, SecondsFormat, Utc};
use graph_rs_sdk::header::{HeaderName, HeaderValue};
use serde_json::Value;

/// How to run a `calendarView/delta` round.
#[derive(Debug, Clone)]
pub enum DeltaMode {
    /// A first round over `[from, to)`.
    Full {
        /// Window start.
        from: DateTime<Utc>,
        /// Window end.
        to: DateTime<Utc>,
    },
    /// The changes since the round that handed out `delta_link`.
    Since {
        /// The previous round's `@odata.deltaLink`.
        delta_link: String,
    },
}

/// All pages of one delta round.
#[derive(Debug, Clone)]
pub struct DeltaListing {
    /// Events as Graph JSON; a deleted one is `{"id", "@removed": {...}}`.
    pub events: Vec<Value>,
    /// The cursor for the next round.
    pub delta_link: Option<String>,
}

/// The value of query parameter `name` in `link`.
fn param(link: &str, name: &str) -> Option<String> {
    url::Url::parse(link)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl GraphCalendar {
    /// Runs one delta round of the user's calendar view, following every page.
    pub async fn calendar_view_delta(
        &self,
        access_token: &str,
        mode: &DeltaMode,
    ) -> Result<DeltaListing, GraphError> {
        let client = self.client(access_token);
        let mut events = Vec::new();
        // Page links are replayed as their token on the configured endpoint,
        // so a link can never send the token to another host.
        let mut next: Option<(&str, String)> = match mode {
            DeltaMode::Full { .. } => None,
            DeltaMode::Since { delta_link } => Some((
                "$deltatoken",
                param(delta_link, "$deltatoken")
                    .or_else(|| param(delta_link, "$skiptoken"))
                    .ok_or(GraphError::DeltaExpired)?,
            )),
        };
        loop {
            let mut req = client
                .me()
                .calendar_views()
                .delta()
                // Times in UTC whatever the mailbox's zone; large pages.
                .header(
                    HeaderName::from_static("prefer"),
                    HeaderValue::from_static("outlook.timezone=\"UTC\", odata.maxpagesize=200"),
                );
            match (&next, mode) {
                (Some((name, token)), _) => req = req.append_query_pair(*name, token.as_str()),
                (None, DeltaMode::Full { from, to }) => {
                    req = req
                        .append_query_pair(
                            "startDateTime",
                            &from.to_rfc3339_opts(SecondsFormat::Secs, true),
                        )
                        .append_query_pair(
                            "endDateTime",
                            &to.to_rfc3339_opts(SecondsFormat::Secs, true),
                        );
                }
                (None, DeltaMode::Since { .. }) => return Err(GraphError::DeltaExpired),
            }
            let page = json_of(req.send().await).await?;
            if let Some(items) = page["value"].as_array() {
                events.extend(items.iter().cloned());
            }
            if let Some(link) = page["@odata.nextLink"].as_str() {
                let token = param(link, "$skiptoken").ok_or_else(|| {
                    GraphError::Transport(format!("nextLink without $skiptoken: {link}"))
                })?;
                next = Some(("$skiptoken", token));
                continue;
            }
            return Ok(DeltaListing {
                events,
                delta_link: page["@odata.deltaLink"].as_str().map(str::to_owned),
            });
        }
    }
}
