//! swresample to 16 kHz, then an equal-weight channel average to mono.
//!
//! The downmix is done here rather than by swresample because its float
//! rematrixing is not normalised (stereo → mono gains ~3 dB); a plain average
//! is what faster-whisper (s16 rematrix, normalised) and Silero's tools feed
//! their models.

use ffmpeg_next::format::sample::{Sample, Type};
use ffmpeg_next::software::resampling;
use ffmpeg_next::util::frame::audio::Audio;
use ffmpeg_next::ChannelLayout;

use super::SAMPLE_RATE;

/// Output format: one plane per channel, so averaging needs no de-interleaving.
const PLANAR_F32: Sample = Sample::F32(Type::Planar);
/// Frame size used to drain the resampler's internal buffer at the end.
const FLUSH_FRAME: usize = 4096;

/// The input configuration a swresample context was built for.
#[derive(Clone, Copy, PartialEq, Eq)]
struct InputConfig {
    format: Sample,
    layout: ChannelLayout,
    rate: u32,
}

/// Turns decoded frames of any format, layout and rate into 16 kHz mono samples.
pub(crate) struct MonoResampler {
    current: Option<(InputConfig, resampling::Context)>,
}

impl MonoResampler {
    /// A resampler that configures itself from the first frame it sees.
    pub(crate) fn new() -> Self {
        Self { current: None }
    }

    /// Resamples one decoded frame and appends the mono result to `out`.
    pub(crate) fn push(
        &mut self,
        frame: &mut Audio,
        out: &mut Vec<f32>,
    ) -> Result<(), ffmpeg_next::Error> {
        if frame.samples() == 0 {
            return Ok(());
        }
        // Some demuxers (raw PCM in WAV, ...) leave the layout unset; swresample needs one.
        if frame.channel_layout().is_empty() {
            frame.set_channel_layout(ChannelLayout::default(i32::from(frame.channels())));
        }
        let config = InputConfig {
            format: frame.format(),
            layout: frame.channel_layout(),
            rate: frame.rate(),
        };
        // A stream may change rate or layout midway: drain the old context first.
        if self.current.as_ref().map(|(c, _)| *c) != Some(config) {
            self.finish(out)?;
            let context = resampling::Context::get(
                config.format,
                config.layout,
                config.rate,
                PLANAR_F32,
                config.layout,
                SAMPLE_RATE,
            )?;
            self.current = Some((config, context));
        }
        let Some((_, context)) = self.current.as_mut() else {
            return Ok(());
        };
        // Room for this frame's share plus whatever the filter still holds, so
        // nothing piles up inside swresample when upsampling.
        let buffered = context.delay().map_or(0, |d| d.output.max(0) as usize);
        let capacity =
            frame.samples() * SAMPLE_RATE as usize / config.rate.max(1) as usize + buffered + 32;
        let mut converted = Audio::new(PLANAR_F32, capacity, config.layout);
        context.run(frame, &mut converted)?;
        append_mono(&converted, out);
        Ok(())
    }

    /// Drains what the resampler still holds (its filter delay) into `out`.
    pub(crate) fn finish(&mut self, out: &mut Vec<f32>) -> Result<(), ffmpeg_next::Error> {
        let Some((config, mut context)) = self.current.take() else {
            return Ok(());
        };
        loop {
            // flush() needs a pre-allocated frame (STACK.md), and reports how much it wrote.
            let mut converted = Audio::new(PLANAR_F32, FLUSH_FRAME, config.layout);
            context.flush(&mut converted)?;
            if converted.samples() == 0 {
                return Ok(());
            }
            append_mono(&converted, out);
        }
    }
}

/// Appends the per-sample mean of all planes of a planar f32 frame.
fn append_mono(frame: &Audio, out: &mut Vec<f32>) {
    let samples = frame.samples();
    let planes = frame.planes();
    if samples == 0 || planes == 0 {
        return;
    }
    let start = out.len();
    out.extend_from_slice(&frame.plane::<f32>(0)[..samples]);
    if planes > 1 {
        let mixed = &mut out[start..];
        for plane in 1..planes {
            for (acc, &s) in mixed.iter_mut().zip(&frame.plane::<f32>(plane)[..samples]) {
                *acc += s;
            }
        }
        let scale = 1.0 / planes as f32;
        mixed.iter_mut().for_each(|s| *s *= scale);
    }
}
