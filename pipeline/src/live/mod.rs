//! Transcribing while the call goes on: the bot uploads its tracks every few
//! seconds and announces `recording.progress`; the settled part of the audio
//! (everything before a pause the VAD trusts) is transcribed into a
//! [`TranscriptDraft`], so that when the call ends only the tail after the
//! draft is left to transcribe.
//!
//! A draft is a cache, never the record: a lost, stale or foreign draft
//! costs time (the stage transcribes more at the end), never text.

mod cut;
mod draft;

pub use cut::{settled_cut, speech_before, LivePolicy};
pub use draft::TranscriptDraft;
