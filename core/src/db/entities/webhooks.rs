//! `webhooks`: a tenant's outgoing webhook, its signing secret sealed.

use sea_orm::entity::prelude::*;

/// A webhook. `Debug` shows the sealed secret only as a length.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant.
    pub tenant_id: Uuid,
    /// Where events are POSTed.
    pub url: String,
    /// The sealed HMAC signing secret.
    pub secret_enc: Vec<u8>,
    /// The event types it wants, a JSON list of strings (`["*"]` for all).
    #[sea_orm(column_type = "JsonBinary")]
    pub events: Json,
    /// Whether it is called.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTimeUtc,
}

impl Model {
    /// The subscribed event types.
    pub fn event_types(&self) -> Vec<String> {
        serde_json::from_value(self.events.clone()).unwrap_or_default()
    }

    /// True when it wants events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types()
            .iter()
            .any(|e| e == "*" || e == event_type)
    }
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("webhooks::Model")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("url", &self.url)
            .field(
                "secret_enc",
                &format_args!("<{} bytes>", self.secret_enc.len()),
            )
            .field("events", &self.events)
            .field("active", &self.active)
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Relations of a webhook.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tenant.
    #[sea_orm(
        belongs_to = "super::tenants::Entity",
        from = "Column::TenantId",
        to = "super::tenants::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// Its deliveries.
    #[sea_orm(has_many = "super::webhook_deliveries::Entity")]
    Deliveries,
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::webhook_deliveries::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deliveries.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
