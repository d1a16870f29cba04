//! Scheduling: per-user auto-join rules, per-event overrides that outlive
//! resyncs (keyed by the provider's ids, not by our event rows), the links
//! between bots and the calendar events that asked for them, and the leases
//! that keep two scheduler instances from launching the same bot.
//!
//! Lease times are milliseconds since the Unix epoch in plain integers, so
//! the compare-and-set compares numbers the same way on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AutoJoinRules {
    Table,
    UserId,
    Enabled,
    OnlyOrganized,
    OnlyExternal,
    OnlyAccepted,
    IncludeKeywords,
    ExcludeKeywords,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EventOverrides {
    Table,
    Id,
    UserId,
    ConnectionId,
    Scope,
    TargetId,
    Decision,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BotCalendarEvents {
    Table,
    BotId,
    EventId,
    UserId,
    Wanted,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SchedulerLeases {
    Table,
    Name,
    Holder,
    ExpiresAtMs,
    UpdatedAtMs,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CalendarConnections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CalendarEvents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Bots {
    Table,
    Id,
}

fn fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    to: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

fn at<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AutoJoinRules::Table)
                .if_not_exists()
                .col(
                    ColumnDef::new(AutoJoinRules::UserId)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AutoJoinRules::Enabled).boolean().not_null())
                .col(
                    ColumnDef::new(AutoJoinRules::OnlyOrganized)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AutoJoinRules::OnlyExternal)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AutoJoinRules::OnlyAccepted)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AutoJoinRules::IncludeKeywords)
                        .json_binary()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AutoJoinRules::ExcludeKeywords)
                        .json_binary()
                        .not_null(),
                )
                .col(at(AutoJoinRules::UpdatedAt))
                .foreign_key(&mut fk(
                    AutoJoinRules::Table,
                    AutoJoinRules::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(EventOverrides::Table)
                .if_not_exists()
                .col(
                    ColumnDef::new(EventOverrides::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(EventOverrides::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(EventOverrides::ConnectionId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(EventOverrides::Scope).string().not_null())
                .col(ColumnDef::new(EventOverrides::TargetId).string().not_null())
                .col(ColumnDef::new(EventOverrides::Decision).string().not_null())
                .col(at(EventOverrides::CreatedAt))
                .foreign_key(&mut fk(
                    EventOverrides::Table,
                    EventOverrides::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    EventOverrides::Table,
                    EventOverrides::ConnectionId,
                    CalendarConnections::Table,
                    CalendarConnections::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_event_overrides_target")
                .table(EventOverrides::Table)
                .col(EventOverrides::UserId)
                .col(EventOverrides::ConnectionId)
                .col(EventOverrides::Scope)
                .col(EventOverrides::TargetId)
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(BotCalendarEvents::Table)
                .if_not_exists()
                .col(ColumnDef::new(BotCalendarEvents::BotId).uuid().not_null())
                .col(ColumnDef::new(BotCalendarEvents::EventId).uuid().not_null())
                .col(ColumnDef::new(BotCalendarEvents::UserId).uuid().not_null())
                .col(
                    ColumnDef::new(BotCalendarEvents::Wanted)
                        .boolean()
                        .not_null(),
                )
                .col(at(BotCalendarEvents::UpdatedAt))
                .primary_key(
                    Index::create()
                        .col(BotCalendarEvents::BotId)
                        .col(BotCalendarEvents::EventId),
                )
                .foreign_key(&mut fk(
                    BotCalendarEvents::Table,
                    BotCalendarEvents::BotId,
                    Bots::Table,
                    Bots::Id,
                ))
                .foreign_key(&mut fk(
                    BotCalendarEvents::Table,
                    BotCalendarEvents::EventId,
                    CalendarEvents::Table,
                    CalendarEvents::Id,
                ))
                .foreign_key(&mut fk(
                    BotCalendarEvents::Table,
                    BotCalendarEvents::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bot_calendar_events_event")
                .table(BotCalendarEvents::Table)
                .col(BotCalendarEvents::EventId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_bot_calendar_events_user")
                .table(BotCalendarEvents::Table)
                .col(BotCalendarEvents::UserId)
                .if_not_exists()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SchedulerLeases::Table)
                .if_not_exists()
                .col(
                    ColumnDef::new(SchedulerLeases::Name)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(SchedulerLeases::Holder).string().not_null())
                .col(
                    ColumnDef::new(SchedulerLeases::ExpiresAtMs)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SchedulerLeases::UpdatedAtMs)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SchedulerLeases::Table.into_iden(),
            BotCalendarEvents::Table.into_iden(),
            EventOverrides::Table.into_iden(),
            AutoJoinRules::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
