use google_calendar3::hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use google_calendar3::hyper_util::client::legacy::connect::HttpConnector;
use google_calendar3::hyper_util::client::legacy::Client;
use google_calendar3::hyper_util::rt::TokioExecutor;
use google_calendar3::{common, CalendarHub};
use mymeet_core::config::GoogleCalendarConfig;

pub(crate) type Connector = HttpsConnector<HttpConnector>;

/// Calendar v3 at the configured endpoints, over one shared HTTP client.
#[derive(Clone)]
pub struct GoogleCalendar {
    client: common::Client<Connector>,
    base_url: String,
    root_url: String,
}

impl std::fmt::Debug for GoogleCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleCalendar")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl GoogleCalendar {
    /// A client for `[calendars.google]`. A rustls crypto provider must be
    /// installed first (see STACK.md).
    pub fn new(config: &GoogleCalendarConfig) -> Result<Self, std::io::Error> {
        let connector = HttpsConnectorBuilder::new()
            .with_webpki_roots()
            // Plain HTTP only for local stand-ins; Google itself is HTTPS.
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(64)
            .build(connector);
        Ok(GoogleCalendar {
            client,
            base_url: with_slash(&config.api_base_url),
            root_url: with_slash(&config.api_root_url),
        })
    }

    /// A hub that authenticates as `access_token`.
    pub(crate) fn hub(&self, access_token: &str) -> CalendarHub<Connector> {
        let mut hub = CalendarHub::new(self.client.clone(), access_token.to_owned());
        hub.base_url(self.base_url.clone());
        hub.root_url(self.root_url.clone());
        hub
    }
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}
