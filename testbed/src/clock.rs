//! Wall-clock helpers: the control API speaks UNIX milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the UNIX epoch.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as u64
}

/// Now, in UNIX milliseconds.
pub fn now_ms() -> u64 {
    unix_ms(SystemTime::now())
}
