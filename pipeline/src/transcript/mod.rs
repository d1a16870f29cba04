//! Transcript segments and their output formats.

mod format;
mod segment;

pub use format::{render, Format, UnknownFormat};
pub use segment::{Segment, Transcript};
