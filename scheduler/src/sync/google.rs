//! One Google connection: its own calendars, each listed fully (window,
//! instances expanded) or incrementally (`syncToken`; `410` → full again).

use super::engine::CalendarSync;
use super::store::{self, google_time, EventRow};
use super::SyncError;
use mymeet_core::db::entities::{calendar_connections, calendar_sources};
use mymeet_core::db::repo::calendar_sync;
use mymeet_integrations::google::{GoogleError, ListMode};
use mymeet_integrations::links;
use serde_json::Value;
use std::collections::HashSet;

impl CalendarSync {
    pub(crate) async fn sync_google(
        &self,
        conn: &calendar_connections::Model,
        token: &str,
    ) -> Result<usize, SyncError> {
        let mut sources = calendar_sync::list_sources(&self.db, conn.id).await?;
        if sources.is_empty() || sources.iter().any(|s| self.window_stale(s.window_end)) {
            // New connection or a window to slide: look at the calendar list again.
            for cal in self.google.list_calendars(token).await? {
                if cal.is_own() {
                    calendar_sync::upsert_source(&self.db, conn.id, &cal.id, &cal.summary).await?;
                }
            }
            sources = calendar_sync::list_sources(&self.db, conn.id).await?;
        }
        let mut changed = 0;
        for source in &sources {
            changed += self.sync_google_calendar(conn, token, source).await?;
            if self.config.google.push_notifications {
                self.ensure_google_channel(conn, token, source).await?;
            }
        }
        Ok(changed)
    }

    async fn sync_google_calendar(
        &self,
        conn: &calendar_connections::Model,
        token: &str,
        source: &calendar_sources::Model,
    ) -> Result<usize, SyncError> {
        let incremental = source
            .cursor
            .clone()
            .filter(|_| !self.window_stale(source.window_end));
        let listing = match incremental {
            Some(sync_token) => {
                let mode = ListMode::Incremental { sync_token };
                match self
                    .google
                    .list_events(token, &source.calendar_id, &mode)
                    .await
                {
                    Ok(l) => Some(l),
                    Err(GoogleError::SyncTokenExpired) => {
                        tracing::info!(connection = %conn.id, calendar = %source.calendar_id, "sync token expired; full resync");
                        None
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => None,
        };
        let prefix = format!("{}/", source.calendar_id);
        if let Some(listing) = listing {
            let mut changed = 0;
            for ev in listing.events {
                changed += usize::from(self.store_google_event(conn, &prefix, ev).await?);
            }
            calendar_sync::set_source_cursor(
                &self.db,
                source.id,
                listing.next_sync_token.as_deref(),
                None,
            )
            .await?;
            return Ok(changed);
        }
        let (from, to) = self.window();
        let listing = self
            .google
            .list_events(token, &source.calendar_id, &ListMode::Full { from, to })
            .await?;
        let mut changed = 0;
        let mut seen = HashSet::new();
        for ev in listing.events {
            if let Some(id) = ev["id"].as_str() {
                seen.insert(format!("{prefix}{id}"));
            }
            changed += usize::from(self.store_google_event(conn, &prefix, ev).await?);
        }
        // What a full listing no longer returns was deleted meanwhile.
        changed += calendar_sync::cancel_unseen_events(&self.db, conn.id, &prefix, from, &seen)
            .await? as usize;
        calendar_sync::set_source_cursor(
            &self.db,
            source.id,
            listing.next_sync_token.as_deref(),
            Some((from, to)),
        )
        .await?;
        Ok(changed)
    }

    /// Stores one Calendar v3 event; returns whether anything was written.
    async fn store_google_event(
        &self,
        conn: &calendar_connections::Model,
        prefix: &str,
        ev: Value,
    ) -> Result<bool, SyncError> {
        let Some(event_id) = ev["id"].as_str() else {
            return Ok(false);
        };
        let id = format!("{prefix}{event_id}");
        let status = ev["status"].as_str().unwrap_or("confirmed").to_owned();
        let (Some(starts_at), Some(ends_at)) = (google_time(&ev["start"]), google_time(&ev["end"]))
        else {
            // A deletion carries only id and status.
            if status == "cancelled" {
                return Ok(store::cancel(&self.db, conn.id, &id).await?);
            }
            return Ok(false);
        };
        let row = EventRow {
            id,
            title: ev["summary"].as_str().unwrap_or("(no title)").to_owned(),
            starts_at,
            ends_at,
            meeting_url: links::from_google_event(&ev).map(|l| l.url),
            organizer: ev["organizer"]["email"].as_str().map(str::to_owned),
            attendees: ev
                .get("attendees")
                .cloned()
                .unwrap_or_else(|| Value::Array(vec![])),
            status,
        };
        Ok(store::write(&self.db, conn.id, &row, ev).await?)
    }
}
