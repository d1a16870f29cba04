//! The testbed's HTTP servers: one per platform style, plus the control API.

pub mod control;
pub mod style;
