//! The meeting's audio, prepared before anyone joins: every stream the room sends, as
//! 20 ms Opus packets laid out on the schedule's timeline.

mod ffmpeg;
mod ogg;

pub use ogg::opus_packets;

use crate::config::ParticipantSpec;
use crate::error::Result;
use crate::schedule::Schedule;
use bytes::Bytes;
use std::path::Path;
use std::time::Duration;

/// Samples in one 20 ms Opus frame at 48 kHz.
pub const FRAME_SAMPLES: usize = 960;
/// The length of one frame.
pub const FRAME: Duration = Duration::from_millis(20);
/// Meet forwards at most this many audio streams (the loudest speakers).
pub const MEET_MAX_STREAMS: usize = 3;
/// A 20 ms Opus frame of silence (CELT, full band, mono), sent once the program is over.
pub const SILENCE_FRAME: [u8; 3] = [0xf8, 0xff, 0xfe];

/// Every stream's packets, frame by frame from the schedule clock's start.
#[derive(Debug)]
pub struct Program {
    /// The schedule the streams follow.
    pub schedule: Schedule,
    /// Meet-style streams: one per participant, or per slot when there are more than three.
    pub slots: Vec<Vec<Bytes>>,
    /// The single mixed stream Teams and Zoom send.
    pub mixed: Vec<Bytes>,
}

impl Program {
    /// Decodes each participant's audio, lays the turns out and encodes every stream to Opus.
    /// Blocking: runs ffmpeg several times.
    pub fn render(
        participants: &[ParticipantSpec],
        lead_in: Duration,
        gap: Duration,
        work_dir: &Path,
    ) -> Result<Self> {
        let mut speech = Vec::with_capacity(participants.len());
        for p in participants {
            speech.push(ffmpeg::decode_mono_48k(&p.audio)?);
        }
        let durations: Vec<(String, Duration)> = participants
            .iter()
            .zip(&speech)
            .map(|(p, s)| (p.name.clone(), samples_to_duration(s.len())))
            .collect();
        let schedule = Schedule::in_turn(&durations, lead_in, gap);
        let total =
            duration_to_samples(schedule.program_end).div_ceil(FRAME_SAMPLES) * FRAME_SAMPLES;

        let slot_count = participants.len().min(MEET_MAX_STREAMS);
        let mut slot_pcm = vec![vec![0i16; total]; slot_count];
        let mut mixed_pcm = vec![0i16; total];
        for (turn, pcm) in schedule.turns.iter().zip(&speech) {
            let start = duration_to_samples(turn.start);
            // Turns never overlap, so copying is mixing.
            let slot = &mut slot_pcm[turn.index % slot_count];
            slot[start..start + pcm.len()].copy_from_slice(pcm);
            mixed_pcm[start..start + pcm.len()].copy_from_slice(pcm);
        }

        let mut slots = Vec::with_capacity(slot_count);
        for (i, pcm) in slot_pcm.iter().enumerate() {
            slots.push(encode(pcm, &work_dir.join(format!("slot{i}.ogg")))?);
        }
        let mixed = encode(&mixed_pcm, &work_dir.join("mixed.ogg"))?;
        Ok(Self {
            schedule,
            slots,
            mixed,
        })
    }
}

fn encode(pcm: &[i16], path: &Path) -> Result<Vec<Bytes>> {
    ffmpeg::encode_opus(pcm, path)?;
    opus_packets(&std::fs::read(path)?)
}

fn samples_to_duration(samples: usize) -> Duration {
    Duration::from_micros(samples as u64 * 1_000_000 / u64::from(ffmpeg::SAMPLE_RATE))
}

fn duration_to_samples(d: Duration) -> usize {
    (d.as_micros() * u128::from(ffmpeg::SAMPLE_RATE) / 1_000_000) as usize
}
