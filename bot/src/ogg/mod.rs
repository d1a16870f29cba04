//! Opus in Ogg without re-encoding: the page format, Opus packet lengths, and
//! a writer that keeps a track's timeline true to wall-clock time.

mod crc;
mod opus_packet;
mod page_reader;
mod page_writer;
mod track_writer;

pub use opus_packet::{samples_in_packet, SILENCE_FRAME, SILENCE_FRAME_SAMPLES};
pub use page_reader::last_granule;
pub use page_writer::OggPageWriter;
pub use track_writer::{OpusTrackWriter, PushOutcome, TrackCounters, SAMPLE_RATE};
