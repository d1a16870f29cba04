//! Who is asking, until API keys and sessions arrive: a short-lived user
//! token that the server mints and seals with its own key
//! ([`TokenCipher`], AES-256-GCM), so that nobody without the key can forge
//! or alter one. Browser links carry it as `?token=` (connecting a
//! calendar); API calls as `Authorization: Bearer` (disconnecting).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use mymeet_core::crypto::TokenCipher;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user token says; `aud` keeps other sealed values from passing as one.
#[derive(Serialize, Deserialize)]
struct Claims {
    aud: String,
    sub: Uuid,
    exp: i64,
}

const AUDIENCE: &str = "mymeet-user-token/v1";

/// Why a user token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserTokenError {
    /// Not a token this server sealed (forged, altered, another key).
    #[error("the user token is not valid")]
    Invalid,
    /// It was valid once.
    #[error("the user token expired")]
    Expired,
}

/// Mints a token naming `user_id`, valid for `ttl`.
pub fn issue(cipher: &TokenCipher, user_id: Uuid, ttl: Duration) -> String {
    let claims = Claims {
        aud: AUDIENCE.to_owned(),
        sub: user_id,
        exp: (Utc::now() + ttl).timestamp(),
    };
    // Serializing a struct of a string, a UUID and an integer cannot fail.
    let json = serde_json::to_vec(&claims).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(cipher.encrypt(&json))
}

/// The user a token names, if it is genuine and not expired at `now`.
pub fn verify(
    cipher: &TokenCipher,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, UserTokenError> {
    let sealed = URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|_| UserTokenError::Invalid)?;
    let json = cipher
        .decrypt(&sealed)
        .map_err(|_| UserTokenError::Invalid)?;
    let claims: Claims = serde_json::from_slice(&json).map_err(|_| UserTokenError::Invalid)?;
    if claims.aud != AUDIENCE {
        return Err(UserTokenError::Invalid);
    }
    if claims.exp <= now.timestamp() {
        return Err(UserTokenError::Expired);
    }
    Ok(claims.sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(k: u8) -> TokenCipher {
        TokenCipher::from_key_bytes([k; 32])
    }

    #[test]
    fn a_token_names_its_user_until_it_expires() {
        let user = Uuid::new_v4();
        let t = issue(&cipher(1), user, Duration::minutes(5));
        assert_eq!(verify(&cipher(1), &t, Utc::now()), Ok(user));
        assert_eq!(
            verify(&cipher(1), &t, Utc::now() + Duration::minutes(6)),
            Err(UserTokenError::Expired)
        );
    }

    #[test]
    fn forged_altered_or_foreign_tokens_are_refused() {
        let t = issue(&cipher(1), Uuid::new_v4(), Duration::minutes(5));
        assert_eq!(
            verify(&cipher(2), &t, Utc::now()),
            Err(UserTokenError::Invalid)
        );
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let altered = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(
            verify(&cipher(1), &altered, Utc::now()),
            Err(UserTokenError::Invalid)
        );
        assert_eq!(
            verify(&cipher(1), "not-a-token", Utc::now()),
            Err(UserTokenError::Invalid)
        );
        // A sealed value that is not a user token (an OAuth token, say).
        let other = URL_SAFE_NO_PAD.encode(cipher(1).encrypt_str("ya29.access-token"));
        assert_eq!(
            verify(&cipher(1), &other, Utc::now()),
            Err(UserTokenError::Invalid)
        );
    }
}
