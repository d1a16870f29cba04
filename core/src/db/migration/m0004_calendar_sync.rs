//! Calendar sync state: pending OAuth authorizations, the calendars of each
//! connection with their sync cursors and push channels, and per-connection
//! sync health.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OauthStates {
    Table,
    State,
    UserId,
    Provider,
    PkceVerifierEnc,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CalendarSources {
    Table,
    Id,
    ConnectionId,
    CalendarId,
    Name,
    Cursor,
    WindowStart,
    WindowEnd,
    ChannelId,
    ChannelResourceId,
    ChannelExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CalendarSyncStatus {
    Table,
    ConnectionId,
    LastAttemptAt,
    LastSuccessAt,
    LastError,
    NotBefore,
    ConsecutiveFailures,
}

#[derive(DeriveIden)]
enum CalendarConnections {
    Table,
    Id,
}

fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn ts_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn connection_fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(CalendarConnections::Table, CalendarConnections::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OauthStates::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(OauthStates::State)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OauthStates::UserId).uuid().not_null())
                    .col(ColumnDef::new(OauthStates::Provider).string().not_null())
                    .col(
                        ColumnDef::new(OauthStates::PkceVerifierEnc)
                            .binary()
                            .not_null(),
                    )
                    .col(ts(OauthStates::ExpiresAt))
                    .col(ts(OauthStates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarSources::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CalendarSources::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CalendarSources::ConnectionId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CalendarSources::CalendarId)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CalendarSources::Name).string().not_null())
                    .col(ColumnDef::new(CalendarSources::Cursor).text().null())
                    .col(ts_null(CalendarSources::WindowStart))
                    .col(ts_null(CalendarSources::WindowEnd))
                    .col(ColumnDef::new(CalendarSources::ChannelId).string().null())
                    .col(
                        ColumnDef::new(CalendarSources::ChannelResourceId)
                            .string()
                            .null(),
                    )
                    .col(ts_null(CalendarSources::ChannelExpiresAt))
                    .col(ts(CalendarSources::CreatedAt))
                    .col(ts(CalendarSources::UpdatedAt))
                    .foreign_key(&mut connection_fk(
                        CalendarSources::Table,
                        CalendarSources::ConnectionId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_calendar_sources_connection_calendar")
                    .table(CalendarSources::Table)
                    .col(CalendarSources::ConnectionId)
                    .col(CalendarSources::CalendarId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_calendar_sources_channel")
                    .table(CalendarSources::Table)
                    .col(CalendarSources::ChannelId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CalendarSyncStatus::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CalendarSyncStatus::ConnectionId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ts_null(CalendarSyncStatus::LastAttemptAt))
                    .col(ts_null(CalendarSyncStatus::LastSuccessAt))
                    .col(ColumnDef::new(CalendarSyncStatus::LastError).text().null())
                    .col(ts_null(CalendarSyncStatus::NotBefore))
                    .col(
                        ColumnDef::new(CalendarSyncStatus::ConsecutiveFailures)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .foreign_key(&mut connection_fk(
                        CalendarSyncStatus::Table,
                        CalendarSyncStatus::ConnectionId,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CalendarSyncStatus::Table.into_iden(),
            CalendarSources::Table.into_iden(),
            OauthStates::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
