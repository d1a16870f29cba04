//! The domain tables: tenants and their users and API keys, calendars, meetings
//! and their bots, recordings, transcripts, reports, deliveries and webhooks.
//!
//! Written with sea-query so that it runs unchanged on SQLite and PostgreSQL:
//! ids are UUIDs, times `timestamp with time zone`, JSON `jsonb` (text on
//! SQLite), secrets `bytea`/`blob`. Unique indexes carry the product's "at
//! most once" rules (one meeting per real call, one transcript per recording,
//! one email per report and recipient, one webhook call per event).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    Slug,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Email,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    TenantId,
    UserId,
    Name,
    Prefix,
    KeyHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum CalendarConnections {
    Table,
    Id,
    UserId,
    Provider,
    AccountEmail,
    Status,
    AccessTokenEnc,
    RefreshTokenEnc,
    TokenExpiresAt,
    Scopes,
    SyncToken,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CalendarEvents {
    Table,
    Id,
    ConnectionId,
    ProviderEventId,
    Title,
    StartsAt,
    EndsAt,
    MeetingUrl,
    OrganizerEmail,
    Attendees,
    Status,
    Raw,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    TenantId,
    Platform,
    MeetingUrl,
    Title,
    StartsAt,
    EndsAt,
}

#[derive(DeriveIden)]
enum Bots {
    Table,
    Id,
    MeetingId,
    State,
    EndReason,
    Detail,
    ScheduledStartAt,
    Version,
    UpdatedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BotTransitions {
    Table,
    Id,
    BotId,
    FromState,
    ToState,
    Reason,
    Detail,
    At,
}

#[derive(DeriveIden)]
enum BotRequesters {
    Table,
    BotId,
    UserId,
}

#[derive(DeriveIden)]
enum Recordings {
    Table,
    Id,
    BotId,
    DurationMs,
    MixedBlobKey,
    Tracks,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Transcripts {
    Table,
    Id,
    RecordingId,
    Language,
    LanguageProbability,
    Model,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TranscriptSegments {
    Table,
    Id,
    TranscriptId,
    Idx,
    StartMs,
    EndMs,
    Speaker,
    Text,
    Confidence,
    Language,
}

#[derive(DeriveIden)]
enum ReportTemplates {
    Table,
    Id,
    TenantId,
    Name,
    Kind,
    Locale,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    TranscriptId,
    Format,
    BlobKey,
    TemplateId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    ReportId,
    Recipient,
    Channel,
    MessageId,
    Status,
    Attempts,
    LastError,
    SentAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    TenantId,
    Url,
    SecretEnc,
    Events,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    EventId,
    EventType,
    Status,
    Attempts,
    ResponseStatus,
    LastError,
    CreatedAt,
    DeliveredAt,
}

/// `id uuid primary key`.
fn id<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

/// A required timestamp with time zone.
fn at<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// An optional timestamp with time zone.
fn at_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// A foreign key from `table.col` to `to.id`.
fn fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    to: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(to, to_col)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// An index named `name` on `cols` of `table`.
fn index<T, C>(name: &str, table: T, cols: C, unique: bool) -> IndexCreateStatement
where
    T: IntoIden + 'static,
    C: IntoIterator,
    C::Item: IntoIndexColumn,
{
    let mut idx = Index::create();
    idx.name(name).table(table).if_not_exists();
    for c in cols {
        idx.col(c);
    }
    if unique {
        idx.unique();
    }
    idx.to_owned()
}

use ForeignKeyAction::{Cascade, SetNull};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .if_not_exists()
                .col(id(Tenants::Id))
                .col(ColumnDef::new(Tenants::Name).string().not_null())
                .col(ColumnDef::new(Tenants::Slug).string().not_null())
                .col(at(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_tenants_slug",
            Tenants::Table,
            [Tenants::Slug],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .if_not_exists()
                .col(id(Users::Id))
                .col(ColumnDef::new(Users::TenantId).uuid().not_null())
                .col(ColumnDef::new(Users::Email).string().not_null())
                .col(ColumnDef::new(Users::Name).string().not_null())
                .col(at(Users::CreatedAt))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_users_tenant_email",
            Users::Table,
            [Users::TenantId, Users::Email],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .if_not_exists()
                .col(id(ApiKeys::Id))
                .col(ColumnDef::new(ApiKeys::TenantId).uuid().not_null())
                .col(ColumnDef::new(ApiKeys::UserId).uuid().null())
                .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                .col(ColumnDef::new(ApiKeys::Prefix).string().not_null())
                .col(ColumnDef::new(ApiKeys::KeyHash).string().not_null())
                .col(at(ApiKeys::CreatedAt))
                .col(at_null(ApiKeys::LastUsedAt))
                .col(at_null(ApiKeys::RevokedAt))
                .foreign_key(&mut fk(
                    ApiKeys::Table,
                    ApiKeys::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    ApiKeys::Table,
                    ApiKeys::UserId,
                    Users::Table,
                    Users::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_api_keys_key_hash",
            ApiKeys::Table,
            [ApiKeys::KeyHash],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_api_keys_tenant",
            ApiKeys::Table,
            [ApiKeys::TenantId],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CalendarConnections::Table)
                .if_not_exists()
                .col(id(CalendarConnections::Id))
                .col(
                    ColumnDef::new(CalendarConnections::UserId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CalendarConnections::Provider)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CalendarConnections::AccountEmail)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CalendarConnections::Status)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CalendarConnections::AccessTokenEnc)
                        .blob()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CalendarConnections::RefreshTokenEnc)
                        .blob()
                        .null(),
                )
                .col(at_null(CalendarConnections::TokenExpiresAt))
                .col(
                    ColumnDef::new(CalendarConnections::Scopes)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(CalendarConnections::SyncToken).text().null())
                .col(at(CalendarConnections::CreatedAt))
                .col(at(CalendarConnections::UpdatedAt))
                .foreign_key(&mut fk(
                    CalendarConnections::Table,
                    CalendarConnections::UserId,
                    Users::Table,
                    Users::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_calendar_connections_account",
            CalendarConnections::Table,
            [
                CalendarConnections::UserId,
                CalendarConnections::Provider,
                CalendarConnections::AccountEmail,
            ],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(CalendarEvents::Table)
                .if_not_exists()
                .col(id(CalendarEvents::Id))
                .col(
                    ColumnDef::new(CalendarEvents::ConnectionId)
                        .uuid()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CalendarEvents::ProviderEventId)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(CalendarEvents::Title).text().not_null())
                .col(at(CalendarEvents::StartsAt))
                .col(at(CalendarEvents::EndsAt))
                .col(ColumnDef::new(CalendarEvents::MeetingUrl).text().null())
                .col(
                    ColumnDef::new(CalendarEvents::OrganizerEmail)
                        .string()
                        .null(),
                )
                .col(
                    ColumnDef::new(CalendarEvents::Attendees)
                        .json_binary()
                        .not_null(),
                )
                .col(ColumnDef::new(CalendarEvents::Status).string().not_null())
                .col(ColumnDef::new(CalendarEvents::Raw).json_binary().not_null())
                .col(at(CalendarEvents::UpdatedAt))
                .foreign_key(&mut fk(
                    CalendarEvents::Table,
                    CalendarEvents::ConnectionId,
                    CalendarConnections::Table,
                    CalendarConnections::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_calendar_events_provider_id",
            CalendarEvents::Table,
            [
                CalendarEvents::ConnectionId,
                CalendarEvents::ProviderEventId,
            ],
            true,
        ))
        .await?;
        m.create_index(index(
            "ix_calendar_events_starts_at",
            CalendarEvents::Table,
            [CalendarEvents::StartsAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Meetings::Table)
                .if_not_exists()
                .col(id(Meetings::Id))
                .col(ColumnDef::new(Meetings::TenantId).uuid().not_null())
                .col(ColumnDef::new(Meetings::Platform).string().not_null())
                .col(ColumnDef::new(Meetings::MeetingUrl).text().not_null())
                .col(ColumnDef::new(Meetings::Title).text().not_null())
                .col(at(Meetings::StartsAt))
                .col(at(Meetings::EndsAt))
                .foreign_key(&mut fk(
                    Meetings::Table,
                    Meetings::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_meetings_tenant_url_start",
            Meetings::Table,
            [Meetings::TenantId, Meetings::MeetingUrl, Meetings::StartsAt],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Bots::Table)
                .if_not_exists()
                .col(id(Bots::Id))
                .col(ColumnDef::new(Bots::MeetingId).uuid().not_null())
                .col(ColumnDef::new(Bots::State).string().not_null())
                .col(ColumnDef::new(Bots::EndReason).string().null())
                .col(ColumnDef::new(Bots::Detail).text().null())
                .col(at(Bots::ScheduledStartAt))
                .col(
                    ColumnDef::new(Bots::Version)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(at(Bots::UpdatedAt))
                .col(at(Bots::CreatedAt))
                .foreign_key(&mut fk(
                    Bots::Table,
                    Bots::MeetingId,
                    Meetings::Table,
                    Meetings::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_bots_meeting",
            Bots::Table,
            [Bots::MeetingId],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_bots_state_start",
            Bots::Table,
            [Bots::State, Bots::ScheduledStartAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(BotTransitions::Table)
                .if_not_exists()
                .col(id(BotTransitions::Id))
                .col(ColumnDef::new(BotTransitions::BotId).uuid().not_null())
                .col(
                    ColumnDef::new(BotTransitions::FromState)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(BotTransitions::ToState).string().not_null())
                .col(ColumnDef::new(BotTransitions::Reason).string().null())
                .col(ColumnDef::new(BotTransitions::Detail).text().null())
                .col(at(BotTransitions::At))
                .foreign_key(&mut fk(
                    BotTransitions::Table,
                    BotTransitions::BotId,
                    Bots::Table,
                    Bots::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_bot_transitions_bot_at",
            BotTransitions::Table,
            [BotTransitions::BotId, BotTransitions::At],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(BotRequesters::Table)
                .if_not_exists()
                .col(ColumnDef::new(BotRequesters::BotId).uuid().not_null())
                .col(ColumnDef::new(BotRequesters::UserId).uuid().not_null())
                .primary_key(
                    Index::create()
                        .col(BotRequesters::BotId)
                        .col(BotRequesters::UserId),
                )
                .foreign_key(&mut fk(
                    BotRequesters::Table,
                    BotRequesters::BotId,
                    Bots::Table,
                    Bots::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    BotRequesters::Table,
                    BotRequesters::UserId,
                    Users::Table,
                    Users::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Recordings::Table)
                .if_not_exists()
                .col(id(Recordings::Id))
                .col(ColumnDef::new(Recordings::BotId).uuid().not_null())
                .col(
                    ColumnDef::new(Recordings::DurationMs)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Recordings::MixedBlobKey).text().not_null())
                .col(ColumnDef::new(Recordings::Tracks).json_binary().not_null())
                .col(at(Recordings::CreatedAt))
                .foreign_key(&mut fk(
                    Recordings::Table,
                    Recordings::BotId,
                    Bots::Table,
                    Bots::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_recordings_bot",
            Recordings::Table,
            [Recordings::BotId],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Transcripts::Table)
                .if_not_exists()
                .col(id(Transcripts::Id))
                .col(ColumnDef::new(Transcripts::RecordingId).uuid().not_null())
                .col(ColumnDef::new(Transcripts::Language).string().not_null())
                .col(
                    ColumnDef::new(Transcripts::LanguageProbability)
                        .double()
                        .null(),
                )
                .col(ColumnDef::new(Transcripts::Model).string().not_null())
                .col(at(Transcripts::CreatedAt))
                .foreign_key(&mut fk(
                    Transcripts::Table,
                    Transcripts::RecordingId,
                    Recordings::Table,
                    Recordings::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_transcripts_recording",
            Transcripts::Table,
            [Transcripts::RecordingId],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TranscriptSegments::Table)
                .if_not_exists()
                .col(id(TranscriptSegments::Id))
                .col(
                    ColumnDef::new(TranscriptSegments::TranscriptId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(TranscriptSegments::Idx).integer().not_null())
                .col(
                    ColumnDef::new(TranscriptSegments::StartMs)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(TranscriptSegments::EndMs)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(TranscriptSegments::Speaker).string().null())
                .col(ColumnDef::new(TranscriptSegments::Text).text().not_null())
                .col(
                    ColumnDef::new(TranscriptSegments::Confidence)
                        .double()
                        .null(),
                )
                .col(ColumnDef::new(TranscriptSegments::Language).string().null())
                .foreign_key(&mut fk(
                    TranscriptSegments::Table,
                    TranscriptSegments::TranscriptId,
                    Transcripts::Table,
                    Transcripts::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_transcript_segments_idx",
            TranscriptSegments::Table,
            [TranscriptSegments::TranscriptId, TranscriptSegments::Idx],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ReportTemplates::Table)
                .if_not_exists()
                .col(id(ReportTemplates::Id))
                .col(ColumnDef::new(ReportTemplates::TenantId).uuid().null())
                .col(ColumnDef::new(ReportTemplates::Name).string().not_null())
                .col(ColumnDef::new(ReportTemplates::Kind).string().not_null())
                .col(ColumnDef::new(ReportTemplates::Locale).string().not_null())
                .col(ColumnDef::new(ReportTemplates::Body).text().not_null())
                .col(at(ReportTemplates::CreatedAt))
                .col(at(ReportTemplates::UpdatedAt))
                .foreign_key(&mut fk(
                    ReportTemplates::Table,
                    ReportTemplates::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // NULL tenant ids are distinct in a unique index on both engines, so
        // built-in names are kept unique by the repository, not by this index.
        m.create_index(index(
            "ux_report_templates_tenant_name",
            ReportTemplates::Table,
            [ReportTemplates::TenantId, ReportTemplates::Name],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Reports::Table)
                .if_not_exists()
                .col(id(Reports::Id))
                .col(ColumnDef::new(Reports::TranscriptId).uuid().not_null())
                .col(ColumnDef::new(Reports::Format).string().not_null())
                .col(ColumnDef::new(Reports::BlobKey).text().not_null())
                .col(ColumnDef::new(Reports::TemplateId).uuid().null())
                .col(at(Reports::CreatedAt))
                .foreign_key(&mut fk(
                    Reports::Table,
                    Reports::TranscriptId,
                    Transcripts::Table,
                    Transcripts::Id,
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    Reports::Table,
                    Reports::TemplateId,
                    ReportTemplates::Table,
                    ReportTemplates::Id,
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_reports_transcript_format",
            Reports::Table,
            [Reports::TranscriptId, Reports::Format],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .if_not_exists()
                .col(id(Deliveries::Id))
                .col(ColumnDef::new(Deliveries::ReportId).uuid().not_null())
                .col(ColumnDef::new(Deliveries::Recipient).string().not_null())
                .col(ColumnDef::new(Deliveries::Channel).string().not_null())
                .col(ColumnDef::new(Deliveries::MessageId).string().not_null())
                .col(ColumnDef::new(Deliveries::Status).string().not_null())
                .col(
                    ColumnDef::new(Deliveries::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ColumnDef::new(Deliveries::LastError).text().null())
                .col(at_null(Deliveries::SentAt))
                .col(at(Deliveries::CreatedAt))
                .foreign_key(&mut fk(
                    Deliveries::Table,
                    Deliveries::ReportId,
                    Reports::Table,
                    Reports::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_deliveries_report_recipient_channel",
            Deliveries::Table,
            [
                Deliveries::ReportId,
                Deliveries::Recipient,
                Deliveries::Channel,
            ],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Webhooks::Table)
                .if_not_exists()
                .col(id(Webhooks::Id))
                .col(ColumnDef::new(Webhooks::TenantId).uuid().not_null())
                .col(ColumnDef::new(Webhooks::Url).text().not_null())
                .col(ColumnDef::new(Webhooks::SecretEnc).blob().not_null())
                .col(ColumnDef::new(Webhooks::Events).json_binary().not_null())
                .col(
                    ColumnDef::new(Webhooks::Active)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .col(at(Webhooks::CreatedAt))
                .foreign_key(&mut fk(
                    Webhooks::Table,
                    Webhooks::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_webhooks_tenant",
            Webhooks::Table,
            [Webhooks::TenantId],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .if_not_exists()
                .col(id(WebhookDeliveries::Id))
                .col(
                    ColumnDef::new(WebhookDeliveries::WebhookId)
                        .uuid()
                        .not_null(),
                )
                .col(ColumnDef::new(WebhookDeliveries::EventId).uuid().not_null())
                .col(
                    ColumnDef::new(WebhookDeliveries::EventType)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::Status)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(
                    ColumnDef::new(WebhookDeliveries::ResponseStatus)
                        .integer()
                        .null(),
                )
                .col(ColumnDef::new(WebhookDeliveries::LastError).text().null())
                .col(at(WebhookDeliveries::CreatedAt))
                .col(at_null(WebhookDeliveries::DeliveredAt))
                .foreign_key(&mut fk(
                    WebhookDeliveries::Table,
                    WebhookDeliveries::WebhookId,
                    Webhooks::Table,
                    Webhooks::Id,
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_webhook_deliveries_event",
            WebhookDeliveries::Table,
            [WebhookDeliveries::WebhookId, WebhookDeliveries::EventId],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Children first, so that no foreign key stands in the way.
        let tables: [DynIden; 16] = [
            WebhookDeliveries::Table.into_iden(),
            Webhooks::Table.into_iden(),
            Deliveries::Table.into_iden(),
            Reports::Table.into_iden(),
            ReportTemplates::Table.into_iden(),
            TranscriptSegments::Table.into_iden(),
            Transcripts::Table.into_iden(),
            Recordings::Table.into_iden(),
            BotRequesters::Table.into_iden(),
            BotTransitions::Table.into_iden(),
            Bots::Table.into_iden(),
            Meetings::Table.into_iden(),
            CalendarEvents::Table.into_iden(),
            CalendarConnections::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Users::Table.into_iden(),
        ];
        for t in tables {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(Tenants::Table).if_exists().to_owned())
            .await
    }
}
