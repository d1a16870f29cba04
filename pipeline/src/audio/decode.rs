//! Demux the first audio stream of a file, decode it and resample it.

use std::path::Path;
use std::sync::OnceLock;

use ffmpeg_next::codec;
use ffmpeg_next::format;
use ffmpeg_next::media;
use ffmpeg_next::util::frame::audio::Audio;
use ffmpeg_next::{Packet, Rational};

use super::error::{describe, AudioError};
use super::resample::MonoResampler;
use super::SAMPLE_RATE;

/// How far decoding has come, for progress bars on long recordings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeProgress {
    /// Seconds of audio decoded so far.
    pub decoded_s: f64,
    /// The container's duration, when it states one.
    pub total_s: Option<f64>,
}

/// Decodes the first audio stream of `path` to 16 kHz mono `f32` in [-1, 1].
pub fn decode_file(path: &Path) -> Result<Vec<f32>, AudioError> {
    decode_file_with_progress(path, |_| {})
}

/// [`decode_file`], calling `on_progress` after every decoded packet.
pub fn decode_file_with_progress(
    path: &Path,
    on_progress: impl FnMut(DecodeProgress),
) -> Result<Vec<f32>, AudioError> {
    decode(path, 0.0, on_progress)
}

/// The audio of `path` from `from_s` seconds on, as [`decode_file`] would
/// give it after its first `from_s` seconds: the container is seeked near
/// `from_s` (a recording's tail is decoded without its hours before), and
/// the samples are placed by the stream's timestamps. Empty when the file
/// ends before `from_s`.
pub fn decode_file_from(path: &Path, from_s: f64) -> Result<Vec<f32>, AudioError> {
    decode(path, from_s.max(0.0), |_| {})
}

/// Seconds decoded before the wanted start when seeking, so the decoder
/// has settled (Opus needs 80 ms) before the first kept sample.
const SEEK_PREROLL_S: f64 = 0.5;

fn decode(
    path: &Path,
    from_s: f64,
    mut on_progress: impl FnMut(DecodeProgress),
) -> Result<Vec<f32>, AudioError> {
    check_readable(path)?;
    init_ffmpeg()?;
    let mut input = format::input(path).map_err(|e| AudioError::NotMedia {
        path: path.to_owned(),
        reason: match e {
            // The guessed demuxer ran out of bytes before finding its headers.
            ffmpeg_next::Error::Eof => "the file ends before any media headers".to_owned(),
            e => describe(&e),
        },
    })?;

    let format_name = input.format().name().to_owned();
    let stream = input
        .streams()
        .find(|s| s.parameters().medium() == media::Type::Audio)
        .ok_or_else(|| AudioError::NoAudioStream {
            path: path.to_owned(),
            format: format_name,
        })?;
    let stream_index = stream.index();
    let time_base = stream.time_base();
    let codec_id = stream.parameters().id();
    let unsupported = || AudioError::UnsupportedCodec {
        path: path.to_owned(),
        codec: codec_name(codec_id),
    };
    let context =
        codec::context::Context::from_parameters(stream.parameters()).map_err(|_| unsupported())?;
    let mut decoder = context.decoder().audio().map_err(|_| unsupported())?;

    // Stream timestamps count from the stream's start time (Opus in Ogg
    // starts before zero by its pre-skip).
    let start_pts = match stream.start_time() {
        ffmpeg_next::ffi::AV_NOPTS_VALUE => 0,
        t => t,
    };
    if from_s > SEEK_PREROLL_S {
        let target = ((from_s - SEEK_PREROLL_S) * f64::from(ffmpeg_next::ffi::AV_TIME_BASE)) as i64;
        // A failed seek leaves the demuxer at the start: the samples before
        // `from_s` are then decoded and dropped, which is slower, not wrong.
        if let Err(e) = input.seek(target, ..target + 1) {
            tracing::debug!(path = %path.display(), error = %describe(&e), "seek failed; decoding from the start");
        }
    }
    // Where the first decoded packet sits, in seconds from the stream's start.
    let mut first_packet_s: Option<f64> = None;
    let total_s = duration_s(input.duration());
    // Reserve for the whole recording up front: a 1-hour meeting would
    // otherwise be copied a dozen times while the vector grows.
    let mut pcm =
        Vec::with_capacity(total_s.map_or(0, |s| (s * f64::from(SAMPLE_RATE)) as usize + 1));
    let mut resampler = MonoResampler::new();
    let mut frame = Audio::empty();
    let mut stats = PacketStats::default();
    let mut packet = Packet::empty();

    loop {
        match packet.read(&mut input) {
            Ok(()) => {}
            Err(ffmpeg_next::Error::Eof) => break,
            // A damaged packet in the container: skip it, like ffmpeg(1) does.
            Err(e @ ffmpeg_next::Error::InvalidData) => {
                stats.record_error(&e);
                if stats.should_give_up() {
                    break;
                }
                continue;
            }
            Err(e) => {
                // Any other read error ends the stream (a truncated file); keep what we have.
                stats.record_error(&e);
                break;
            }
        }
        if packet.stream() != stream_index {
            continue;
        }
        if first_packet_s.is_none() {
            first_packet_s = packet
                .pts()
                .or(packet.dts())
                .map(|pts| (pts - start_pts) as f64 * f64::from(time_base));
        }
        if let Err(e) = decoder.send_packet(&packet) {
            stats.record_error(&e);
            continue;
        }
        drain_decoder(
            &mut decoder,
            &mut frame,
            &mut resampler,
            &mut pcm,
            &mut stats,
            path,
        )?;
        on_progress(DecodeProgress {
            decoded_s: packet_end_s(&packet, time_base)
                .unwrap_or(pcm.len() as f64 / f64::from(SAMPLE_RATE)),
            total_s,
        });
    }
    // End of stream: the decoder may still hold frames back (codec delay).
    if decoder.send_eof().is_ok() {
        drain_decoder(
            &mut decoder,
            &mut frame,
            &mut resampler,
            &mut pcm,
            &mut stats,
            path,
        )?;
    }
    resampler
        .finish(&mut pcm)
        .map_err(|e| AudioError::Resample {
            path: path.to_owned(),
            reason: describe(&e),
        })?;

    if stats.decoded_frames == 0 {
        if let Some(reason) = stats.first_error {
            return Err(AudioError::Corrupt {
                path: path.to_owned(),
                reason,
            });
        }
    }
    if stats.errors > 0 {
        tracing::warn!(
            path = %path.display(),
            errors = stats.errors,
            first = stats.first_error.as_deref().unwrap_or(""),
            "skipped damaged audio packets"
        );
    }
    on_progress(DecodeProgress {
        decoded_s: pcm.len() as f64 / f64::from(SAMPLE_RATE),
        total_s,
    });
    if from_s > 0.0 {
        let skip = super::seconds_to_samples(from_s - first_packet_s.unwrap_or(0.0).max(0.0));
        pcm.drain(..skip.min(pcm.len()));
    }
    Ok(pcm)
}

