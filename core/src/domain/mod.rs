//! Domain types shared by every crate.

mod bot_state;
mod platform;

pub use bot_state::{BotState, EndReason, IllegalTransition, Transition};
pub use platform::Platform;
