//! Provider events → `calendar_events` rows.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use mymeet_core::db::repo::calendar::{self, NewEvent};
use mymeet_core::db::repo::RepoError;
use mymeet_core::db::Db;
use serde_json::Value;
use uuid::Uuid;

/// The parts of an event that go into columns.
pub(crate) struct EventRow {
    pub id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub meeting_url: Option<String>,
    pub organizer: Option<String>,
    pub attendees: Value,
    pub status: String,
}

/// Writes an event; returns true.
pub(crate) async fn write(
    db: &Db,
    connection_id: Uuid,
    row: &EventRow,
    raw: Value,
) -> Result<bool, RepoError> {
    calendar::upsert_event(
        db,
        NewEvent {
            connection_id,
            provider_event_id: &row.id,
            title: &row.title,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            meeting_url: row.meeting_url.as_deref(),
            organizer_email: row.organizer.as_deref(),
            attendees: row.attendees.clone(),
            status: &row.status,
            raw,
        },
    )
    .await?;
    Ok(true)
}

/// Marks a stored event cancelled (a deletion that carries no details);
/// false when it was never stored.
pub(crate) async fn cancel(db: &Db, connection_id: Uuid, id: &str) -> Result<bool, RepoError> {
    let Some(ev) = calendar::get_event(db, connection_id, id).await? else {
        return Ok(false);
    };
    if ev.status == "cancelled" {
        return Ok(false);
    }
    calendar::upsert_event(
        db,
        NewEvent {
            connection_id,
            provider_event_id: id,
            title: &ev.title,
            starts_at: ev.starts_at,
            ends_at: ev.ends_at,
            meeting_url: ev.meeting_url.as_deref(),
            organizer_email: ev.organizer_email.as_deref(),
            attendees: ev.attendees.clone(),
            status: "cancelled",
            raw: ev.raw.clone(),
        },
    )
    .await?;
    Ok(true)
}

/// A Calendar v3 `start`/`end`: `dateTime`, or `date` for all-day events.
pub(crate) fn google_time(v: &Value) -> Option<DateTime<Utc>> {
    if let Some(t) = v["dateTime"].as_str() {
        return DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(v["date"].as_str()?, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

/// A Graph `dateTimeTimeZone` asked for in UTC.
pub(crate) fn graph_time(v: &Value) -> Option<DateTime<Utc>> {
    let t = v["dateTime"].as_str()?;
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
        .or_else(|| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}
