//! Calendar sync, auto-join rules, one bot per real meeting, and launching
//! bots (a child process, or a Kubernetes Job).
//!
//! Depends on `mymeet-integrations` and `mymeet-core`; never on `bot`,
//! `pipeline` or `api`. The calendars and scheduler issue fills it.

pub mod launcher;
pub mod planner;
pub mod rules;
pub mod service;
pub mod sync;
