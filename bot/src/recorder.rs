//! Writes each bridge slot to `tracks/track-<slot>.ogg` as packets arrive,
//! pads silent stretches and flushes pages every second (so a killed bot
//! loses at most that much), and at the end mixes them into `recording.ogg`.

use crate::bridge::BridgePacket;
use crate::ogg::{OpusTrackWriter, TrackCounters, SAMPLE_RATE};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a live track may go without packets before silence is written
/// for it; later packets for that span would be dropped as late.
const HOLD_BACK: Duration = Duration::from_millis(1000);

/// Records every slot of one call.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    started: Instant,
    tracks: BTreeMap<String, TrackFile>,
}

#[derive(Debug)]
struct TrackFile {
    writer: OpusTrackWriter<File>,
    file: String,
    first_packet_s: f64,
}

/// One finished track, as reported in `bot.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrackSummary {
    /// Path relative to the output directory.
    pub file: String,
    /// The bridge slot.
    pub slot: String,
    /// Seconds after the recording started that its first packet arrived.
    pub first_packet_s: f64,
    /// Its length in seconds.
    pub duration_s: f64,
    /// Packets, gaps and drops.
    pub counters: TrackCounters,
}

/// The finished recording.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordingSummary {
    /// `recording.ogg`.
    pub file: String,
    /// Its length in seconds (the time in call).
    pub duration_s: f64,
    /// How it was made: `silence`, `copy` or `ffmpeg-amix`.
    pub mix: String,
    /// Why mixing fell back to a copy of the first track, if it did.
    pub mix_error: Option<String>,
    /// Every track.
    pub tracks: Vec<TrackSummary>,
}

impl Recorder {
    /// A recorder whose time zero is `started`, writing under `dir`.
    pub fn new(dir: &Path, started: Instant) -> io::Result<Self> {
        std::fs::create_dir_all(dir.join("tracks"))?;
        Ok(Self {
            dir: dir.to_owned(),
            started,
            tracks: BTreeMap::new(),
        })
    }

    /// Writes one packet to its slot's file, opening the file on first use.
    pub fn push(&mut self, packet: &BridgePacket) -> io::Result<()> {
        let arrival = samples(packet.arrival.saturating_duration_since(self.started));
        if !self.tracks.contains_key(&packet.slot) {
            let file = format!("tracks/track-{}.ogg", sanitize(&packet.slot));
            let serial = 0x6d6d_0000 + self.tracks.len() as u32;
            let writer = OpusTrackWriter::new(File::create(self.dir.join(&file))?, serial)?;
            self.tracks.insert(
                packet.slot.clone(),
                TrackFile {
                    writer,
                    file,
                    first_packet_s: arrival as f64 / SAMPLE_RATE as f64,
                },
            );
        }
        if let Some(track) = self.tracks.get_mut(&packet.slot) {
            track
                .writer
                .push(packet.timestamp, &packet.payload, arrival)?;
        }
        Ok(())
    }

    /// Pads tracks that went quiet up to `now` less the hold-back, and writes
    /// every queued packet as a page.
    pub fn tick(&mut self, now: Instant) -> io::Result<()> {
        let upto = samples(
            now.saturating_duration_since(self.started)
                .saturating_sub(HOLD_BACK),
        );
        for track in self.tracks.values_mut() {
            track.writer.pad_to(upto)?;
            track.writer.flush()?;
        }
        Ok(())
    }

    /// Slots recorded so far.
    pub fn track_count(&self) -> usize {
        self.tracks.len()
    }

    /// Pads every track to `end`, closes them and writes `recording.ogg`.
    pub async fn finish(self, end: Instant) -> io::Result<RecordingSummary> {
        let end_samples = samples(end.saturating_duration_since(self.started));
        let duration_s = end_samples as f64 / SAMPLE_RATE as f64;
        let mut tracks = Vec::new();
        for (slot, track) in self.tracks {
            let (_, counters) = track.writer.finish(end_samples)?;
            tracks.push(TrackSummary {
                file: track.file,
                slot,
                first_packet_s: track.first_packet_s,
                duration_s,
                counters,
            });
        }
        let mixed = self.dir.join("recording.ogg");
        let (mix, mix_error) = match tracks.as_slice() {
            [] => {
                let writer = OpusTrackWriter::new(File::create(&mixed)?, 0x6d6d_ffff)?;
                writer.finish(end_samples)?;
                ("silence", None)
            }
            [only] => {
                std::fs::copy(self.dir.join(&only.file), &mixed)?;
                ("copy", None)
            }
            many => {
                let inputs: Vec<PathBuf> = many.iter().map(|t| self.dir.join(&t.file)).collect();
                match mix_with_ffmpeg(&inputs, &mixed).await {
                    Ok(()) => ("ffmpeg-amix", None),
                    Err(e) => {
                        tracing::warn!(error = %e, "mixing failed; recording.ogg is the first track");
                        std::fs::copy(&inputs[0], &mixed)?;
                        ("copy", Some(e))
                    }
                }
            }
        };
        Ok(RecordingSummary {
            file: "recording.ogg".into(),
            duration_s,
            mix: mix.into(),
            mix_error,
            tracks,
        })
    }
}

/// Decodes, sums (no normalization, so levels stay true) and re-encodes the
/// tracks, which all start at time zero and have the same length.
pub(crate) async fn mix_with_ffmpeg(inputs: &[PathBuf], out: &Path) -> Result<(), String> {
    let mut cmd = tokio::process::Command::new("ffmpeg");
    cmd.args(["-hide_banner", "-loglevel", "error", "-y"]);
    for input in inputs {
        cmd.arg("-i").arg(input);
    }
    cmd.args([
        "-filter_complex",
        &format!("amix=inputs={}:duration=longest:normalize=0", inputs.len()),
        "-ac",
        "1",
        "-c:a",
        "libopus",
        "-b:a",
        "48k",
        // The mix is on the path from the meeting's end to the report: at
        // complexity 5 libopus encodes ~2.5x faster than at its default 10,
        // with no audible loss for speech at 48 kb/s.
        "-compression_level",
        "5",
    ])
    .arg(out);
    let output = cmd
        .output()
        .await
        .map_err(|e| format!("running ffmpeg (install it with scripts/setup): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

fn samples(d: Duration) -> u64 {
    (d.as_secs_f64() * SAMPLE_RATE as f64).round() as u64
}

fn sanitize(slot: &str) -> String {
    slot.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
