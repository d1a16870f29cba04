//! One Microsoft connection: `calendarView/delta` rounds over the window;
//! occurrences and exceptions of series are events of their own, series
//! masters are skipped, `@removed` entries cancel what was stored.

use super::engine::CalendarSync;
use super::store::{self, graph_time, EventRow};
use super::SyncError;
use mymeet_core::db::entities::calendar_connections;
use mymeet_core::db::repo::calendar_sync;
use mymeet_integrations::links;
use mymeet_integrations::microsoft::{DeltaMode, GraphError};
use serde_json::Value;
use std::collections::HashSet;

/// The one "calendar" of a Graph connection: the user's calendar view.
const CALENDAR_VIEW: &str = "calendarView";

impl CalendarSync {
    pub(crate) async fn sync_microsoft(
        &self,
        conn: &calendar_connections::Model,
        token: &str,
    ) -> Result<usize, SyncError> {
        let source =
            calendar_sync::upsert_source(&self.db, conn.id, CALENDAR_VIEW, "Calendar").await?;
        let incremental = source
            .cursor
            .clone()
            .filter(|_| !self.window_stale(source.window_end));
        let mut changed = 0;
        if let Some(delta_link) = incremental {
            match self
                .graph
                .calendar_view_delta(token, &DeltaMode::Since { delta_link })
                .await
            {
                Ok(listing) => {
                    for ev in listing.events {
                        changed += usize::from(self.store_graph_event(conn, ev).await?);
                    }
                    calendar_sync::set_source_cursor(
                        &self.db,
                        source.id,
                        listing.delta_link.as_deref(),
                        None,
                    )
                    .await?;
                    if self.config.microsoft.push_notifications {
                        self.ensure_graph_subscription(token, &source).await?;
                    }
                    return Ok(changed);
                }
                Err(GraphError::DeltaExpired) => {
                    tracing::info!(connection = %conn.id, "delta token expired; full resync");
                }
                Err(e) => return Err(e.into()),
            }
        }
        let (from, to) = self.window();
        let listing = self
            .graph
            .calendar_view_delta(token, &DeltaMode::Full { from, to })
            .await?;
        let mut seen = HashSet::new();
        for ev in listing.events {
            if let Some(id) = ev["id"].as_str() {
                seen.insert(id.to_owned());
            }
            changed += usize::from(self.store_graph_event(conn, ev).await?);
        }
        changed +=
            calendar_sync::cancel_unseen_events(&self.db, conn.id, "", from, &seen).await? as usize;
        calendar_sync::set_source_cursor(
            &self.db,
            source.id,
            listing.delta_link.as_deref(),
            Some((from, to)),
        )
        .await?;
        if self.config.microsoft.push_notifications {
            self.ensure_graph_subscription(token, &source).await?;
        }
        Ok(changed)
    }

    async fn store_graph_event(
        &self,
        conn: &calendar_connections::Model,
        ev: Value,
    ) -> Result<bool, SyncError> {
        let Some(id) = ev["id"].as_str().map(str::to_owned) else {
            return Ok(false);
        };
        if ev.get("@removed").is_some() {
            return Ok(store::cancel(&self.db, conn.id, &id).await?);
        }
        if ev["type"] == "seriesMaster" {
            return Ok(false);
        }
        let (Some(starts_at), Some(ends_at)) = (graph_time(&ev["start"]), graph_time(&ev["end"]))
        else {
            return Ok(false);
        };
        let status = if ev["isCancelled"] == true {
            "cancelled"
        } else if ev["responseStatus"]["response"] == "tentativelyAccepted" {
            "tentative"
        } else {
            "confirmed"
        };
        let row = EventRow {
            id,
            title: ev["subject"].as_str().unwrap_or("(no title)").to_owned(),
            starts_at,
            ends_at,
            meeting_url: links::from_graph_event(&ev).map(|l| l.url),
            organizer: ev["organizer"]["emailAddress"]["address"]
                .as_str()
                .map(str::to_owned),
            attendees: ev
                .get("attendees")
                .cloned()
                .unwrap_or_else(|| Value::Array(vec![])),
            status: status.to_owned(),
        };
        Ok(store::write(&self.db, conn.id, &row, ev).await?)
    }
}