/// Receives every frame the decoder has ready and resamples it into `pcm`.
fn drain_decoder(
    decoder: &mut codec::decoder::Audio,
    frame: &mut Audio,
    resampler: &mut MonoResampler,
    pcm: &mut Vec<f32>,
    stats: &mut PacketStats,
    path: &Path,
) -> Result<(), AudioError> {
    loop {
        match decoder.receive_frame(frame) {
            Ok(()) => {
                stats.decoded_frames += 1;
                resampler
                    .push(frame, pcm)
                    .map_err(|e| AudioError::Resample {
                        path: path.to_owned(),
                        reason: describe(&e),
                    })?;
            }
            Err(ffmpeg_next::Error::Eof) => return Ok(()),
            Err(ffmpeg_next::Error::Other { errno }) if errno == ffmpeg_next::error::EAGAIN => {
                return Ok(())
            }
            Err(e) => {
                stats.record_error(&e);
                return Ok(());
            }
        }
    }
}

/// Counts decode failures so a damaged file still yields its good parts.
#[derive(Default)]
struct PacketStats {
    decoded_frames: u64,
    errors: u64,
    first_error: Option<String>,
}

impl PacketStats {
    /// Give up on a stream of pure garbage instead of scanning all of it.
    const MAX_ERRORS_BEFORE_FIRST_FRAME: u64 = 1000;

    fn record_error(&mut self, err: &ffmpeg_next::Error) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(describe(err));
        }
    }

    fn should_give_up(&self) -> bool {
        self.decoded_frames == 0 && self.errors >= Self::MAX_ERRORS_BEFORE_FIRST_FRAME
    }
}

/// Tells "missing" and "unreadable" apart from FFmpeg's vaguer open errors.
fn check_readable(path: &Path) -> Result<(), AudioError> {
    if path.is_dir() {
        return Err(AudioError::Unreadable {
            path: path.to_owned(),
            source: std::io::Error::other("it is a directory"),
        });
    }
    match std::fs::File::open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AudioError::NotFound {
            path: path.to_owned(),
        }),
        Err(source) => Err(AudioError::Unreadable {
            path: path.to_owned(),
            source,
        }),
    }
}

/// FFmpeg's global init is idempotent but not free; do it once per process.
fn init_ffmpeg() -> Result<(), AudioError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        ffmpeg_next::init().map_err(|e| describe(&e))?;
        // Decoder chatter ("invalid frame header", ...) would go to stderr
        // unasked; our errors and the warning above carry what matters.
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Fatal);
        Ok(())
    })
    .clone()
    .map_err(AudioError::Init)
}

/// The container's duration in seconds (given in AV_TIME_BASE units), if known.
fn duration_s(duration: i64) -> Option<f64> {
    (duration > 0).then(|| duration as f64 / f64::from(ffmpeg_next::ffi::AV_TIME_BASE))
}

/// Where a packet ends on the stream's timeline, in seconds.
fn packet_end_s(packet: &Packet, time_base: Rational) -> Option<f64> {
    let pts = packet.pts().or(packet.dts())?;
    Some((pts + packet.duration()) as f64 * f64::from(time_base))
}

/// A codec's short name, for the "unsupported codec" message.
fn codec_name(id: codec::Id) -> String {
    codec::decoder::find(id)
        .map(|c| c.name().to_owned())
        .unwrap_or_else(|| format!("{id:?}").to_lowercase())
}
