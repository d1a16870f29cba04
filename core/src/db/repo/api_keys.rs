//! API keys: generated once, shown once, stored as a SHA-256 hash.

use super::{new_id, now, RepoError, Result};
use crate::crypto::hash_api_key;
use crate::db::entities::api_keys;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// The text every key starts with.
pub const KEY_PREFIX: &str = "mm_";
/// How many leading characters of a key are stored in clear to tell keys apart.
pub const SHOWN_PREFIX_LEN: usize = 8;

/// A new random key: `mm_` and 32 random bytes in unpadded base64url.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Creates a key for `tenant_id` (acting as `user_id` when given); returns
/// the stored row and the key itself, which is never stored and cannot be
/// shown again.
pub async fn create(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Option<Uuid>,
    name: &str,
) -> Result<(api_keys::Model, String)> {
    let key = generate();
    let model = api_keys::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        prefix: Set(key.chars().take(SHOWN_PREFIX_LEN).collect()),
        key_hash: Set(hash_api_key(&key)),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((model, key))
}

/// The live (not revoked) key matching `plaintext`, recording its use; `None`
/// for an unknown or revoked key.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    plaintext: &str,
) -> Result<Option<api_keys::Model>> {
    if !plaintext.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let found = api_keys::Entity::find()
        .filter(api_keys::Column::KeyHash.eq(hash_api_key(plaintext)))
        .filter(api_keys::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    let Some(mut key) = found else {
        return Ok(None);
    };
    let used = now();
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::LastUsedAt, Expr::value(used))
        .filter(api_keys::Column::Id.eq(key.id))
        .exec(db)
        .await?;
    key.last_used_at = Some(used);
    Ok(Some(key))
}

/// Revokes a key (idempotent; the first revocation time is kept).
pub async fn revoke(db: &impl ConnectionTrait, id: Uuid) -> Result<api_keys::Model> {
    api_keys::Entity::update_many()
        .col_expr(api_keys::Column::RevokedAt, Expr::value(now()))
        .filter(api_keys::Column::Id.eq(id))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    get(db, id).await
}

/// The key `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<api_keys::Model> {
    api_keys::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("api key", id))
}

/// The keys of a tenant, newest first (revoked ones included).
pub async fn list_for_tenant(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<Vec<api_keys::Model>> {
    Ok(api_keys::Entity::find()
        .filter(api_keys::Column::TenantId.eq(tenant_id))
        .order_by_desc(api_keys::Column::CreatedAt)
        .order_by_desc(api_keys::Column::Id)
        .all(db)
        .await?)
}
