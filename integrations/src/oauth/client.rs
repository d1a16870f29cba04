use super::{OAuthError, TokenGrant};
use chrono::Utc;
use mymeet_core::config::{CalendarsConfig, Secret};
use mymeet_core::db::entities::calendar_connections::Provider;
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    Scope, TokenResponse, TokenUrl,
};

type ConfiguredClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The OAuth client of one provider.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    provider: Provider,
    client: ConfiguredClient,
    http: oauth2::reqwest::Client,
    scopes: Vec<String>,
    revoke_url: Option<String>,
}

/// A started authorization: send the browser to `url`; keep `state` and
/// `pkce_verifier` (server-side) for the callback.
#[derive(Clone)]
pub struct AuthorizationStart {
    /// The provider's consent page.
    pub url: String,
    /// The `state` parameter the callback must bring back.
    pub state: String,
    /// The PKCE verifier the code exchange must send.
    pub pkce_verifier: String,
}

impl std::fmt::Debug for AuthorizationStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationStart")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// The client for `provider` from `[calendars]`; the callback is
    /// `{public_url}/v1/calendars/{provider}/callback` (the API's route).
    pub fn from_config(config: &CalendarsConfig, provider: Provider) -> Result<Self, OAuthError> {
        let (name, id, secret, auth, token, scopes, revoke) = match provider {
            Provider::Google => {
                let g = &config.google;
                (
                    "google",
                    &g.client_id,
                    &g.client_secret,
                    &g.auth_url,
                    &g.token_url,
                    &g.scopes,
                    Some(g.revoke_url.clone()),
                )
            }
            Provider::Microsoft => {
                let m = &config.microsoft;
                (
                    "microsoft",
                    &m.client_id,
                    &m.client_secret,
                    &m.auth_url,
                    &m.token_url,
                    &m.scopes,
                    None,
                )
            }
        };
        if id.is_empty() {
            return Err(OAuthError::Config(format!(
                "calendars.{name}.client_id is not set"
            )));
        }
        let redirect = format!(
            "{}/v1/calendars/{name}/callback",
            config.public_url.trim_end_matches('/')
        );
        let bad = |key: &str, e: oauth2::url::ParseError| {
            OAuthError::Config(format!("calendars.{name}.{key}: {e}"))
        };
        let mut client = BasicClient::new(ClientId::new(id.clone()))
            .set_auth_uri(AuthUrl::new(auth.clone()).map_err(|e| bad("auth_url", e))?)
            .set_token_uri(TokenUrl::new(token.clone()).map_err(|e| bad("token_url", e))?)
            .set_redirect_uri(RedirectUrl::new(redirect).map_err(|e| bad("public_url", e))?)
            // Both providers take the secret in the form body; Microsoft
            // documents only that.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = secret.as_ref().map(Secret::expose) {
            client = client.set_client_secret(ClientSecret::new(secret.to_owned()));
        }
        // The token endpoint must never redirect (an SSRF vector).
        let http = oauth2::reqwest::Client::builder()
            .redirect(oauth2::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| OAuthError::Config(format!("http client: {e}")))?;
        Ok(OAuthClient {
            provider,
            client,
            http,
            scopes: scopes.split_whitespace().map(str::to_owned).collect(),
            revoke_url: revoke,
        })
    }

    /// Which provider this is.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// A new authorization with a random `state` and PKCE (S256) challenge.
    pub fn start(&self) -> AuthorizationStart {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = self
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge);
        if self.provider == Provider::Google {
            // A refresh token, and again on every reconnect.
            req = req
                .add_extra_param("access_type", "offline")
                .add_extra_param("prompt", "consent")
                .add_extra_param("include_granted_scopes", "true");
        }
        let (url, state) = req.url();
        AuthorizationStart {
            url: url.to_string(),
            state: state.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }
    }

    /// Exchanges the callback's `code` (with the verifier of its start).
    pub async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<TokenGrant, OAuthError> {
        let res = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await;
        grant(res)
    }

    /// A fresh access token for `refresh_token`.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenGrant, OAuthError> {
        let token = RefreshToken::new(refresh_token.to_owned());
        let res = self
            .client
            .exchange_refresh_token(&token)
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .request_async(&self.http)
            .await;
        grant(res)
    }

    /// Revokes `token` at the provider (Google). Microsoft has no revocation
    /// endpoint for a single grant: nothing is sent and `Ok(false)` returned.
    pub async fn revoke(&self, token: &str) -> Result<bool, OAuthError> {
        let Some(url) = &self.revoke_url else {
            return Ok(false);
        };
        let body = oauth2::url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .finish();
        let res = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| OAuthError::Transport(e.to_string()))?;
        match res.status().as_u16() {
            200..=299 => Ok(true),
            // Already revoked or expired: the goal is reached.
            400 => Ok(true),
            s => Err(OAuthError::Refused(format!("revocation answered {s}"))),
        }
    }
}

type TokenResult = Result<
    BasicTokenResponse,
    RequestTokenError<
        oauth2::HttpClientError<oauth2::reqwest::Error>,
        oauth2::StandardErrorResponse<BasicErrorResponseType>,
    >,
>;

fn grant(res: TokenResult) -> Result<TokenGrant, OAuthError> {
    match res {
        Ok(t) => Ok(TokenGrant {
            access_token: t.access_token().secret().clone(),
            refresh_token: t.refresh_token().map(|r| r.secret().clone()),
            expires_at: t
                .expires_in()
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .map(|d| Utc::now() + d),
            scopes: t
                .scopes()
                .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
        }),
        Err(RequestTokenError::ServerResponse(e)) => {
            let detail = e.error_description().cloned().unwrap_or_default();
            match e.error() {
                BasicErrorResponseType::InvalidGrant => Err(OAuthError::InvalidGrant(detail)),
                other => Err(OAuthError::Refused(format!("{other}: {detail}"))),
            }
        }
        Err(e) => Err(OAuthError::Transport(e.to_string())),
    }
}
