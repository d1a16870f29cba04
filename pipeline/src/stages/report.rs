//! `transcript.ready` → analysis → rendered files → `report.ready`.
//!
//! Every format is stored once per transcript (a row per format, unique in
//! the database); a redelivered message renders only what is missing and
//! publishes `report.ready` again, which the delivery stage treats as a no-op
//! for recipients already served.

use super::StageFailure;
use crate::analysis::{AnalysisEngine, AnalysisInput, MeetingInfo};
use crate::render::{render_report, PdfPrinter, RenderOptions, Renderer};
use crate::transcript::Segment;
use async_trait::async_trait;
use mymeet_core::blob::{layout, SharedBlobStore};
use mymeet_core::bus::messages::{ReportReadyV1, TranscriptReadyV1};
use mymeet_core::bus::{Envelope, Handler, HandlerError, SharedBus};
use mymeet_core::db::entities::reports::{self, ReportFormat};
use mymeet_core::db::entities::{transcript_segments, transcripts};
use mymeet_core::db::repo;
use mymeet_core::db::Db;
use std::sync::Arc;
use uuid::Uuid;

/// The name every report file of the built-in summary is stored under.
const REPORT_NAME: &str = "report";

/// The report stage: one engine, renderer and PDF printer serve every message.
pub struct ReportStage {
    db: Db,
    blobs: SharedBlobStore,
    bus: SharedBus,
    engine: Arc<dyn AnalysisEngine>,
    renderer: Renderer,
    printer: PdfPrinter,
    formats: Vec<ReportFormat>,
    include_transcript: bool,
}

impl ReportStage {
    /// A stage that renders `formats` (JSON is always added: the delivery
    /// stage reads the analysis back from it).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        db: Db,
        blobs: SharedBlobStore,
        bus: SharedBus,
        engine: Arc<dyn AnalysisEngine>,
        renderer: Renderer,
        printer: PdfPrinter,
        formats: &[ReportFormat],
        include_transcript: bool,
    ) -> Self {
        let mut formats = formats.to_vec();
        if !formats.contains(&ReportFormat::Json) {
            formats.push(ReportFormat::Json);
        }
        Self {
            db,
            blobs,
            bus,
            engine,
            renderer,
            printer,
            formats,
            include_transcript,
        }
    }

    /// The PDF printer (to close its browser on shutdown).
    pub fn printer(&self) -> &PdfPrinter {
        &self.printer
    }

    async fn publish_ready(
        &self,
        stored: &[reports::Model],
        transcript_id: Uuid,
    ) -> Result<(), HandlerError> {
        let primary = stored
            .iter()
            .find(|r| r.format == ReportFormat::Html)
            .or_else(|| stored.first())
            .ok_or_else(|| HandlerError::Retry("no report was stored".into()))?;
        let ready = ReportReadyV1 {
            report_id: primary.id,
            transcript_id,
        };
        self.bus
            .publish(&Envelope::new(&ready))
            .await
            .map_err(StageFailure::into_handler_error)
    }

    /// What the analysis needs: the meeting's facts and the segments.
    async fn analysis_input(
        &self,
        transcript: &transcripts::Model,
    ) -> Result<(AnalysisInput, Uuid), HandlerError> {
        let db = &self.db;
        let fail = StageFailure::into_handler_error;
        let recording = repo::recordings::get(db, transcript.recording_id)
            .await
            .map_err(fail)?;
        let bot = repo::bots::get(db, recording.bot_id).await.map_err(fail)?;
        let meeting = repo::meetings::get(db, bot.meeting_id)
            .await
            .map_err(fail)?;
        let rows = repo::transcripts::segments(db, transcript.id)
            .await
            .map_err(fail)?;
        let info = MeetingInfo {
            title: meeting.title.clone(),
            started_at: meeting.starts_at,
            duration_secs: recording.duration_ms as f64 / 1000.0,
            platform: Some(meeting.platform.clone()),
            meeting_url: Some(meeting.meeting_url.clone()),
            language: transcript.language.clone(),
        };
        let segments = rows
            .into_iter()
            .map(|row| segment_of(row, &transcript.language))
            .collect();
        Ok((AnalysisInput::new(info, segments), meeting.tenant_id))
    }
}

fn segment_of(row: transcript_segments::Model, language: &str) -> Segment {
    Segment {
        start: row.start_ms as f64 / 1000.0,
        end: row.end_ms as f64 / 1000.0,
        speaker: row.speaker,
        text: row.text,
        confidence: row.confidence.unwrap_or(0.0) as f32,
        language: row.language.unwrap_or_else(|| language.to_owned()),
    }
}

#[async_trait]
impl Handler for ReportStage {
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let msg: TranscriptReadyV1 = envelope
            .decode()
            .map_err(StageFailure::into_handler_error)?;
        let fail = StageFailure::into_handler_error;
        let transcript = repo::transcripts::get(&self.db, msg.transcript_id)
            .await
            .map_err(fail)?;
        let mut stored = repo::reports::list_for_transcript(&self.db, transcript.id)
            .await
            .map_err(fail)?;
        let missing: Vec<ReportFormat> = self
            .formats
            .iter()
            .copied()
            .filter(|f| !stored.iter().any(|r| r.format == *f))
            .collect();
        if missing.is_empty() {
            tracing::info!(transcript = %transcript.id, "report already rendered; publishing again");
            return self.publish_ready(&stored, transcript.id).await;
        }
        let started = std::time::Instant::now();
        let (input, tenant_id) = self.analysis_input(&transcript).await?;
        let report = self.engine.analyse(&input).await.map_err(|e| {
            HandlerError::Retry(format!("analysing transcript {}: {e}", transcript.id))
        })?;
        let custom = repo::reports::find_template(&self.db, Some(tenant_id), "summary")
            .await
            .map_err(fail)?;
        let options = RenderOptions {
            custom_html: custom.as_ref().map(|t| t.body.clone()),
            include_transcript: self.include_transcript,
            ..RenderOptions::default()
        };
        let rendered = render_report(&self.renderer, &self.printer, &report, &missing, &options)
            .await
            .map_err(|e| {
                HandlerError::Retry(format!("rendering transcript {}: {e}", transcript.id))
            })?;
        for file in rendered {
            let key = layout::report_file(transcript.id, REPORT_NAME, file.extension)
                .map_err(|e| HandlerError::Reject(e.to_string()))?;
            self.blobs
                .put(&key, file.bytes.into())
                .await
                .map_err(StageFailure::into_handler_error)?;
            let row = repo::reports::insert_if_absent(
                &self.db,
                transcript.id,
                file.format,
                key.as_str(),
                custom.as_ref().map(|t| t.id),
            )
            .await
            .map_err(fail)?;
            stored.push(row.model);
        }
        tracing::info!(
            transcript = %transcript.id,
            engine = %report.engine,
            formats = missing.len(),
            seconds = started.elapsed().as_secs_f64(),
            "report rendered"
        );
        self.publish_ready(&stored, transcript.id).await
    }
}
