//! The room's media: the frame pump and the pages' peer connections.

pub mod peer;
pub mod pump;
