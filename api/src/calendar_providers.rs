//! What the calendar routes need from the outside world: the OAuth clients,
//! Calendar v3 and Graph clients at the configured endpoints, the key that
//! seals tokens, and `[calendars]` itself.

use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::Provider;
use mymeet_integrations::google::GoogleCalendar;
use mymeet_integrations::microsoft::GraphCalendar;
use mymeet_integrations::oauth::OAuthClient;

/// Why the calendar providers could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ProvidersError {
    /// `[calendars.google]` is unusable.
    #[error("calendars.google: {0}")]
    Google(String),
    /// `[calendars.microsoft]` is unusable.
    #[error("calendars.microsoft: {0}")]
    Microsoft(String),
}

/// The calendar providers as configured; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct CalendarProviders {
    pub(crate) config: CalendarsConfig,
    pub(crate) cipher: TokenCipher,
    pub(crate) google: GoogleCalendar,
    pub(crate) graph: GraphCalendar,
    google_oauth: Option<OAuthClient>,
    microsoft_oauth: Option<OAuthClient>,
}

impl CalendarProviders {
    /// The providers of `config`; one without a client id stays disabled
    /// (its routes answer 404).
    pub fn new(config: CalendarsConfig, cipher: TokenCipher) -> Result<Self, ProvidersError> {
        let google = GoogleCalendar::new(&config.google)
            .map_err(|e| ProvidersError::Google(e.to_string()))?;
        let graph = GraphCalendar::new(&config.microsoft)
            .map_err(|e| ProvidersError::Microsoft(e.to_string()))?;
        let oauth = |provider| match OAuthClient::from_config(&config, provider) {
            Ok(c) => Ok(Some(c)),
            // No client id: the provider is simply not offered.
            Err(mymeet_integrations::oauth::OAuthError::Config(msg))
                if msg.ends_with("client_id is not set") =>
            {
                Ok(None)
            }
            Err(e) => Err(e.to_string()),
        };
        let google_oauth = oauth(Provider::Google).map_err(ProvidersError::Google)?;
        let microsoft_oauth = oauth(Provider::Microsoft).map_err(ProvidersError::Microsoft)?;
        Ok(CalendarProviders {
            config,
            cipher,
            google,
            graph,
            google_oauth,
            microsoft_oauth,
        })
    }

    /// The OAuth client of `provider`, when it is configured.
    pub(crate) fn oauth(&self, provider: Provider) -> Option<&OAuthClient> {
        match provider {
            Provider::Google => self.google_oauth.as_ref(),
            Provider::Microsoft => self.microsoft_oauth.as_ref(),
        }
    }
}
