//! The journal of the in-process bus: queued messages and queue bindings.
//!
//! Times are milliseconds since the Unix epoch in plain integers so that the
//! claim query compares numbers the same way on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BusMessages {
    Table,
    Id,
    Queue,
    Topic,
    Envelope,
    Attempt,
    AvailableAtMs,
    LeaseUntilMs,
    LeaseToken,
    LastError,
    CreatedAtMs,
}

#[derive(DeriveIden)]
enum BusBindings {
    Table,
    Queue,
    Pattern,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BusMessages::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(BusMessages::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(BusMessages::Queue).string().not_null())
                    .col(ColumnDef::new(BusMessages::Topic).string().not_null())
                    .col(ColumnDef::new(BusMessages::Envelope).text().not_null())
                    .col(
                        ColumnDef::new(BusMessages::Attempt)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(BusMessages::AvailableAtMs)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BusMessages::LeaseUntilMs)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(BusMessages::LeaseToken).uuid().null())
                    .col(ColumnDef::new(BusMessages::LastError).text().null())
                    .col(
                        ColumnDef::new(BusMessages::CreatedAtMs)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bus_messages_queue_available")
                    .table(BusMessages::Table)
                    .col(BusMessages::Queue)
                    .col(BusMessages::AvailableAtMs)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BusBindings::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(BusBindings::Queue)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(BusBindings::Pattern).string().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BusBindings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BusMessages::Table).to_owned())
            .await
    }
}
