//! One remote track as an Ogg Opus file whose timeline is wall-clock time.
//!
//! RTP timestamps place packets relative to each other; the arrival time
//! anchors them to the recording's clock. Gaps (DTX, a paused sender, a lost
//! burst) are filled with silence frames, reordered or duplicated packets are
//! dropped instead of corrupting the granule positions, and a timestamp that
//! wraps past `u32::MAX` is unwrapped.

use super::opus_packet::{samples_in_packet, SILENCE_FRAME, SILENCE_FRAME_SAMPLES};
use super::page_writer::OggPageWriter;
use serde::Serialize;
use std::io::{self, Write};

/// Opus always runs at 48 kHz in Ogg granule positions.
pub const SAMPLE_RATE: u64 = 48_000;

/// Packets per page before a page is written even without a flush tick.
const PACKETS_PER_PAGE: usize = 50;

/// How far (in samples) the RTP timeline may drift from arrival times before
/// the writer re-anchors it (a new source behind the same stream, a sender
/// clock jump).
const MAX_DRIFT: i64 = SAMPLE_RATE as i64;

/// What happened to a pushed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Written, after `silence_frames` frames of gap filling.
    Written {
        /// Silence frames inserted before it.
        silence_frames: u64,
    },
    /// Older than what was already written (reordered or duplicated).
    Late,
    /// Not an Opus packet.
    Malformed,
}

/// Counts kept per track, reported in `bot.json`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrackCounters {
    /// Packets written.
    pub packets: u64,
    /// Silence frames written to fill gaps.
    pub silence_frames: u64,
    /// Packets dropped as reordered or duplicated.
    pub late_packets: u64,
    /// Packets that were not Opus.
    pub malformed_packets: u64,
    /// Times the RTP timeline was re-anchored to arrival time.
    pub reanchors: u64,
}

/// Where RTP time meets the recording's sample clock.
#[derive(Debug, Clone, Copy)]
struct Anchor {
    rtp: i64,
    position: i64,
}

/// Writes one track; see the module documentation.
#[derive(Debug)]
pub struct OpusTrackWriter<W: Write> {
    pages: OggPageWriter<W>,
    /// Samples written so far: the granule position.
    written: u64,
    anchor: Option<Anchor>,
    /// The last RTP timestamp seen and its unwrapped value.
    last_rtp: Option<(u32, i64)>,
    /// The unwrapped timestamp of the newest written packet.
    newest_written: Option<i64>,
    counters: TrackCounters,
}

impl<W: Write> OpusTrackWriter<W> {
    /// Starts a mono Ogg Opus stream `serial` over `out` and writes its headers.
    pub fn new(out: W, serial: u32) -> io::Result<Self> {
        let mut pages = OggPageWriter::new(out, serial);
        pages.write_header_page(&opus_head())?;
        pages.write_header_page(&opus_tags())?;
        Ok(Self {
            pages,
            written: 0,
            anchor: None,
            last_rtp: None,
            newest_written: None,
            counters: TrackCounters::default(),
        })
    }

    /// Writes the packet with RTP timestamp `rtp_timestamp` that arrived
    /// `arrival` samples after the recording started.
    pub fn push(
        &mut self,
        rtp_timestamp: u32,
        payload: &[u8],
        arrival: u64,
    ) -> io::Result<PushOutcome> {
        let Some(samples) = samples_in_packet(payload) else {
            self.counters.malformed_packets += 1;
            return Ok(PushOutcome::Malformed);
        };
        let rtp = self.unwrap_timestamp(rtp_timestamp);
        if self.newest_written.is_some_and(|newest| rtp <= newest) {
            self.counters.late_packets += 1;
            return Ok(PushOutcome::Late);
        }
        let arrival = arrival as i64;
        let anchor = match self.anchor {
            Some(a) if (a.position + (rtp - a.rtp) - arrival).abs() <= MAX_DRIFT => a,
            Some(_) => {
                self.counters.reanchors += 1;
                self.set_anchor(rtp, arrival)
            }
            None => self.set_anchor(rtp, arrival),
        };
        let mut position = anchor.position + (rtp - anchor.rtp);
        let written = self.written as i64;
        if position < written {
            // Less than a frame early (anchor rounding, jitter): slide the
            // anchor so the stream stays contiguous rather than dropping audio.
            self.anchor = Some(Anchor {
                rtp,
                position: written,
            });
            position = written;
        }
        let silence_frames = self.fill_silence_until(position as u64)?;
        self.written += samples;
        self.pages.add_packet(payload, self.written)?;
        self.newest_written = Some(rtp);
        self.counters.packets += 1;
        if self.pages.pending_segments() >= PACKETS_PER_PAGE {
            self.pages.flush_page(false)?;
        }
        Ok(PushOutcome::Written { silence_frames })
    }

    /// Fills silence up to `position` samples (to within half a frame).
    pub fn pad_to(&mut self, position: u64) -> io::Result<u64> {
        self.fill_silence_until(position)
    }

    /// Writes queued packets as a page, so they survive a killed process.
    pub fn flush(&mut self) -> io::Result<()> {
        self.pages.flush_page(false)
    }

    /// Pads to `end` samples, writes the end-of-stream page, and returns the writer.
    pub fn finish(mut self, end: u64) -> io::Result<(W, TrackCounters)> {
        self.fill_silence_until(end)?;
        self.pages.flush_page(true)?;
        Ok((self.pages.into_inner(), self.counters))
    }

    /// Samples written so far.
    pub fn written_samples(&self) -> u64 {
        self.written
    }

    /// The counters so far.
    pub fn counters(&self) -> TrackCounters {
        self.counters
    }

    fn set_anchor(&mut self, rtp: i64, arrival: i64) -> Anchor {
        let anchor = Anchor {
            rtp,
            position: arrival.max(self.written as i64),
        };
        self.anchor = Some(anchor);
        anchor
    }

    fn unwrap_timestamp(&mut self, ts: u32) -> i64 {
        let unwrapped = match self.last_rtp {
            None => i64::from(ts),
            Some((last, last_unwrapped)) => {
                last_unwrapped + i64::from(ts.wrapping_sub(last) as i32)
            }
        };
        // Track the newest timestamp so a late packet does not move the base.
        if self.last_rtp.is_none_or(|(_, u)| unwrapped > u) {
            self.last_rtp = Some((ts, unwrapped));
        }
        unwrapped
    }

    fn fill_silence_until(&mut self, position: u64) -> io::Result<u64> {
        let mut frames = 0;
        while self.written + SILENCE_FRAME_SAMPLES / 2 < position {
            self.written += SILENCE_FRAME_SAMPLES;
            self.pages.add_packet(&SILENCE_FRAME, self.written)?;
            frames += 1;
            if self.pages.pending_segments() >= PACKETS_PER_PAGE {
                self.pages.flush_page(false)?;
            }
        }
        self.counters.silence_frames += frames;
        Ok(frames)
    }
}

/// The `OpusHead` packet: version 1, mono, no pre-skip, 48 kHz, family 0.
fn opus_head() -> Vec<u8> {
    let mut head = Vec::with_capacity(19);
    head.extend_from_slice(b"OpusHead");
    head.push(1);
    head.push(1);
    head.extend_from_slice(&0u16.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes());
    head.push(0);
    head
}

/// The `OpusTags` packet with a vendor string and no comments.
fn opus_tags() -> Vec<u8> {
    let vendor = b"mymeet";
    let mut tags = Vec::with_capacity(16 + vendor.len());
    tags.extend_from_slice(b"OpusTags");
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0u32.to_le_bytes());
    tags
}
