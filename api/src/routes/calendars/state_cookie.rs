//! Binds an OAuth `state` to the browser that started the authorization: the
//! start sets a cookie holding it, and the callback is refused unless the
//! cookie comes back with the same value. Someone who sends a victim a
//! callback link for their own code therefore gets nowhere.

use axum::http::{header, HeaderMap};

/// Seconds the browser has to finish the consent (the stored state lives as long).
pub(crate) const MAX_AGE_SECS: i64 = 600;

fn cookie_name(provider: &str) -> String {
    format!("mymeet_oauth_{provider}")
}

/// The `Set-Cookie` value that remembers `state`; `secure` for HTTPS deployments.
pub(crate) fn set(provider: &str, state: &str, secure: bool) -> String {
    // Lax: the cookie comes back on the provider's top-level redirect.
    format!(
        "{}={state}; Path=/v1/calendars/{provider}; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{}",
        cookie_name(provider),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that forgets it.
pub(crate) fn clear(provider: &str) -> String {
    format!(
        "{}=; Path=/v1/calendars/{provider}; Max-Age=0; HttpOnly; SameSite=Lax",
        cookie_name(provider)
    )
}

/// The state the browser brought back, if any.
pub(crate) fn read(headers: &HeaderMap, provider: &str) -> Option<String> {
    let name = cookie_name(provider);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_state_set_is_the_state_read_back() {
        let set = set("google", "s-123", true);
        assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("other=1; mymeet_oauth_google=s-123; x=y"),
        );
        assert_eq!(read(&headers, "google").as_deref(), Some("s-123"));
        assert_eq!(read(&headers, "microsoft"), None);
    }
}
