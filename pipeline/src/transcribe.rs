//! Recording → transcript: decode the audio, keep the speech the VAD finds,
//! run Whisper over it, and put the segments back on the recording's timeline.

use crate::audio::{decode_file, AudioError, SAMPLE_RATE};
use crate::models::{ModelError, ModelStore};
use crate::transcript::{Segment, Transcript};
use crate::vad::{Edge, SileroVad, SpeechRegion, TimelineMap, VadError};
use crate::whisper::{transcribe_pcm, TranscribeOptions, WhisperError, WhisperModel};
use std::path::Path;

/// Why a recording could not be transcribed.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    /// The audio could not be decoded.
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// Voice activity detection failed.
    #[error(transparent)]
    Vad(#[from] VadError),
    /// Whisper failed.
    #[error(transparent)]
    Whisper(#[from] WhisperError),
    /// A model is not installed or not valid.
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// What precedes a stretch of a recording that is transcribed on its own:
/// where it starts and the language already found.
///
/// The text before the stretch is deliberately not given to Whisper as a
/// prompt: conditioned on a long prompt, tiny.en was seen to stop emitting
/// timestamps and skip the rest of its window (a whole speaker's turn), and
/// stretches start in a pause, where little context is lost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Continuation {
    /// Seconds of the recording before the stretch; added to every time.
    pub offset_s: f64,
    /// The recording's language, when the earlier part settled it.
    pub language: Option<String>,
}

/// A loaded model (and VAD) that transcribes any number of recordings.
pub struct Transcriber {
    model: WhisperModel,
    vad: Option<SileroVad>,
    options: TranscribeOptions,
}

impl Transcriber {
    /// Combines a Whisper model, an optional VAD and the decoding options.
    pub fn new(model: WhisperModel, vad: Option<SileroVad>, options: TranscribeOptions) -> Self {
        Self {
            model,
            vad,
            options,
        }
    }

    /// Loads `model` (a registry name or a model folder) and, with `vad`, the
    /// Silero detector from `store`; a missing model is an error that names
    /// the command that fetches it.
    pub fn load(
        store: &ModelStore,
        model: &str,
        vad: bool,
        options: TranscribeOptions,
    ) -> Result<Self, TranscribeError> {
        let model = WhisperModel::load(&store.resolve(model)?)?;
        let vad = if vad {
            let dir = store.require("silero-vad")?;
            Some(SileroVad::load(&dir.join("silero_vad_16k.safetensors"))?)
        } else {
            None
        };
        Ok(Self::new(model, vad, options))
    }

    /// The Whisper model.
    pub fn model(&self) -> &WhisperModel {
        &self.model
    }

    /// Decodes and transcribes a file; `progress(done, total)` is in seconds of speech.
    pub fn transcribe_file(
        &mut self,
        path: &Path,
        progress: &mut dyn FnMut(f64, f64),
    ) -> Result<Transcript, TranscribeError> {
        let pcm = decode_file(path)?;
        self.transcribe_pcm(&pcm, progress)
    }

    /// Whether speech is found by a VAD before decoding.
    pub fn has_vad(&self) -> bool {
        self.vad.is_some()
    }

    /// The speech regions of 16 kHz mono `pcm`; `None` without a VAD.
    pub fn speech_regions(&self, pcm: &[f32]) -> Result<Option<Vec<SpeechRegion>>, VadError> {
        self.vad.as_ref().map(|v| v.speech_regions(pcm)).transpose()
    }

    /// Transcribes 16 kHz mono samples.
    pub fn transcribe_pcm(
        &mut self,
        pcm: &[f32],
        progress: &mut dyn FnMut(f64, f64),
    ) -> Result<Transcript, TranscribeError> {
        let regions = self.speech_regions(pcm)?;
        self.transcribe_speech(pcm, regions.as_deref(), &Continuation::default(), progress)
    }

    /// Transcribes the `regions` of `pcm` (all of it when `None`), a stretch
    /// that follows what `context` describes; times are on the recording's
    /// timeline and `duration` reaches the stretch's end.
    pub fn transcribe_speech(
        &mut self,
        pcm: &[f32],
        regions: Option<&[SpeechRegion]>,
        context: &Continuation,
        progress: &mut dyn FnMut(f64, f64),
    ) -> Result<Transcript, TranscribeError> {
        let offset = context.offset_s;
        let duration = offset + pcm.len() as f64 / f64::from(SAMPLE_RATE);
        let mut options = self.options.clone();
        if let Some(language) = &context.language {
            options.language = Some(language.clone());
        }
        // Without a VAD the whole recording is one region.
        let (speech, timeline) = match regions {
            Some(regions) => {
                let timeline = TimelineMap::new(regions);
                let mut speech = Vec::with_capacity(timeline.concatenated_len());
                for r in regions {
                    speech.extend_from_slice(&pcm[r.start.min(pcm.len())..r.end.min(pcm.len())]);
                }
                (speech, Some(timeline))
            }
            None => (pcm.to_vec(), None),
        };
        if speech.is_empty() {
            let language = options.language.clone().unwrap_or_else(|| "en".to_owned());
            return Ok(Transcript {
                language,
                language_probability: 0.0,
                duration,
                segments: Vec::new(),
            });
        }
        let result = transcribe_pcm(&mut self.model, &speech, &options, progress)?;
        let to_original = |t: f64, edge: Edge| {
            offset
                + match &timeline {
                    Some(map) => map.original_s(t, edge),
                    None => t,
                }
        };
        let segments = result
            .segments
            .iter()
            .map(|s| Segment {
                start: to_original(s.start, Edge::Start),
                end: to_original(s.end, Edge::End).min(duration),
                speaker: None,
                text: s.text.trim().to_owned(),
                confidence: s.avg_logprob.exp() as f32,
                language: result.language.clone(),
            })
            .collect();
        Ok(Transcript {
            language: result.language,
            language_probability: result.language_probability,
            duration,
            segments,
        })
    }
}
