//! `webhook_deliveries`: one event sent to one webhook, at most once.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a webhook delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    /// Claimed, not delivered yet.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The receiver answered 2xx.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// The last attempt failed.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// A webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The webhook.
    pub webhook_id: Uuid,
    /// The event's id (unique per webhook).
    pub event_id: Uuid,
    /// The event's type, e.g. `bot.state_changed`.
    pub event_type: String,
    /// Where it stands.
    pub status: WebhookDeliveryStatus,
    /// How many attempts were made.
    pub attempts: i32,
    /// The receiver's last HTTP status.
    pub response_status: Option<i32>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// When it was claimed.
    pub created_at: DateTimeUtc,
    /// When it was delivered.
    pub delivered_at: Option<DateTimeUtc>,
}

/// Relations of a webhook delivery.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The webhook.
    #[sea_orm(
        belongs_to = "super::webhooks::Entity",
        from = "Column::WebhookId",
        to = "super::webhooks::Column::Id",
        on_delete = "Cascade"
    )]
    Webhook,
}

impl Related<super::webhooks::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Webhook.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
