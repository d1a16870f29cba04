//! `oauth_states`: an OAuth authorization in flight, bound to the user who
//! started it; the PKCE verifier is sealed and the row is used once.

use sea_orm::entity::prelude::*;

/// A pending authorization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_states")]
pub struct Model {
    /// The random `state` parameter.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state: String,
    /// The user who started it.
    pub user_id: Uuid,
    /// `google` or `microsoft`.
    pub provider: String,
    /// The sealed PKCE code verifier.
    pub pkce_verifier_enc: Vec<u8>,
    /// After this the callback is refused.
    pub expires_at: DateTimeUtc,
    /// When it was started.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
