use super::GraphError;
use crate::google::parse_retry_after;
use graph_rs_sdk::{GraphClient, GraphClientConfiguration};
use mymeet_core::config::MicrosoftCalendarConfig;
use serde_json::Value;
use std::time::Duration;

/// Graph at the configured base URL.
#[derive(Debug, Clone)]
pub struct GraphCalendar {
    endpoint: Option<url::Url>,
    timeout: Duration,
}

impl GraphCalendar {
    /// A client for `[calendars.microsoft]`.
    pub fn new(config: &MicrosoftCalendarConfig) -> Result<Self, GraphError> {
        let url = config.graph_url.trim_end_matches('/');
        let endpoint = if url == graph_rs_sdk::GRAPH_URL {
            None
        } else {
            Some(url::Url::parse(url).map_err(|e| {
                GraphError::Transport(format!("calendars.microsoft.graph_url: {e}"))
            })?)
        };
        Ok(GraphCalendar {
            endpoint,
            timeout: Duration::from_secs(30),
        })
    }

    /// A Graph client authenticated as `access_token`.
    pub(crate) fn client(&self, access_token: &str) -> GraphClient {
        let config = GraphClientConfiguration::new()
            .access_token(access_token)
            .timeout(self.timeout)
            // Plain HTTP only for a configured local stand-in.
            .https_only(self.endpoint.as_ref().is_none_or(|u| u.scheme() == "https"));
        let mut client = GraphClient::from(config);
        if let Some(url) = &self.endpoint {
            // `use_endpoint` accepts only Microsoft hosts; national clouds
            // and local stand-ins go through this one.
            client.use_test_endpoint(url);
        }
        client
    }

    /// The signed-in user's email address (`mail`, else `userPrincipalName`).
    pub async fn account_email(&self, access_token: &str) -> Result<String, GraphError> {
        let res = self.client(access_token).me().get_user().send().await;
        let user = json_of(res).await?;
        user["mail"]
            .as_str()
            .or_else(|| user["userPrincipalName"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                GraphError::Transport("user has neither mail nor userPrincipalName".into())
            })
    }
}

/// The JSON body of a successful answer, or the classified error.
pub(crate) async fn json_of(
    res: graph_rs_sdk::GraphResult<oauth2::reqwest::Response>,
) -> Result<Value, GraphError> {
    let res = res.map_err(|e| GraphError::Transport(e.to_string()))?;
    let status = res.status().as_u16();
    if (200..300).contains(&status) {
        if status == 204 {
            return Ok(Value::Null);
        }
        return res
            .json::<Value>()
            .await
            .map_err(|e| GraphError::Transport(e.to_string()));
    }
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let message = format!(
        "{}: {}",
        body["error"]["code"].as_str().unwrap_or_default(),
        body["error"]["message"].as_str().unwrap_or_default()
    );
    Err(match status {
        410 => GraphError::DeltaExpired,
        401 => GraphError::Unauthorized,
        404 => GraphError::NotFound,
        429 | 503 => GraphError::Throttled {
            status,
            retry_after,
        },
        _ => GraphError::Api { status, message },
    })
}
