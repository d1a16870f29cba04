//! Outgoing webhooks (signing secret sealed at rest) and their deliveries,
//! one per (webhook, event).

use super::{new_id, now, Claimed, RepoError, Result};
use crate::crypto::TokenCipher;
use crate::db::entities::webhook_deliveries::{self, WebhookDeliveryStatus};
use crate::db::entities::webhooks;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// Creates an active webhook for `events` (`"*"` for all), sealing `secret`.
pub async fn create(
    db: &impl ConnectionTrait,
    cipher: &TokenCipher,
    tenant_id: Uuid,
    url: &str,
    secret: &str,
    events: &[&str],
) -> Result<webhooks::Model> {
    Ok(webhooks::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant_id),
        url: Set(url.to_owned()),
        secret_enc: Set(cipher.encrypt_str(secret)),
        events: Set(serde_json::json!(events)),
        active: Set(true),
        created_at: Set(now()),
    }
    .insert(db)
    .await?)
}

/// The webhook `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<webhooks::Model> {
    webhooks::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("webhook", id))
}

/// The opened signing secret of webhook `id`.
pub async fn secret(db: &impl ConnectionTrait, cipher: &TokenCipher, id: Uuid) -> Result<String> {
    let hook = get(db, id).await?;
    Ok(cipher.decrypt_str(&hook.secret_enc)?)
}

/// Turns webhook `id` on or off.
pub async fn set_active(
    db: &impl ConnectionTrait,
    id: Uuid,
    active: bool,
) -> Result<webhooks::Model> {
    let mut am: webhooks::ActiveModel = get(db, id).await?.into();
    am.active = Set(active);
    Ok(am.update(db).await?)
}

/// The webhooks of a tenant.
pub async fn list_for_tenant(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<Vec<webhooks::Model>> {
    Ok(webhooks::Entity::find()
        .filter(webhooks::Column::TenantId.eq(tenant_id))
        .order_by_asc(webhooks::Column::CreatedAt)
        .order_by_asc(webhooks::Column::Id)
        .all(db)
        .await?)
}

/// The tenant's active webhooks that want `event_type`.
pub async fn subscribers(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    event_type: &str,
) -> Result<Vec<webhooks::Model>> {
    // Event lists are short; filtering here keeps the query the same on both engines.
    Ok(list_for_tenant(db, tenant_id)
        .await?
        .into_iter()
        .filter(|h| h.active && h.wants(event_type))
        .collect())
}

/// Inserts a `pending` delivery of event `event_id` to `webhook_id`, or
/// returns the existing one (an event is posted to a webhook at most once).
pub async fn claim_delivery(
    db: &impl ConnectionTrait,
    webhook_id: Uuid,
    event_id: Uuid,
    event_type: &str,
) -> Result<Claimed<webhook_deliveries::Model>> {
    use webhook_deliveries::Column as C;
    let inserted = webhook_deliveries::Entity::insert(webhook_deliveries::ActiveModel {
        id: Set(new_id()),
        webhook_id: Set(webhook_id),
        event_id: Set(event_id),
        event_type: Set(event_type.to_owned()),
        status: Set(WebhookDeliveryStatus::Pending),
        attempts: Set(0),
        response_status: Set(None),
        last_error: Set(None),
        created_at: Set(now()),
        delivered_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([C::WebhookId, C::EventId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let model = webhook_deliveries::Entity::find()
        .filter(C::WebhookId.eq(webhook_id))
        .filter(C::EventId.eq(event_id))
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("webhook delivery of event", event_id))?;
    Ok(Claimed {
        model,
        created: inserted == 1,
    })
}

/// Records a 2xx answer.
pub async fn mark_delivered(
    db: &impl ConnectionTrait,
    id: Uuid,
    response_status: i32,
) -> Result<webhook_deliveries::Model> {
    use webhook_deliveries::Column as C;
    webhook_deliveries::Entity::update_many()
        .col_expr(C::Status, Expr::value(WebhookDeliveryStatus::Delivered))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::ResponseStatus, Expr::value(response_status))
        .col_expr(C::LastError, Expr::value(Option::<String>::None))
        .col_expr(C::DeliveredAt, Expr::value(now()))
        .filter(C::Id.eq(id))
        .exec(db)
        .await?;
    get_delivery(db, id).await
}

/// Records a failed attempt (the HTTP status, if one came back, and the error).
pub async fn mark_delivery_failed(
    db: &impl ConnectionTrait,
    id: Uuid,
    response_status: Option<i32>,
    error: &str,
) -> Result<webhook_deliveries::Model> {
    use webhook_deliveries::Column as C;
    webhook_deliveries::Entity::update_many()
        .col_expr(C::Status, Expr::value(WebhookDeliveryStatus::Failed))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::ResponseStatus, Expr::value(response_status))
        .col_expr(C::LastError, Expr::value(error.to_owned()))
        .filter(C::Id.eq(id))
        .filter(C::Status.ne(WebhookDeliveryStatus::Delivered))
        .exec(db)
        .await?;
    get_delivery(db, id).await
}

/// The webhook delivery `id`.
pub async fn get_delivery(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<webhook_deliveries::Model> {
    webhook_deliveries::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("webhook delivery", id))
}
