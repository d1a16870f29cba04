//! `mymeet templates`: a tenant's own report templates, checked when saved
//! so that a broken one is refused with its line and column instead of
//! failing the next meeting's report.

use super::migrate::open_migrated;
use anyhow::{bail, Context};
use clap::Subcommand;
use mymeet_core::config::Config;
use mymeet_core::db::{entities::tenants, repo, Db};
use mymeet_pipeline::render::{
    compile_template, save_tenant_template, SaveTemplateError, TemplateError,
};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Options of `mymeet templates`.
#[derive(Debug, clap::Args)]
pub struct TemplatesArgs {
    /// What to do with the templates.
    #[command(subcommand)]
    pub action: TemplatesAction,
}

/// The `templates` subcommands.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// Check a handlebars file and store it as a tenant's template (`summary`
    /// shapes the HTML and PDF report and the email of its next meetings).
    Save {
        /// The tenant: its slug or id.
        #[arg(long)]
        tenant: String,
        /// The template's name.
        #[arg(long, default_value = "summary")]
        name: String,
        /// The handlebars file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Check a handlebars file without storing it.
    Check {
        /// The handlebars file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// List a tenant's own templates.
    List {
        /// The tenant: its slug or id.
        #[arg(long)]
        tenant: String,
    },
}

/// Runs `mymeet templates`.
pub async fn run(config: &Config, args: TemplatesArgs) -> anyhow::Result<()> {
    match args.action {
        TemplatesAction::Check { file } => {
            let body = read(&file)?;
            compile_template(&body).map_err(|e| refused(&file, &e))?;
            println!("{}: ok", file.display());
        }
        TemplatesAction::Save { tenant, name, file } => {
            let body = read(&file)?;
            let db = open_migrated(config).await?;
            let tenant = find_tenant(&db, &tenant).await?;
            match save_tenant_template(&db, tenant.id, &name, &body).await {
                Ok(saved) => println!("saved template {name:?} for {} ({})", tenant.slug, saved.id),
                Err(SaveTemplateError::Invalid { source, .. }) => {
                    return Err(refused(&file, &source))
                }
                Err(e) => return Err(e).context("storing the template"),
            }
        }
        TemplatesAction::List { tenant } => {
            let db = open_migrated(config).await?;
            let tenant = find_tenant(&db, &tenant).await?;
            let templates = repo::reports::list_templates(&db, Some(tenant.id)).await?;
            if templates.is_empty() {
                println!("{} uses the built-in templates", tenant.slug);
            }
            for t in templates {
                println!(
                    "{:<12} {:<6} {} bytes, updated {}",
                    t.name,
                    t.kind,
                    t.body.len(),
                    t.updated_at
                );
            }
        }
    }
    Ok(())
}

fn read(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

/// `FILE:LINE:COLUMN: message`, the way compilers point at a fault.
fn refused(file: &Path, e: &TemplateError) -> anyhow::Error {
    let position = match (e.line, e.column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    };
    anyhow::anyhow!(
        "{}{position}: template refused: {}",
        file.display(),
        e.message
    )
}

/// A tenant by slug or id; an unknown one lists those that exist.
async fn find_tenant(db: &Db, wanted: &str) -> anyhow::Result<tenants::Model> {
    let found = match Uuid::parse_str(wanted) {
        Ok(id) => repo::tenants::get(db, id).await.ok(),
        Err(_) => repo::tenants::by_slug(db, wanted).await?,
    };
    if let Some(tenant) = found {
        return Ok(tenant);
    }
    let known: Vec<String> = repo::tenants::list(db)
        .await?
        .into_iter()
        .map(|t| t.slug)
        .collect();
    if known.is_empty() {
        bail!("no tenant {wanted:?}: this database has no tenants yet");
    }
    bail!("no tenant {wanted:?}; tenants: {}", known.join(", "))
}
