//! Report templates and rendered reports (one per transcript and format).

use super::{new_id, now, unique_to_conflict, Claimed, RepoError, Result};
use crate::db::entities::report_templates;
use crate::db::entities::reports::{self, ReportFormat};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

/// A template to store.
#[derive(Debug, Clone)]
pub struct NewTemplate<'a> {
    /// The owning tenant; `None` for a built-in template.
    pub tenant_id: Option<Uuid>,
    /// Its name, unique per tenant (and among built-ins).
    pub name: &'a str,
    /// What it renders (`summary`, `full`, `email`, ...).
    pub kind: &'a str,
    /// Locale, e.g. `en`.
    pub locale: &'a str,
    /// The template source.
    pub body: &'a str,
}

/// Creates a template; a name already used by the tenant (or, for built-ins,
/// by another built-in) is a [`RepoError::Conflict`].
pub async fn create_template(
    db: &impl ConnectionTrait,
    new: NewTemplate<'_>,
) -> Result<report_templates::Model> {
    let conflict = || format!("report template {:?} already exists", new.name);
    // The unique index does not cover NULL tenant ids (NULLs are distinct).
    if new.tenant_id.is_none() && find_template(db, None, new.name).await?.is_some() {
        return Err(RepoError::Conflict(conflict()));
    }
    let t = now();
    report_templates::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(new.tenant_id),
        name: Set(new.name.to_owned()),
        kind: Set(new.kind.to_owned()),
        locale: Set(new.locale.to_owned()),
        body: Set(new.body.to_owned()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await
    .map_err(|e| unique_to_conflict(e, conflict))
}

/// The template `id`.
pub async fn get_template(db: &impl ConnectionTrait, id: Uuid) -> Result<report_templates::Model> {
    report_templates::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("report template", id))
}

/// The template named `name` of exactly `tenant_id` (`None`: built-in).
pub async fn find_template(
    db: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    name: &str,
) -> Result<Option<report_templates::Model>> {
    let owner = match tenant_id {
        Some(t) => report_templates::Column::TenantId.eq(t),
        None => report_templates::Column::TenantId.is_null(),
    };
    Ok(report_templates::Entity::find()
        .filter(owner)
        .filter(report_templates::Column::Name.eq(name))
        .one(db)
        .await?)
}

/// The template a tenant renders `name` with: its own, else the built-in one.
pub async fn resolve_template(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &str,
) -> Result<Option<report_templates::Model>> {
    if let Some(own) = find_template(db, Some(tenant_id), name).await? {
        return Ok(Some(own));
    }
    find_template(db, None, name).await
}

/// The templates a tenant can use (its own and the built-ins), by name.
pub async fn list_templates(
    db: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
) -> Result<Vec<report_templates::Model>> {
    let mut visible = Condition::any().add(report_templates::Column::TenantId.is_null());
    if let Some(t) = tenant_id {
        visible = visible.add(report_templates::Column::TenantId.eq(t));
    }
    Ok(report_templates::Entity::find()
        .filter(visible)
        .order_by_asc(report_templates::Column::Name)
        .order_by_asc(report_templates::Column::Id)
        .all(db)
        .await?)
}

/// Replaces the body of template `id`.
pub async fn update_template_body(
    db: &impl ConnectionTrait,
    id: Uuid,
    body: &str,
) -> Result<report_templates::Model> {
    let mut am: report_templates::ActiveModel = get_template(db, id).await?.into();
    am.body = Set(body.to_owned());
    am.updated_at = Set(now());
    Ok(am.update(db).await?)
}

/// Stores a rendered report, or returns the one already stored for this
/// transcript and format (rendering again stores nothing twice).
pub async fn insert_if_absent(
    db: &impl ConnectionTrait,
    transcript_id: Uuid,
    format: ReportFormat,
    blob_key: &str,
    template_id: Option<Uuid>,
) -> Result<Claimed<reports::Model>> {
    let inserted = reports::Entity::insert(reports::ActiveModel {
        id: Set(new_id()),
        transcript_id: Set(transcript_id),
        format: Set(format),
        blob_key: Set(blob_key.to_owned()),
        template_id: Set(template_id),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([reports::Column::TranscriptId, reports::Column::Format])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let model = reports::Entity::find()
        .filter(reports::Column::TranscriptId.eq(transcript_id))
        .filter(reports::Column::Format.eq(format))
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("report of transcript", transcript_id))?;
    Ok(Claimed {
        model,
        created: inserted == 1,
    })
}

/// The report `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<reports::Model> {
    reports::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("report", id))
}

/// The reports of a transcript.
pub async fn list_for_transcript(
    db: &impl ConnectionTrait,
    transcript_id: Uuid,
) -> Result<Vec<reports::Model>> {
    Ok(reports::Entity::find()
        .filter(reports::Column::TranscriptId.eq(transcript_id))
        .order_by_asc(reports::Column::CreatedAt)
        .order_by_asc(reports::Column::Id)
        .all(db)
        .await?)
}
