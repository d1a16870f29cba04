//! The shared foundation of mymeet: domain types, configuration, the database,
//! the message bus, blob storage and telemetry.
//!
//! Every other crate depends on this one and on nothing beside it at the same
//! level: `bot`, `pipeline`, `scheduler` and `api` meet only through the types,
//! the database and the bus defined here.

pub mod blob;
pub mod bus;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod launches;
pub mod telemetry;
