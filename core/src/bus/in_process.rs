//! The in-process bus.
