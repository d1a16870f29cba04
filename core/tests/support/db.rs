//! Fresh, migrated databases for tests: a SQLite file per test, or a
//! uniquely named PostgreSQL database dropped when the test ends.
#![allow(dead_code)]

use mymeet_core::db::{connect_url, migrate};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::ops::Deref;
use tempfile::TempDir;
use uuid::Uuid;

/// The server the PostgreSQL tests use unless `MYMEET_TEST_POSTGRES_URL` names another.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A new SQLite file in a temporary folder, migrated; keep the folder alive.
pub async fn sqlite_db() -> (DatabaseConnection, TempDir) {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = connect_url(&url, Some(8))
        .await
        .unwrap_or_else(|e| panic!("open SQLite at {url}: {e}"));
    migrate(&db).await.expect("migrate the SQLite database");
    (db, dir)
}

/// A PostgreSQL database of its own for one test, dropped (best effort) on drop.
pub struct PgTestDb {
    /// The connection to the test database.
    pub db: DatabaseConnection,
    /// The database's name.
    pub name: String,
    admin_url: String,
}

impl Deref for PgTestDb {
    type Target = DatabaseConnection;

    fn deref(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// `url` with its database name replaced by `name` (query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// A new database `mymeet_test_<uuid>` on the test server, migrated. Panics
/// with a clear message when the server cannot be reached: these tests never
/// skip silently.
pub async fn postgres_db() -> PgTestDb {
    let admin_url = std::env::var("MYMEET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
    let admin = connect_url(&admin_url, Some(1)).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {admin_url}: {e}\n\
             Start it (trust auth for user postgres on 127.0.0.1:5432) or set \
             MYMEET_TEST_POSTGRES_URL to a server where the user may CREATE DATABASE."
        )
    });
    let name = format!("mymeet_test_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {admin_url}: {e}"));
    let _ = admin.close().await;
    let url = with_database(&admin_url, &name);
    let db = connect_url(&url, Some(8))
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    migrate(&db).await.expect("migrate the PostgreSQL database");
    PgTestDb {
        db,
        name,
        admin_url,
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on;
        // a thread with a runtime of its own does the cleanup.
        let cleanup = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(_) => return,
            };
            rt.block_on(async move {
                if let Ok(admin) = connect_url(&admin_url, Some(1)).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    if let Err(e) = admin.execute_unprepared(&sql).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                    let _ = admin.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}
