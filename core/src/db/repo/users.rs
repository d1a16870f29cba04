//! Users of a tenant.

use super::{new_id, now, unique_to_conflict, RepoError, Result};
use crate::db::entities::users;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// The form in which emails are stored and compared: trimmed, lower-case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Creates a user; an email already used in the tenant is a [`RepoError::Conflict`].
pub async fn create(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    email: &str,
    name: &str,
) -> Result<users::Model> {
    let email = normalize_email(email);
    users::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant_id),
        email: Set(email.clone()),
        name: Set(name.to_owned()),
        created_at: Set(now()),
    }
    .insert(db)
    .await
    .map_err(|e| unique_to_conflict(e, || format!("user {email} already exists in the tenant")))
}

/// The user `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<users::Model> {
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("user", id))
}

/// The user of `tenant_id` with `email` (compared case-insensitively), if any.
pub async fn by_email(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    email: &str,
) -> Result<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::TenantId.eq(tenant_id))
        .filter(users::Column::Email.eq(normalize_email(email)))
        .one(db)
        .await?)
}

/// The users of a tenant, by email.
pub async fn list_for_tenant(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<Vec<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::TenantId.eq(tenant_id))
        .order_by_asc(users::Column::Email)
        .all(db)
        .await?)
}
