use super::api::json_of;
use super::{GraphCalendar, GraphError};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

/// A change-notification subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSubscription {
    /// Its id (comes back in every notification).
    pub id: String,
    /// When Graph stops sending.
    pub expires_at: DateTime<Utc>,
}

impl GraphCalendar {
    /// Subscribes to changes of the user's events. Graph validates
    /// `notification_url` first (it must echo `validationToken` as text/plain).
    pub async fn subscribe(
        &self,
        access_token: &str,
        notification_url: &str,
        client_state: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<GraphSubscription, GraphError> {
        let body = json!({
            "changeType": "created,updated,deleted",
            "notificationUrl": notification_url,
            "resource": "me/events",
            "expirationDateTime": expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "clientState": client_state,
        });
        let res = self
            .client(access_token)
            .subscriptions()
            .create_subscription(&body)
            .send()
            .await;
        let v = json_of(res).await?;
        Ok(GraphSubscription {
            id: v["id"].as_str().unwrap_or_default().to_owned(),
            expires_at: v["expirationDateTime"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map_or(expires_at, |t| t.with_timezone(&Utc)),
        })
    }

    /// Extends a subscription to `expires_at`.
    pub async fn renew_subscription(
        &self,
        access_token: &str,
        id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<GraphSubscription, GraphError> {
        let body =
            json!({"expirationDateTime": expires_at.to_rfc3339_opts(SecondsFormat::Secs, true)});
        let res = self
            .client(access_token)
            .subscription(id)
            .update_subscription(&body)
            .send()
            .await;
        json_of(res).await?;
        Ok(GraphSubscription {
            id: id.to_owned(),
            expires_at,
        })
    }

    /// Deletes a subscription; one already gone counts as deleted.
    pub async fn unsubscribe(&self, access_token: &str, id: &str) -> Result<(), GraphError> {
        let res = self
            .client(access_token)
            .subscription(id)
            .delete_subscription()
            .send()
            .await;
        match json_of(res).await {
            Ok(_) | Err(GraphError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
