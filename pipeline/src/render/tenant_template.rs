//! A tenant's own templates: checked when saved, so a broken one is refused
//! with its line and column instead of failing the next meeting's report.

use super::{compile_template, TemplateError};
use mymeet_core::db::entities::report_templates;
use mymeet_core::db::repo::{reports, RepoError};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Why a template was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveTemplateError {
    /// The template does not compile or renders unsafely.
    #[error("template {name:?} refused: {source}")]
    Invalid {
        /// The template's name.
        name: String,
        /// Where and why.
        #[source]
        source: TemplateError,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] RepoError),
}

/// Checks `body` and stores it as `tenant_id`'s template `name` (`summary`
/// replaces the built-in summary's HTML), replacing the body it had.
pub async fn save_tenant_template(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    name: &str,
    body: &str,
) -> Result<report_templates::Model, SaveTemplateError> {
    compile_template(body).map_err(|source| SaveTemplateError::Invalid {
        name: name.to_owned(),
        source,
    })?;
    Ok(
        match reports::find_template(db, Some(tenant_id), name).await? {
            Some(existing) => reports::update_template_body(db, existing.id, body).await?,
            None => {
                reports::create_template(
                    db,
                    reports::NewTemplate {
                        tenant_id: Some(tenant_id),
                        name,
                        kind: "html",
                        locale: "any",
                        body,
                    },
                )
                .await?
            }
        },
    )
}
