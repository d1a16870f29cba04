//! `/v1/calendars`: connect a Google or Microsoft account (OAuth 2.0
//! authorization code with PKCE, the `state` bound to the browser that
//! started it), disconnect it, and take the providers' push notifications,
//! which become `calendar.changed` messages for the scheduler.

pub(crate) mod callback;
pub(crate) mod connect;
pub(crate) mod disconnect;
pub(crate) mod google_push;
pub(crate) mod graph_push;
mod provider;
mod same_secret;
mod state_cookie;
mod sync_request;
