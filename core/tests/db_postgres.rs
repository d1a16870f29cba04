//! The database round-trip suite on PostgreSQL (a database of its own per
//! test, dropped afterwards). Fails, never skips, when PostgreSQL is down.

#[path = "support/db.rs"]
mod db_support;
#[macro_use]
#[path = "support/db_suite.rs"]
mod db_suite;

use sea_orm::DatabaseConnection;

/// A fresh migrated PostgreSQL database and the guard that drops it.
async fn open() -> (DatabaseConnection, db_support::PgTestDb) {
    let pg = db_support::postgres_db().await;
    (pg.db.clone(), pg)
}

db_suite_tests!(open);

#[test]
fn database_name_is_replaced_in_urls() {
    assert_eq!(
        db_support::with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        db_support::with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        db_support::with_database("postgres://h", "x"),
        "postgres://h/x"
    );
}
