//! Calendar sync: every active connection's calendars into `calendar_events`,
//! incrementally (Google `syncToken`, Graph `deltaLink`), with access tokens
//! refreshed before they expire, push channels kept open, and many
//! connections synced at once without one broken or slow connection holding
//! up the others.

mod engine;
mod error;
mod google;
mod microsoft;
mod outcome;
mod push;
mod round;
mod store;
mod tokens;
mod triggered;

pub use engine::CalendarSync;
pub use error::SyncError;
pub use outcome::{RoundReport, SyncOutcome};
pub use triggered::{calendar_changed_queue, SyncOnChange};
