//! Meetings: one row per real call, found again by (tenant, URL, start).

use super::{micros, new_id, Claimed, RepoError, Result};
use crate::db::entities::meetings;
use crate::domain::Platform;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// A meeting to record.
#[derive(Debug, Clone)]
pub struct NewMeeting<'a> {
    /// The tenant.
    pub tenant_id: Uuid,
    /// The platform.
    pub platform: Platform,
    /// The join URL, already normalized by the link parser (so that two
    /// spellings of one link are one meeting).
    pub meeting_url: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Scheduled start.
    pub starts_at: DateTime<Utc>,
    /// Scheduled end.
    pub ends_at: DateTime<Utc>,
}

/// Inserts the meeting or, when the tenant already has one with this URL and
/// start, updates its title and end and returns it (`created: false`).
pub async fn upsert(
    db: &impl ConnectionTrait,
    m: NewMeeting<'_>,
) -> Result<Claimed<meetings::Model>> {
    use meetings::Column as C;
    let id = new_id();
    let starts_at = micros(m.starts_at);
    meetings::Entity::insert(meetings::ActiveModel {
        id: Set(id),
        tenant_id: Set(m.tenant_id),
        platform: Set(m.platform.as_str().to_owned()),
        meeting_url: Set(m.meeting_url.to_owned()),
        title: Set(m.title.to_owned()),
        starts_at: Set(starts_at),
        ends_at: Set(micros(m.ends_at)),
    })
    .on_conflict(
        OnConflict::columns([C::TenantId, C::MeetingUrl, C::StartsAt])
            .update_columns([C::Title, C::EndsAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let model = find(db, m.tenant_id, m.meeting_url, starts_at)
        .await?
        .ok_or_else(|| RepoError::not_found("meeting", m.meeting_url))?;
    Ok(Claimed {
        created: model.id == id,
        model,
    })
}

/// The tenant's meeting at `meeting_url` starting at `starts_at`, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    meeting_url: &str,
    starts_at: DateTime<Utc>,
) -> Result<Option<meetings::Model>> {
    Ok(meetings::Entity::find()
        .filter(meetings::Column::TenantId.eq(tenant_id))
        .filter(meetings::Column::MeetingUrl.eq(meeting_url))
        .filter(meetings::Column::StartsAt.eq(micros(starts_at)))
        .one(db)
        .await?)
}

/// The meeting `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<meetings::Model> {
    meetings::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("meeting", id))
}

/// The meetings of a tenant starting in `[from, to)`, by start.
pub async fn list_for_tenant(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<meetings::Model>> {
    Ok(meetings::Entity::find()
        .filter(meetings::Column::TenantId.eq(tenant_id))
        .filter(meetings::Column::StartsAt.gte(micros(from)))
        .filter(meetings::Column::StartsAt.lt(micros(to)))
        .order_by_asc(meetings::Column::StartsAt)
        .order_by_asc(meetings::Column::Id)
        .all(db)
        .await?)
}
