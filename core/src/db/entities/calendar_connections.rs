//! `calendar_connections`: a user's linked Google or Microsoft calendar, with
//! its OAuth tokens sealed by [`crate::crypto::TokenCipher`].

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A calendar provider.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Google Calendar.
    #[sea_orm(string_value = "google")]
    Google,
    /// Microsoft 365 / Outlook through Graph.
    #[sea_orm(string_value = "microsoft")]
    Microsoft,
}

/// Whether a connection can be synced.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Tokens work.
    #[sea_orm(string_value = "active")]
    Active,
    /// The provider rejected the refresh token; the user must sign in again.
    #[sea_orm(string_value = "needs_reauth")]
    NeedsReauth,
    /// The user disconnected it.
    #[sea_orm(string_value = "disconnected")]
    Disconnected,
}

/// A calendar connection. `Debug` shows the sealed tokens only as lengths.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_connections")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The user who connected it.
    pub user_id: Uuid,
    /// Google or Microsoft.
    pub provider: Provider,
    /// The calendar account's email address.
    pub account_email: String,
    /// Whether it can be synced.
    pub status: ConnectionStatus,
    /// The sealed access token.
    pub access_token_enc: Vec<u8>,
    /// The sealed refresh token, when the provider gave one.
    pub refresh_token_enc: Option<Vec<u8>>,
    /// When the access token expires.
    pub token_expires_at: Option<DateTimeUtc>,
    /// Granted scopes, space-separated.
    pub scopes: String,
    /// The provider's incremental sync cursor.
    pub sync_token: Option<String>,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it last changed.
    pub updated_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("calendar_connections::Model")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("provider", &self.provider)
            .field("account_email", &self.account_email)
            .field("status", &self.status)
            .field(
                "access_token_enc",
                &format_args!("<{} bytes>", self.access_token_enc.len()),
            )
            .field(
                "refresh_token_enc",
                &self
                    .refresh_token_enc
                    .as_ref()
                    .map(|t| format!("<{} bytes>", t.len())),
            )
            .field("token_expires_at", &self.token_expires_at)
            .field("scopes", &self.scopes)
            .field("sync_token", &self.sync_token.as_ref().map(|_| "<set>"))
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// Relations of a calendar connection.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user.
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    /// Its events.
    #[sea_orm(has_many = "super::calendar_events::Entity")]
    Events,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::calendar_events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Events.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
