//! The OAuth 2.0 endpoints of Google and the Microsoft identity platform:
//! authorize (consent is immediate, as the account set by `consent_as`),
//! token (authorization code with PKCE S256, refresh token) and revoke.

use crate::state::{AccessGrant, IssuedCode, Provider, StubState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

type Shared = Arc<Mutex<StubState>>;

pub(crate) fn lock(s: &Shared) -> std::sync::MutexGuard<'_, StubState> {
    match s.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/o/oauth2/v2/auth", get(google_authorize))
        .route("/token", post(google_token))
        .route("/revoke", post(google_revoke))
        .route("/common/oauth2/v2.0/authorize", get(microsoft_authorize))
        .route("/common/oauth2/v2.0/token", post(microsoft_token))
}

async fn google_authorize(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    authorize(&s, Provider::Google, q)
}

async fn microsoft_authorize(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    authorize(&s, Provider::Microsoft, q)
}

fn authorize(s: &Shared, provider: Provider, q: HashMap<String, String>) -> Response {
    let mut st = lock(s);
    let line = format!("GET authorize {q:?}");
    let (Some(redirect), Some(client_id)) = (q.get("redirect_uri"), q.get("client_id")) else {
        st.record("", line, 400);
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri and client_id are required",
        )
            .into_response();
    };
    let state = q.get("state").cloned().unwrap_or_default();
    let mut target = match url::Url::parse(redirect) {
        Ok(u) => u,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    };
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.contains_key("code_challenge");
    match (ok, st.next_consent.get(&provider).cloned()) {
        (true, Some(account)) => {
            let code = st.next_id("code-");
            st.codes.insert(
                code.clone(),
                IssuedCode {
                    provider,
                    account,
                    client_id: client_id.clone(),
                    redirect_uri: redirect.clone(),
                    code_challenge: q.get("code_challenge").cloned().unwrap_or_default(),
                },
            );
            target
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &state);
        }
        (false, _) => {
            target
                .query_pairs_mut()
                .append_pair("error", "invalid_request")
                .append_pair("state", &state);
        }
        (true, None) => {
            target
                .query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair("state", &state);
        }
    }
    st.record("", line, 302);
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

/// The client id from HTTP Basic auth or the form.
fn client_id(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<String> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = STANDARD.decode(basic).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, _) = text.split_once(':')?;
        return url::form_urlencoded::parse(format!("x={id}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned());
    }
    form.get("client_id").cloned()
}

fn invalid_grant(provider: Provider, why: &str) -> Response {
    let body = match provider {
        Provider::Google => json!({"error": "invalid_grant", "error_description": why}),
        Provider::Microsoft => json!({
            "error": "invalid_grant",
            "error_description": format!("AADSTS70008: {why}"),
            "error_codes": [70008],
            "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": uuid::Uuid::new_v4(),
            "correlation_id": uuid::Uuid::new_v4(),
        }),
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

async fn google_token(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    token(&s, Provider::Google, &headers, form)
}

async fn microsoft_token(
    State(s): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    token(&s, Provider::Microsoft, &headers, form)
}

fn token(
    s: &Shared,
    provider: Provider,
    headers: &HeaderMap,
    form: HashMap<String, String>,
) -> Response {
    let mut st = lock(s);
    let grant = form.get("grant_type").cloned().unwrap_or_default();
    let line = format!("POST token grant_type={grant}");
    let response = match grant.as_str() {
        "authorization_code" => {
            let code = form.get("code").and_then(|c| st.codes.remove(c));
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            match code {
                None => invalid_grant(provider, "Malformed auth code."),
                Some(c) if c.provider != provider => {
                    invalid_grant(provider, "code of another provider")
                }
                Some(c) if Some(&c.client_id) != client_id(headers, &form).as_ref() => (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({"error": "invalid_client"})),
                )
                    .into_response(),
                Some(c) if form.get("redirect_uri") != Some(&c.redirect_uri) => {
                    invalid_grant(provider, "redirect_uri_mismatch")
                }
                Some(c)
                    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
                        != c.code_challenge =>
                {
                    invalid_grant(provider, "Invalid code verifier.")
                }
                Some(c) => {
                    let (access, refresh) = st.issue_tokens(provider, &c.account);
                    token_json(&st, provider, &access, Some(&refresh))
                }
            }
        }
        "refresh_token" => {
            let found = form
                .get("refresh_token")
                .and_then(|r| st.refresh.get(r).cloned());
            match found {
                Some((p, account)) if p == provider => {
                    let access = st.next_id("at-");
                    let ttl = st.access_ttl;
                    st.access.insert(
                        access.clone(),
                        AccessGrant {
                            account,
                            expires: Instant::now() + ttl,
                        },
                    );
                    // Microsoft rotates refresh tokens; Google keeps the old one.
                    let refresh = form.get("refresh_token").cloned();
                    token_json(
                        &st,
                        provider,
                        &access,
                        refresh
                            .as_deref()
                            .filter(|_| provider == Provider::Microsoft),
                    )
                }
                _ => invalid_grant(provider, "Token has been expired or revoked."),
            }
        }
        _ => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response(),
    };
    st.record("", line, response.status().as_u16());
    response
}

fn token_json(st: &StubState, provider: Provider, access: &str, refresh: Option<&str>) -> Response {
    let expires_in = st.access_ttl.as_secs().saturating_sub(1);
    let mut body = match provider {
        Provider::Google => json!({
            "access_token": access,
            "expires_in": expires_in,
            "scope": "https://www.googleapis.com/auth/calendar.readonly openid https://www.googleapis.com/auth/userinfo.email",
            "token_type": "Bearer",
        }),
        Provider::Microsoft => json!({
            "token_type": "Bearer",
            "scope": "Calendars.Read openid email offline_access",
            "expires_in": expires_in,
            "ext_expires_in": expires_in,
            "access_token": access,
        }),
    };
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    (StatusCode::OK, Json(body)).into_response()
}

async fn google_revoke(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let mut st = lock(&s);
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let token = form
        .get("token")
        .or_else(|| q.get("token"))
        .cloned()
        .unwrap_or_default();
    let account = st
        .refresh
        .get(&token)
        .map(|(_, a)| a.clone())
        .or_else(|| st.access.get(&token).map(|g| g.account.clone()));
    let response = match account {
        Some(a) => {
            st.revoke_account(&a);
            (StatusCode::OK, Json(json!({}))).into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "invalid_token", "error_description": "Token expired or revoked"}),
            ),
        )
            .into_response(),
    };
    st.record("", "POST revoke".into(), response.status().as_u16());
    response
}
