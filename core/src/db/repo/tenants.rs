//! Tenants.

use super::{new_id, now, unique_to_conflict, RepoError, Result};
use crate::db::entities::tenants;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// Creates a tenant; a taken `slug` is a [`RepoError::Conflict`].
pub async fn create(db: &impl ConnectionTrait, name: &str, slug: &str) -> Result<tenants::Model> {
    tenants::ActiveModel {
        id: Set(new_id()),
        name: Set(name.to_owned()),
        slug: Set(slug.to_owned()),
        created_at: Set(now()),
    }
    .insert(db)
    .await
    .map_err(|e| unique_to_conflict(e, || format!("tenant slug {slug:?} is taken")))
}

/// The tenant `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<tenants::Model> {
    tenants::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("tenant", id))
}

/// The tenant with `slug`, if any.
pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<Option<tenants::Model>> {
    Ok(tenants::Entity::find()
        .filter(tenants::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// Every tenant, by name.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<tenants::Model>> {
    Ok(tenants::Entity::find()
        .order_by_asc(tenants::Column::Name)
        .order_by_asc(tenants::Column::Id)
        .all(db)
        .await?)
}
