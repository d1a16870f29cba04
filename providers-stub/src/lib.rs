//! Local stand-ins for Google and Microsoft: the OAuth endpoints, Calendar v3
//! and Graph calendar endpoints that mymeet uses, answering with the JSON
//! shapes of the official documentation. Tests and the sync benchmark start
//! one with [`ProviderStub::start`], fill accounts and events, inject faults
//! (`429` with `Retry-After`, revoked grants, expired sync tokens) and read
//! back what the server saw.

mod faults;
mod google;
mod guard;
mod microsoft;
mod oauth;
mod state;
mod store;

pub use faults::Fault;
pub use state::{Provider, SeenRequest, StubState};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// A running stub server on 127.0.0.1 (random port); stops when dropped.
pub struct ProviderStub {
    addr: SocketAddr,
    state: Arc<Mutex<StubState>>,
    task: tokio::task::JoinHandle<()>,
}

impl ProviderStub {
    /// Starts the server on a free loopback port.
    pub async fn start() -> std::io::Result<ProviderStub> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(StubState::new(format!("http://{addr}"))));
        let app = google::routes()
            .merge(microsoft::routes())
            .merge(oauth::routes())
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(ProviderStub { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The state, to add accounts and events or read what was requested.
    pub fn state(&self) -> MutexGuard<'_, StubState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Google's authorization endpoint here.
    pub fn google_auth_url(&self) -> String {
        format!("{}/o/oauth2/v2/auth", self.url())
    }
    /// Google's token endpoint here.
    pub fn google_token_url(&self) -> String {
        format!("{}/token", self.url())
    }
    /// Google's revocation endpoint here.
    pub fn google_revoke_url(&self) -> String {
        format!("{}/revoke", self.url())
    }
    /// Calendar v3 base URL here.
    pub fn google_api_base_url(&self) -> String {
        format!("{}/calendar/v3/", self.url())
    }
    /// Google API root URL here.
    pub fn google_api_root_url(&self) -> String {
        format!("{}/", self.url())
    }
    /// Microsoft's authorization endpoint here (`common` tenant).
    pub fn microsoft_auth_url(&self) -> String {
        format!("{}/common/oauth2/v2.0/authorize", self.url())
    }
    /// Microsoft's token endpoint here.
    pub fn microsoft_token_url(&self) -> String {
        format!("{}/common/oauth2/v2.0/token", self.url())
    }
    /// Graph v1.0 base URL here.
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.url())
    }

    /// Sends Google's push notification for `channel_id` to its address;
    /// returns the HTTP status the receiver answered.
    pub async fn notify_google_channel(&self, channel_id: &str) -> Option<u16> {
        let channel = self.state().google_channel(channel_id)?;
        let res = reqwest::Client::new()
            .post(&channel.address)
            .header("X-Goog-Channel-ID", &channel.id)
            .header("X-Goog-Resource-ID", &channel.resource_id)
            .header("X-Goog-Resource-State", "exists")
            .header("X-Goog-Message-Number", "2")
            .header(
                "X-Goog-Channel-Token",
                channel.token.clone().unwrap_or_default(),
            )
            .send()
            .await
            .ok()?;
        Some(res.status().as_u16())
    }
}

impl Drop for ProviderStub {
    fn drop(&mut self) {
        self.task.abort();
    }
}
