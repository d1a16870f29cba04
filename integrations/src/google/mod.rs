//! Google Calendar v3 through `google-calendar3`: calendars, events (full
//! listing over a window with recurring events expanded, incremental with a
//! `syncToken`), and push channels.
//!
//! One hub per call carries the connection's access token; the HTTP client
//! underneath is shared, so 10,000 connections reuse one connection pool.

mod api;
mod calendars;
mod error;
mod events;
mod failure;
pub use failure::parse_retry_after;
mod watch;

pub use api::GoogleCalendar;
pub use calendars::CalendarInfo;
pub use error::GoogleError;
pub use events::{EventListing, ListMode};
pub use watch::WatchChannel;
