//! OAuth 2.0 authorization-code flow with PKCE for Google and the Microsoft
//! identity platform: the authorize URL, code exchange, refresh, revocation.
//!
//! Endpoints come from `[calendars.google]` / `[calendars.microsoft]`, so
//! tests point them at local servers. A grant the provider no longer honours
//! is [`OAuthError::InvalidGrant`]: the caller marks the connection
//! `needs_reauth` instead of retrying.

mod client;
mod error;
mod grant;

pub use client::{AuthorizationStart, OAuthClient};
pub use error::OAuthError;
pub use grant::TokenGrant;
