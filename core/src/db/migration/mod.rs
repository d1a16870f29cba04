//! Schema migrations, applied in order by `mymeet migrate` and on start of
//! `serve` and `worker`. Each runs unchanged on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

mod m0001_domain;
mod m0002_bus_messages;
mod m0003_scheduling;
mod m0004_calendar_sync;

/// The list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_domain::Migration),
            Box::new(m0002_bus_messages::Migration),
            Box::new(m0003_scheduling::Migration),
            Box::new(m0004_calendar_sync::Migration),
        ]
    }
}
