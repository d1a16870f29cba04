//! Push notifications: Google watch channels and Graph subscriptions, opened
//! and renewed a day before they lapse (judged by the engine's clock).
//!
//! The channel token (Google) and `clientState` (Graph) are the calendar
//! source's id, which never leaves the server: the API's notification routes
//! accept a notification only when it carries it, and turn it into a
//! `calendar.changed` message that the scheduler syncs on.

use super::engine::CalendarSync;
use super::SyncError;
use chrono::Duration;
use mymeet_core::db::entities::{calendar_connections, calendar_sources};
use mymeet_core::db::repo::calendar_sync;

/// Where Google posts push notifications, under `calendars.public_url`
/// (the API's route).
const GOOGLE_NOTIFICATIONS_PATH: &str = "/v1/calendars/google/notifications";

/// Where Graph posts change notifications, under `calendars.public_url`
/// (the API's route).
const GRAPH_NOTIFICATIONS_PATH: &str = "/v1/calendars/microsoft/notifications";

/// Renew a channel or subscription this long before it expires.
fn renew_margin() -> Duration {
    Duration::days(1)
}

impl CalendarSync {
    pub(crate) async fn ensure_google_channel(
        &self,
        conn: &calendar_connections::Model,
        token: &str,
        source: &calendar_sources::Model,
    ) -> Result<(), SyncError> {
        if source
            .channel_expires_at
            .is_some_and(|e| e > self.clock.now() + renew_margin())
        {
            return Ok(());
        }
        let address = format!(
            "{}{GOOGLE_NOTIFICATIONS_PATH}",
            self.config.public_url.trim_end_matches('/')
        );
        let channel_id = uuid::Uuid::new_v4().to_string();
        let ch = self
            .google
            .watch(
                token,
                &source.calendar_id,
                &channel_id,
                &address,
                &source.id.to_string(),
                std::time::Duration::from_secs(7 * 86400),
            )
            .await?;
        // The new channel is live first, then the old one is stopped: no gap.
        if let (Some(old), Some(resource)) = (&source.channel_id, &source.channel_resource_id) {
            if let Err(e) = self.google.stop_channel(token, old, resource).await {
                tracing::debug!(connection = %conn.id, error = %e, "could not stop the old channel");
            }
        }
        calendar_sync::set_source_channel(
            &self.db,
            source.id,
            Some((&ch.id, Some(&ch.resource_id), ch.expires_at)),
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn ensure_graph_subscription(
        &self,
        token: &str,
        source: &calendar_sources::Model,
    ) -> Result<(), SyncError> {
        if source
            .channel_expires_at
            .is_some_and(|e| e > self.clock.now() + renew_margin())
        {
            return Ok(());
        }
        // Graph allows event subscriptions up to 4230 minutes (~3 days).
        let expires = self.clock.now() + Duration::minutes(4200);
        if let Some(id) = &source.channel_id {
            if let Ok(s) = self.graph.renew_subscription(token, id, expires).await {
                calendar_sync::set_source_channel(
                    &self.db,
                    source.id,
                    Some((&s.id, None, s.expires_at)),
                )
                .await?;
                return Ok(());
            }
        }
        let url = format!(
            "{}{GRAPH_NOTIFICATIONS_PATH}",
            self.config.public_url.trim_end_matches('/')
        );
        let sub = self
            .graph
            .subscribe(token, &url, &source.id.to_string(), expires)
            .await?;
        calendar_sync::set_source_channel(
            &self.db,
            source.id,
            Some((&sub.id, None, sub.expires_at)),
        )
        .await?;
        Ok(())
    }
}
