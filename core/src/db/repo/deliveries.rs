//! Report deliveries: each (report, recipient, channel) is claimed once and
//! sent at most once, whatever the number of redeliveries or workers.

use super::{new_id, now, Claimed, RepoError, Result};
use crate::db::entities::deliveries::{self, Channel, DeliveryStatus};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// Inserts a `pending` delivery, or returns the existing one for this report,
/// recipient and channel (with its status: a `sent` one must not be sent
/// again). Racing callers get the same row; the unique index decides.
pub async fn claim(
    db: &impl ConnectionTrait,
    report_id: Uuid,
    recipient: &str,
    channel: Channel,
    message_id: &str,
) -> Result<Claimed<deliveries::Model>> {
    use deliveries::Column as C;
    let recipient = recipient.trim().to_lowercase();
    let inserted = deliveries::Entity::insert(deliveries::ActiveModel {
        id: Set(new_id()),
        report_id: Set(report_id),
        recipient: Set(recipient.clone()),
        channel: Set(channel),
        message_id: Set(message_id.to_owned()),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([C::ReportId, C::Recipient, C::Channel])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let model = deliveries::Entity::find()
        .filter(C::ReportId.eq(report_id))
        .filter(C::Recipient.eq(recipient.clone()))
        .filter(C::Channel.eq(channel))
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("delivery", &recipient))?;
    Ok(Claimed {
        model,
        created: inserted == 1,
    })
}

/// Records a successful send. Fails with [`RepoError::Conflict`] if it was
/// already marked sent (someone else sent it).
pub async fn mark_sent(db: &impl ConnectionTrait, id: Uuid) -> Result<deliveries::Model> {
    use deliveries::Column as C;
    let res = deliveries::Entity::update_many()
        .col_expr(C::Status, Expr::value(DeliveryStatus::Sent))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::SentAt, Expr::value(now()))
        .col_expr(C::LastError, Expr::value(Option::<String>::None))
        .filter(C::Id.eq(id))
        .filter(C::Status.ne(DeliveryStatus::Sent))
        .exec(db)
        .await?;
    let model = get(db, id).await?;
    if res.rows_affected == 0 {
        return Err(RepoError::Conflict(format!(
            "delivery {id} was already sent"
        )));
    }
    Ok(model)
}

/// Records a failed attempt and its error (a `sent` delivery is left alone).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: Uuid,
    error: &str,
) -> Result<deliveries::Model> {
    record_unsent(db, id, DeliveryStatus::Failed, error).await
}

/// Records a permanent refusal and the server's answer: the delivery becomes
/// `rejected` and is not tried again (a `sent` delivery is left alone).
pub async fn mark_rejected(
    db: &impl ConnectionTrait,
    id: Uuid,
    error: &str,
) -> Result<deliveries::Model> {
    record_unsent(db, id, DeliveryStatus::Rejected, error).await
}

/// Counts an attempt that did not send, with its status and error; never
/// touches a delivery already `sent`.
async fn record_unsent(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: DeliveryStatus,
    error: &str,
) -> Result<deliveries::Model> {
    use deliveries::Column as C;
    deliveries::Entity::update_many()
        .col_expr(C::Status, Expr::value(status))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::LastError, Expr::value(error.to_owned()))
        .filter(C::Id.eq(id))
        .filter(C::Status.ne(DeliveryStatus::Sent))
        .exec(db)
        .await?;
    get(db, id).await
}

/// The delivery `id`.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<deliveries::Model> {
    deliveries::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RepoError::not_found("delivery", id))
}

/// The deliveries of a report.
pub async fn list_for_report(
    db: &impl ConnectionTrait,
    report_id: Uuid,
) -> Result<Vec<deliveries::Model>> {
    Ok(deliveries::Entity::find()
        .filter(deliveries::Column::ReportId.eq(report_id))
        .order_by_asc(deliveries::Column::Recipient)
        .all(db)
        .await?)
}
