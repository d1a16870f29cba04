//! Analysis of a transcript: summary, key points, action items, decisions,
//! open questions, topics and talk time, by one of several engines.

mod report;

pub use report::{ActionItem, Highlight, MeetingInfo, MeetingReport, SpeakerStats, Topic};
