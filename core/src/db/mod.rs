//! The database: sea-orm entities, migrations and repositories, the same on
//! SQLite (embedded default) and PostgreSQL.

pub mod entities;
pub mod migration;
pub mod repo;

use crate::config::{Config, DatabaseKind};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

pub use sea_orm::DatabaseConnection as Db;

/// Opens a connection pool to the configured database, creating the SQLite
/// file and its folder when needed.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    let url = config.database_url();
    if config.database_kind().ok() == Some(DatabaseKind::Sqlite) {
        if let Some(path) = sqlite_path(&url) {
            if let Some(dir) = std::path::Path::new(path).parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
    }
    connect_url(&url, config.database.max_connections).await
}

/// Opens a connection pool to `url`.
pub async fn connect_url(
    url: &str,
    max_connections: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections.unwrap_or(10))
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // Per connection, not once: WAL lets readers run beside the one
        // writer; the busy timeout makes concurrent writers wait instead of
        // failing with SQLITE_BUSY; foreign keys make cascades real.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(opts).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    migration::Migrator::up(db, None).await
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}
