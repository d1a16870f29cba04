//! Microsoft Graph through `graph-rs-sdk`: the signed-in user,
//! `calendarView/delta` (occurrences and exceptions of recurring series come
//! as events of their own; the `deltaLink` is the cursor), and
//! change-notification subscriptions.

mod api;
mod delta;
mod error;
mod subscriptions;

pub use api::GraphCalendar;
pub use delta::{DeltaListing, DeltaMode};
pub use error::GraphError;
pub use subscriptions::GraphSubscription;
