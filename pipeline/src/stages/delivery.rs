//! `report.ready` → one email per recipient, exactly once each.
//!
//! The analysis is read back from the report's JSON file, so the email shows
//! exactly what the stored report says; the body is the summary without the
//! transcript, the PDF (and, when configured, the DOCX) is attached.

use super::StageFailure;
use crate::analysis::MeetingReport;
use crate::delivery::{
    deliver, recipients, Attachment, DeliveryError, DeliveryOutcome, EmailMessage, Mailer,
};
use crate::render::{RenderOptions, Renderer};
use async_trait::async_trait;
use mymeet_core::blob::{BlobKey, SharedBlobStore};
use mymeet_core::bus::messages::ReportReadyV1;
use mymeet_core::bus::{Envelope, Handler, HandlerError};
use mymeet_core::config::EmailConfig;
use mymeet_core::db::entities::reports::{self, ReportFormat};
use mymeet_core::db::repo;
use mymeet_core::db::Db;

/// The delivery stage.
pub struct DeliveryStage {
    db: Db,
    blobs: SharedBlobStore,
    mailer: Box<dyn Mailer>,
    email: EmailConfig,
    renderer: Renderer,
}

impl DeliveryStage {
    /// A stage that sends with `mailer` under the `[email]` policy.
    pub fn new(
        db: Db,
        blobs: SharedBlobStore,
        mailer: Box<dyn Mailer>,
        email: EmailConfig,
        renderer: Renderer,
    ) -> Self {
        Self {
            db,
            blobs,
            mailer,
            email,
            renderer,
        }
    }

    async fn file(&self, report: &reports::Model) -> Result<Vec<u8>, HandlerError> {
        let key = BlobKey::new(report.blob_key.clone())
            .map_err(|e| HandlerError::Reject(format!("report {}: {e}", report.id)))?;
        Ok(self
            .blobs
            .get(&key)
            .await
            .map_err(StageFailure::into_handler_error)?
            .to_vec())
    }

    async fn message(
        &self,
        analysis: &MeetingReport,
        files: &[reports::Model],
    ) -> Result<EmailMessage, HandlerError> {
        let body = RenderOptions {
            include_transcript: false,
            ..RenderOptions::default()
        };
        let render_failed = |e| HandlerError::Reject(format!("rendering the email: {e}"));
        let html = self.renderer.html(analysis, &body).map_err(render_failed)?;
        let text = self
            .renderer
            .markdown(analysis, &body)
            .map_err(render_failed)?;
        let mut wanted = vec![ReportFormat::Pdf];
        if self.email.attach_docx {
            wanted.push(ReportFormat::Docx);
        }
        let mut attachments = Vec::new();
        for format in wanted {
            let Some(file) = files.iter().find(|r| r.format == format) else {
                tracing::warn!(?format, "report format not rendered; not attached");
                continue;
            };
            let (extension, mime) = crate::render::file_type(format);
            attachments.push(Attachment {
                filename: format!("{}.{extension}", file_stem(&analysis.meeting.title)),
                mime: mime.to_owned(),
                bytes: self.file(file).await?,
            });
        }
        Ok(EmailMessage {
            from: self.email.from.clone(),
            meeting_title: analysis.meeting.title.clone(),
            meeting_date: analysis.meeting.started_at.date_naive(),
            language: analysis.meeting.language.clone(),
            html,
            text,
            attachments,
        })
    }
}

/// A file name from a meeting title: letters, digits and dashes.
fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "meeting-report".into()
    } else {
        stem
    }
}

#[async_trait]
impl Handler for DeliveryStage {
    async fn handle(&self, envelope: &Envelope) -> Result<(), HandlerError> {
        let msg: ReportReadyV1 = envelope
            .decode()
            .map_err(StageFailure::into_handler_error)?;
        let fail = StageFailure::into_handler_error;
        let report = repo::reports::get(&self.db, msg.report_id)
            .await
            .map_err(fail)?;
        let files = repo::reports::list_for_transcript(&self.db, report.transcript_id)
            .await
            .map_err(fail)?;
        let json = files
            .iter()
            .find(|r| r.format == ReportFormat::Json)
            .ok_or_else(|| {
                HandlerError::Reject(format!(
                    "transcript {} has no JSON report to build the email from",
                    report.transcript_id
                ))
            })?;
        let analysis: MeetingReport =
            serde_json::from_slice(&self.file(json).await?).map_err(|e| {
                HandlerError::Reject(format!("report {}: unreadable JSON: {e}", json.id))
            })?;
        let transcript = repo::transcripts::get(&self.db, report.transcript_id)
            .await
            .map_err(fail)?;
        let recording = repo::recordings::get(&self.db, transcript.recording_id)
            .await
            .map_err(fail)?;
        let to = recipients(&self.db, recording.bot_id, &self.email)
            .await
            .map_err(|e| HandlerError::Retry(format!("finding recipients: {e}")))?;
        if to.is_empty() {
            tracing::warn!(bot = %recording.bot_id, "no recipients for this report; nothing sent");
            return Ok(());
        }
        let message = self.message(&analysis, &files).await?;
        // Serve every recipient before deciding: one bad address must not
        // hold back the others, and a retry skips those already sent.
        let mut retry = Vec::new();
        for recipient in &to {
            match deliver(
                &self.db,
                self.mailer.as_ref(),
                report.id,
                recipient,
                &message,
            )
            .await
            {
                Ok(DeliveryOutcome::Sent { .. } | DeliveryOutcome::AlreadySent { .. }) => {}
                Err(e @ DeliveryError::Permanent { .. }) => {
                    tracing::warn!(%recipient, error = %e, "report not delivered: the server refused it");
                }
                Err(e) => retry.push(format!("{recipient}: {e}")),
            }
        }
        if retry.is_empty() {
            Ok(())
        } else {
            Err(HandlerError::Retry(retry.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_keep_letters_of_any_script() {
        assert_eq!(file_stem("Weekly sync: Q3 / plans"), "Weekly-sync-Q3-plans");
        assert_eq!(file_stem("Планёрка"), "Планёрка");
        assert_eq!(file_stem("???"), "meeting-report");
    }
}
