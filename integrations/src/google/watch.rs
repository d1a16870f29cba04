use super::failure::FailureNotes;
use super::{GoogleCalendar, GoogleError};
use chrono::{DateTime, Utc};
use google_calendar3::api::Channel;

/// An open push channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchChannel {
    /// Our id of the channel (comes back as `X-Goog-Channel-ID`).
    pub id: String,
    /// Google's id of the watched resource (needed to stop it).
    pub resource_id: String,
    /// When Google stops sending.
    pub expires_at: DateTime<Utc>,
}

impl GoogleCalendar {
    /// Asks Google to POST to `address` whenever events of `calendar_id` change.
    pub async fn watch(
        &self,
        access_token: &str,
        calendar_id: &str,
        channel_id: &str,
        address: &str,
        token: &str,
        ttl: std::time::Duration,
    ) -> Result<WatchChannel, GoogleError> {
        let hub = self.hub(access_token);
        let mut notes = FailureNotes::default();
        let req = Channel {
            id: Some(channel_id.to_owned()),
            type_: Some("web_hook".into()),
            address: Some(address.to_owned()),
            token: Some(token.to_owned()),
            params: Some([("ttl".to_owned(), ttl.as_secs().to_string())].into()),
            ..Channel::default()
        };
        let (_, ch) = match hub
            .events()
            .watch(req, calendar_id)
            .single_events(true)
            .delegate(&mut notes)
            .doit()
            .await
        {
            Ok(r) => r,
            Err(e) => return Err(notes.classify(e)),
        };
        let expires_at = ch
            .expiration
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .unwrap_or_else(|| Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default());
        Ok(WatchChannel {
            id: ch.id.unwrap_or_else(|| channel_id.to_owned()),
            resource_id: ch.resource_id.unwrap_or_default(),
            expires_at,
        })
    }

    /// Stops a push channel; one that is already gone counts as stopped.
    pub async fn stop_channel(
        &self,
        access_token: &str,
        channel_id: &str,
        resource_id: &str,
    ) -> Result<(), GoogleError> {
        let hub = self.hub(access_token);
        let mut notes = FailureNotes::default();
        let req = Channel {
            id: Some(channel_id.to_owned()),
            resource_id: Some(resource_id.to_owned()),
            ..Channel::default()
        };
        match hub.channels().stop(req).delegate(&mut notes).doit().await {
            Ok(_) => Ok(()),
            Err(e) => match notes.classify(e) {
                GoogleError::NotFound => Ok(()),
                other => Err(other),
            },
        }
    }
}
