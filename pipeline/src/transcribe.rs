//! Recording → transcript: decode the audio, keep the speech the VAD finds,
//! run Whisper over it, and put the segments back on the recording's timeline.

use crate::audio::{decode_file, AudioError, SAMPLE_RATE};
use crate::models::{ModelError, ModelStore};
use crate::transcript::{Segment, Transcript};
use crate::vad::{chunk_regions, Edge, SileroVad, SpeechRegion, TimelineMap, VadError};
use crate::whisper::{
    detect_language_pcm, transcribe_pcm, ModelOptions, TranscribeOptions, Transcription,
    WhisperError, WhisperModel,
};
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
    language_per_chunk: bool,
}

/// Speech decoded under one detected language when languages are told
/// apart within a recording: Whisper's window, cut at pauses over a second.
const LANGUAGE_CHUNK_S: f64 = 30.0;
const LANGUAGE_CHUNK_GAP_S: f64 = 1.0;

impl Transcriber {
    /// Combines a Whisper model, an optional VAD and the decoding options.
    pub fn new(model: WhisperModel, vad: Option<SileroVad>, options: TranscribeOptions) -> Self {
        Self {
            model,
            vad,
            options,
            language_per_chunk: false,
        }
    }

    /// With a multilingual model and no language given: detect the language
    /// of every chunk of speech (≤ 30 s, split at pauses over 1 s) and decode
    /// it in that language, so each segment carries its own, instead of one
    /// language detected from the first 30 s for the whole recording.
    pub fn with_language_per_segment(mut self, on: bool) -> Self {
        self.language_per_chunk = on;
        self
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
        Self::load_with(store, model, vad, options, &ModelOptions::default())
    }

    /// [`Transcriber::load`] on a device and in a weight format.
    pub fn load_with(
        store: &ModelStore,
        model: &str,
        vad: bool,
        options: TranscribeOptions,
        model_options: &ModelOptions,
    ) -> Result<Self, TranscribeError> {
        let model = WhisperModel::load_with(&store.resolve(model)?, model_options)?;
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
        if self.language_per_chunk && self.model.is_multilingual() && options.language.is_none() {
            let whole = [SpeechRegion {
                start: 0,
                end: pcm.len(),
            }];
            return self.transcribe_by_language(
                pcm,
                regions.unwrap_or(&whole),
                &options,
                offset,
                progress,
            );
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
        Ok(Transcript {
            segments: to_segments(&result, to_original, duration),
            language: result.language,
            language_probability: result.language_probability,
            duration,
        })
    }

    /// [`Self::transcribe_speech`] with a language detected and used per chunk
    /// of speech; the recording's language is the one most speech was in.
    fn transcribe_by_language(
        &mut self,
        pcm: &[f32],
        regions: &[SpeechRegion],
        options: &TranscribeOptions,
        offset: f64,
        progress: &mut dyn FnMut(f64, f64),
    ) -> Result<Transcript, TranscribeError> {
        let duration = offset + pcm.len() as f64 / f64::from(SAMPLE_RATE);
        let chunks = chunk_regions(regions, LANGUAGE_CHUNK_S, LANGUAGE_CHUNK_GAP_S);
        let total: f64 = chunks.iter().map(|c| c.speech_samples()).sum::<usize>() as f64
            / f64::from(SAMPLE_RATE);
        let mut done = 0.0;
        let mut segments = Vec::new();
        // Per language: (seconds of speech, probability-weighted seconds).
        let mut by_language: Vec<(String, f64, f64)> = Vec::new();
        for chunk in &chunks {
            let audio = chunk.audio(pcm);
            let seconds = audio.len() as f64 / f64::from(SAMPLE_RATE);
            let (language, probability) = detect_language_pcm(&mut self.model, &audio)?;
            let mut chunk_options = options.clone();
            chunk_options.language = Some(language.clone());
            let mut chunk_progress = |d: f64, _: f64| progress(done + d, total);
            let result =
                transcribe_pcm(&mut self.model, &audio, &chunk_options, &mut chunk_progress)?;
            let map = chunk.timeline();
            segments.extend(to_segments(
                &result,
                |t, edge| offset + map.original_s(t, edge),
                duration,
            ));
            match by_language.iter_mut().find(|(l, ..)| *l == language) {
                Some(entry) => {
                    entry.1 += seconds;
                    entry.2 += seconds * f64::from(probability);
                }
                None => by_language.push((language, seconds, seconds * f64::from(probability))),
            }
            done += seconds;
        }
        let (language, language_probability) = by_language
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, seconds, weighted)| (l, (weighted / seconds.max(1e-9)) as f32))
            .unwrap_or_else(|| ("en".to_owned(), 0.0));
        Ok(Transcript {
            language,
            language_probability,
            duration,
            segments,
        })
    }
}

/// A Whisper result's segments on the recording's timeline (`to_original`
/// maps a time in the decoded audio and which edge it is), in its language.
fn to_segments(
    result: &Transcription,
    to_original: impl Fn(f64, Edge) -> f64,
    duration: f64,
) -> Vec<Segment> {
    result
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
        .collect()
}
