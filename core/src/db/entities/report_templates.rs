//! `report_templates`: handlebars templates for reports; `tenant_id` null = built-in.

use sea_orm::entity::prelude::*;

/// A report template.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_templates")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The tenant that owns it; `None` for a built-in template.
    pub tenant_id: Option<Uuid>,
    /// Its name, unique per tenant.
    pub name: String,
    /// What it renders (e.g. `summary`, `full`, `email`).
    pub kind: String,
    /// Locale, e.g. `en` or `ru`.
    pub locale: String,
    /// The template source.
    pub body: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a template.
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
}

impl Related<super::tenants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
