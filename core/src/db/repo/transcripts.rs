//! Transcripts and their segments: at most one transcript per recording.

use super::{new_id, now, Claimed, RepoError, Result};
use crate::db::entities::{transcript_segments, transcripts};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

/// What describes a transcript as a whole.
#[derive(Debug, Clone)]
pub struct NewTranscript<'a> {
    /// The recording transcribed.
    pub recording_id: Uuid,
    /// The language, e.g. `en`.
    pub language: &'a str,
    /// The detector's confidence in `language`.
    pub language_probability: Option<f64>,
    /// The model that wrote it.
    pub model: &'a str,
}

/// One timed utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSegment {
    /// Start, milliseconds from the start of the recording.
    pub start_ms: i64,
    /// End, milliseconds from the start of the recording.
    pub end_ms: i64,
    /// Who spoke, when known.
    pub speaker: Option<String>,
    /// What was said.
    pub text: String,
    /// The recognizer's confidence.
    pub confidence: Option<f64>,
    /// The segment's language, when it differs from the transcript's.
    pub language: Option<String>,
}

/// Stores the transcript and its segments (numbered in the given order) in one
/// transaction, or returns the transcript already stored for the recording,
/// unchanged (`created: false`), which makes redelivered work idempotent.
pub async fn insert_if_absent<C>(
    db: &C,
    new: NewTranscript<'_>,
    segments: &[NewSegment],
) -> Result<Claimed<transcripts::Model>>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let id = new_id();
    let inserted = transcripts::Entity::insert(transcripts::ActiveModel {
        id: Set(id),
        recording_id: Set(new.recording_id),
        language: Set(new.language.to_owned()),
        language_probability: Set(new.language_probability),
        model: Set(new.model.to_owned()),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(transcripts::Column::RecordingId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 1 && !segments.is_empty() {
        let rows = segments
            .iter()
            .enumerate()
            .map(|(idx, s)| {
                Ok(transcript_segments::ActiveModel {
                    id: Set(new_id()),
                    transcript_id: Set(id),
                    idx: Set(i32::try_from(idx).map_err(|_| RepoError::Corrupt {
                        what: "transcript segments",
                        message: format!("too many segments ({})", segments.len()),
                    })?),
                    start_ms: Set(s.start_ms),
                    end_ms: Set(s.end_ms),
                    speaker: Set(s.speaker.clone()),
                    text: Set(s.text.clone()),
                    confidence: Set(s.confidence),
                    language: Set(s.language.clone()),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Keep each statement well under SQLite's and PostgreSQL's bind-parameter limits.
        for chunk in rows.chunks(500) {
            transcript_segments::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
    }
    let model = for_recording(&txn, new.recording_id)
        .await?
        .ok_or_else(|| RepoError::not_found("transcript of recording", new.recording_id))?;
    txn.commit().await?;
    Ok(Claimed {
        model,
        created: inserted == 1,
    })
}

/// The transcript `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<transcripts::Model> {
    transcripts::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("transcript", id))
}

/// The transcript of a recording, if stored.
pub async fn for_recording(
    db: &impl ConnectionTrait,
    recording_id: Uuid,
) -> Result<Option<transcripts::Model>> {
    Ok(transcripts::Entity::find()
        .filter(transcripts::Column::RecordingId.eq(recording_id))
        .one(db)
        .await?)
}

/// The segments of a transcript, in order.
pub async fn segments(
    db: &impl ConnectionTrait,
    transcript_id: Uuid,
) -> Result<Vec<transcript_segments::Model>> {
    Ok(transcript_segments::Entity::find()
        .filter(transcript_segments::Column::TranscriptId.eq(transcript_id))
        .order_by_asc(transcript_segments::Column::Idx)
        .all(db)
        .await?)
}
