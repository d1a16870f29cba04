//! The launcher lease: held by one scheduler instance at a time, renewed on
//! every tick, free for another once it expires.

use chrono::{DateTime, Duration, Utc};
use mymeet_core::db::repo::{scheduling, RepoError};
use sea_orm::DatabaseConnection;

/// A named lease held (or wanted) by one instance.
#[derive(Debug, Clone)]
pub struct Lease {
    db: DatabaseConnection,
    name: String,
    holder: String,
    ttl: Duration,
}

impl Lease {
    /// Lease `name` as `holder`, `ttl` long per renewal.
    pub fn new(db: DatabaseConnection, name: &str, holder: &str, ttl: Duration) -> Lease {
        Lease {
            db,
            name: name.to_owned(),
            holder: holder.to_owned(),
            ttl,
        }
    }

    /// Takes or renews the lease at `now`; false while someone else holds it.
    pub async fn acquire(&self, now: DateTime<Utc>) -> Result<bool, RepoError> {
        scheduling::try_acquire_lease(
            &self.db,
            &self.name,
            &self.holder,
            now.timestamp_millis(),
            self.ttl.num_milliseconds(),
        )
        .await
    }

    /// Gives the lease up (a clean shutdown lets the next instance start at once).
    pub async fn release(&self) -> Result<(), RepoError> {
        scheduling::release_lease(&self.db, &self.name, &self.holder).await
    }
}
