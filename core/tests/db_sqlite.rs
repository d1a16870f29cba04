//! The database round-trip suite on SQLite (a fresh file per test).

#[path = "support/db.rs"]
mod db_support;
#[macro_use]
#[path = "support/db_suite.rs"]
mod db_suite;

use sea_orm::DatabaseConnection;

/// A fresh migrated SQLite database and the folder that must outlive it.
async fn open() -> (DatabaseConnection, tempfile::TempDir) {
    db_support::sqlite_db().await
}

db_suite_tests!(open);
