//! Repositories: the queries the rest of mymeet runs, one module per aggregate.
//!
//! Every function takes `&impl ConnectionTrait`, so it runs on a pool or
//! inside a caller's transaction alike. "At most once" rules (one meeting per
//! call, one transcript per recording, one email per recipient) rest on the
//! schema's unique indexes: the `claim`/`insert_if_absent`/`upsert` functions
//! insert with `ON CONFLICT DO NOTHING` and then read the row that won, so two
//! racing workers both get the same row and neither fails.

pub mod api_keys;
pub mod bots;
pub mod calendar;
pub mod calendar_sync;
pub mod deliveries;
pub mod meetings;
pub mod recordings;
pub mod reports;
pub mod scheduling;
pub mod tenants;
pub mod transcripts;
pub mod users;
pub mod webhooks;

use crate::crypto::CryptoError;
use crate::domain::IllegalTransition;
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{DbErr, SqlErr};
use uuid::Uuid;

/// What a repository call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The row asked for does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// The kind of row (`bot`, `user`, ...).
        what: &'static str,
        /// Its id or key.
        id: String,
    },
    /// The state machine does not allow the transition; nothing was changed.
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    /// A uniqueness rule or a concurrent change stood in the way.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A secret could not be sealed or opened.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A stored value cannot be understood (an unknown state name, bad JSON).
    #[error("corrupt {what}: {message}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

/// The result type of repository calls.
pub type Result<T, E = RepoError> = std::result::Result<T, E>;

/// A row from an insert-or-select: the row, and whether this call created it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed<T> {
    /// The row (new, or the one that was already there).
    pub model: T,
    /// True when this call inserted it.
    pub created: bool,
}

impl RepoError {
    /// A [`RepoError::NotFound`].
    pub fn not_found(what: &'static str, id: impl std::fmt::Display) -> RepoError {
        RepoError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// True for [`RepoError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, RepoError::NotFound { .. })
    }

    /// True for [`RepoError::Conflict`].
    pub fn is_conflict(&self) -> bool {
        matches!(self, RepoError::Conflict(_))
    }
}

/// Turns a unique-constraint violation into [`RepoError::Conflict`] naming `what`.
pub(crate) fn unique_to_conflict(err: DbErr, what: impl FnOnce() -> String) -> RepoError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => RepoError::Conflict(what()),
        _ => RepoError::Db(err),
    }
}

/// The current time at the database's precision (microseconds, as PostgreSQL keeps it).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// `t` cut to microseconds, so that what is written reads back equal on every engine.
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// A new time-ordered row id.
pub(crate) fn new_id() -> Uuid {
    Uuid::now_v7()
}
