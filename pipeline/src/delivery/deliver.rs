//! [`deliver`]: one report to one recipient, exactly once.

use super::mailer::{Mailer, SendError};
use super::message::{compose, EmailMessage};
use super::message_id::stable_message_id;
use mymeet_core::db::entities::deliveries::{Channel, DeliveryStatus};
use mymeet_core::db::repo::{deliveries, RepoError};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// What [`deliver`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Sent now (and marked sent).
    Sent {
        /// The deliveries row.
        delivery_id: Uuid,
        /// The Message-ID it went out with.
        message_id: String,
    },
    /// An earlier attempt already sent it; nothing was sent.
    AlreadySent {
        /// The deliveries row.
        delivery_id: Uuid,
        /// The Message-ID it went out with.
        message_id: String,
    },
}

/// Why [`deliver`] did not send.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying later (the bus does so with back-off); recorded on the
    /// row as a failed attempt.
    #[error("delivery {delivery_id} failed, will retry: {error}")]
    Transient {
        /// The deliveries row.
        delivery_id: Uuid,
        /// What went wrong.
        error: String,
    },
    /// Never worth retrying; the row is `rejected` with the server's answer,
    /// and later calls return this again without sending.
    #[error("delivery {delivery_id} rejected: {answer}")]
    Permanent {
        /// The deliveries row.
        delivery_id: Uuid,
        /// The server's answer (or why the message could not be built).
        answer: String,
    },
    /// The database failed; retrying may help.
    #[error(transparent)]
    Db(#[from] RepoError),
}

impl DeliveryError {
    /// Whether a retry could succeed (everything but [`DeliveryError::Permanent`]).
    pub fn is_retryable(&self) -> bool {
        !matches!(self, DeliveryError::Permanent { .. })
    }
}

/// Sends `message` to `recipient` as the delivery of `report_id`, at most
/// once however often it is called.
///
/// 1. Claims the (report, recipient, email) row, creating it `pending` with a
///    stable Message-ID on the first call. A `sent` row returns
///    [`DeliveryOutcome::AlreadySent`]; a `rejected` one returns
///    [`DeliveryError::Permanent`] again; neither sends anything.
/// 2. Composes the email with the row's Message-ID and sends it.
/// 3. Marks the row `sent`, or records the failure: `failed` (transient, the
///    caller retries) or `rejected` (permanent, with the server's answer).
///
/// A crash between 2 and 3 sends the same message, same Message-ID, again on
/// the next call; see the [module documentation](super) for why that is the
/// narrowest window SMTP allows.
pub async fn deliver(
    db: &impl ConnectionTrait,
    mailer: &dyn Mailer,
    report_id: Uuid,
    recipient: &str,
    message: &EmailMessage,
) -> Result<DeliveryOutcome, DeliveryError> {
    let fresh_id = stable_message_id(report_id, recipient, &message.from);
    let row = deliveries::claim(db, report_id, recipient, Channel::Email, &fresh_id)
        .await?
        .model;
    let delivery_id = row.id;
    match row.status {
        DeliveryStatus::Sent => {
            tracing::info!(%delivery_id, recipient = %row.recipient, "already sent; not sending again");
            return Ok(DeliveryOutcome::AlreadySent {
                delivery_id,
                message_id: row.message_id,
            });
        }
        DeliveryStatus::Rejected => {
            return Err(DeliveryError::Permanent {
                delivery_id,
                answer: row.last_error.unwrap_or_default(),
            });
        }
        DeliveryStatus::Pending | DeliveryStatus::Failed => {}
    }
    // The row's id, not the fresh one: it must stay what the first attempt used.
    let email = match compose(message, &row.recipient, &row.message_id) {
        Ok(email) => email,
        Err(e) => return Err(reject(db, delivery_id, e.to_string()).await?),
    };
    match mailer.send(&email).await {
        Ok(()) => {}
        Err(SendError::Permanent(answer)) => return Err(reject(db, delivery_id, answer).await?),
        Err(SendError::Transient(error)) => {
            deliveries::mark_failed(db, delivery_id, &error).await?;
            return Err(DeliveryError::Transient { delivery_id, error });
        }
    }
    match deliveries::mark_sent(db, delivery_id).await {
        Ok(_) => {
            tracing::info!(%delivery_id, recipient = %row.recipient, via = %mailer.describe(), "report delivered");
            Ok(DeliveryOutcome::Sent {
                delivery_id,
                message_id: row.message_id,
            })
        }
        // A concurrent attempt (a redelivery whose first consumer was still
        // alive) marked it first; both sent the same Message-ID.
        Err(e) if e.is_conflict() => Ok(DeliveryOutcome::AlreadySent {
            delivery_id,
            message_id: row.message_id,
        }),
        Err(e) => Err(e.into()),
    }
}

/// Records a permanent failure and returns the error for it.
async fn reject(
    db: &impl ConnectionTrait,
    delivery_id: Uuid,
    answer: String,
) -> Result<DeliveryError, RepoError> {
    tracing::warn!(%delivery_id, %answer, "delivery rejected for good");
    deliveries::mark_rejected(db, delivery_id, &answer).await?;
    Ok(DeliveryError::Permanent {
        delivery_id,
        answer,
    })
}
