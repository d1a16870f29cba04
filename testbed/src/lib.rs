//! A local conference for tests and the demo: a WebRTC room whose
//! participants speak real recorded speech, and join pages that follow the
//! Meet, Teams and Zoom guest flows.
//!
//! Depends only on `mymeet-core`. The bot issue fills it.
