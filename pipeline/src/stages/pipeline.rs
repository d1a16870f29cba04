//! The stages a worker runs, built once from the configuration: the Whisper
//! model, the analysis engine, the renderer with its PDF browser and the
//! mailer are loaded at start-up, so a missing model or a bad SMTP setting is
//! reported before the first meeting rather than after it.

use super::{DeliveryStage, ReportStage, TranscriptionProgress, TranscriptionStage};
use crate::analysis::{engine_from_config, AnalysisError};
use crate::delivery::{mailer_from_config, SmtpSetupError};
use crate::live::LivePolicy;
use crate::models::ModelStore;
use crate::render::{PdfEngine, PdfError, PdfPrinter, RenderError, Renderer};
use crate::transcribe::{TranscribeError, Transcriber};
use crate::whisper::{ModelOptions, TranscribeOptions};
use mymeet_core::blob::SharedBlobStore;
use mymeet_core::bus::messages::RecordingProgressV1;
use mymeet_core::bus::{consume, BusError, Event, Handler, QueueSpec, SharedBus};
use mymeet_core::config::Config;
use mymeet_core::db::Db;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::watch;

/// One stage of the pipeline, named after the queue it consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// `recording.completed` → transcript.
    Transcription,
    /// `transcript.ready` → analysis and rendered report.
    Report,
    /// `report.ready` → email.
    Delivery,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 3] = [Stage::Transcription, Stage::Report, Stage::Delivery];

    /// The queue the stage consumes.
    pub fn queue(self) -> QueueSpec {
        QueueSpec::stage(match self {
            Stage::Transcription => "recording.completed",
            Stage::Report => "transcript.ready",
            Stage::Delivery => "report.ready",
        })
    }

    /// The queue of the transcription stage's live half, `recording.progress`.
    pub fn live_queue() -> QueueSpec {
        QueueSpec::stage(RecordingProgressV1::TOPIC)
    }

    fn name(self) -> &'static str {
        match self {
            Stage::Transcription => "transcription",
            Stage::Report => "report",
            Stage::Delivery => "delivery",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.name() == s)
            .ok_or_else(|| format!("unknown stage `{s}`; stages: transcription, report, delivery"))
    }
}

/// Why the pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The Whisper or VAD model is missing or broken.
    #[error("transcription: {0}")]
    Transcription(#[from] TranscribeError),
    /// The analysis engine could not be built.
    #[error("analysis: {0}")]
    Analysis(#[from] AnalysisError),
    /// The templates could not be loaded.
    #[error("rendering: {0}")]
    Render(#[from] RenderError),
    /// The PDF engine could not be started.
    #[error("PDF: {0}")]
    Pdf(#[from] PdfError),
    /// The SMTP settings are unusable.
    #[error("email: {0}")]
    Email(#[from] SmtpSetupError),
    /// Loading a model panicked or was cancelled.
    #[error("loading: {0}")]
    Join(String),
}

/// The stages of one worker, ready to consume.
pub struct Pipeline {
    bus: SharedBus,
    queue_prefix: String,
    /// Each consumer: its stage, queue, handler and concurrency.
    consumers: Vec<(Stage, QueueSpec, Arc<dyn Handler>, usize)>,
    printer: Option<Arc<ReportStage>>,
}

impl Pipeline {
    /// Builds `stages` from `config`; `progress` follows each transcription.
    pub async fn from_config(
        config: &Config,
        db: Db,
        bus: SharedBus,
        blobs: SharedBlobStore,
        stages: &[Stage],
        progress: Option<TranscriptionProgress>,
    ) -> Result<Self, PipelineError> {
        let models = ModelStore::from_config(&config.data_dir, config.models_dir.as_deref());
        let mut built: Vec<(Stage, QueueSpec, Arc<dyn Handler>, usize)> = Vec::new();
        let mut printer = None;
        for &stage in stages {
            match stage {
                Stage::Transcription => {
                    let t = &config.transcription;
                    let mut options = TranscribeOptions {
                        language: (t.language != "auto").then(|| t.language.clone()),
                        initial_prompt: t.prompt.clone(),
                        ..TranscribeOptions::default()
                    };
                    options.search.beam_size = t.beam.max(1);
                    let (store, model, vad) = (models.clone(), t.model.clone(), t.vad);
                    let per_segment = t.language_per_segment;
                    let model_options = ModelOptions::from_settings(&t.device, &t.weights, t.bf16)
                        .map_err(TranscribeError::from)?;
                    let transcriber = tokio::task::spawn_blocking(move || {
                        Transcriber::load_with(&store, &model, vad, options, &model_options)
                            .map(|t| t.with_language_per_segment(per_segment))
                    })
                    .await
                    .map_err(|e| PipelineError::Join(e.to_string()))??;
                    let mut handler = TranscriptionStage::new(
                        db.clone(),
                        blobs.clone(),
                        bus.clone(),
                        transcriber,
                        t.model.clone(),
                    );
                    if let Some(p) = &progress {
                        handler = handler.with_progress(p.clone());
                    }
                    if t.live && t.vad {
                        // One at a time: progress messages are hints, and the
                        // model serves one job at a time anyway.
                        let live = handler.live(LivePolicy::default());
                        built.push((stage, Stage::live_queue(), Arc::new(live), 1));
                    }
                    built.push((
                        stage,
                        stage.queue(),
                        Arc::new(handler),
                        t.concurrency.max(1),
                    ));
                }
                Stage::Report => {
                    let engine = engine_from_config(&config.analysis, &models)?;
                    let handler = Arc::new(ReportStage::new(
                        db.clone(),
                        blobs.clone(),
                        bus.clone(),
                        Arc::from(engine),
                        Renderer::new()?,
                        PdfPrinter::new(PdfEngine::from_config(&config.reports))?,
                        &config.reports.formats,
                        config.reports.include_transcript,
                    ));
                    printer = Some(handler.clone());
                    built.push((stage, stage.queue(), handler, 1));
                }
                Stage::Delivery => {
                    let handler = DeliveryStage::new(
                        db.clone(),
                        blobs.clone(),
                        mailer_from_config(config)?,
                        config.email.clone(),
                        Renderer::new()?,
                    );
                    built.push((stage, stage.queue(), Arc::new(handler), 4));
                }
            }
        }
        Ok(Self {
            bus,
            queue_prefix: config.bus.queue_prefix.clone(),
            consumers: built,
            printer,
        })
    }

    /// Consumes every stage's queue until `shutdown` turns true, then lets
    /// the running messages finish and closes the PDF browser.
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> Result<(), BusError> {
        let mut running = tokio::task::JoinSet::new();
        for (stage, queue, handler, concurrency) in self.consumers {
            let bus = self.bus.clone();
            let queue = queue.prefixed(&self.queue_prefix);
            let mut stop = shutdown.clone();
            running.spawn(async move {
                tracing::info!(%stage, queue = %queue.name, concurrency, "stage consuming");
                let stopped = async move {
                    let _ = stop.wait_for(|s| *s).await;
                };
                consume(bus, queue, handler, concurrency, stopped).await
            });
        }
        let mut result = Ok(());
        while let Some(done) = running.join_next().await {
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => result = Err(e),
                Err(e) => tracing::error!(error = %e, "a stage task failed"),
            }
        }
        if let Some(report) = self.printer {
            report.printer().close().await;
        }
        result
    }
}
