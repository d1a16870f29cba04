//! A usable access token for a connection: the stored one while it is
//! fresh, else a refreshed one (stored sealed); a refused refresh marks the
//! connection `needs_reauth`.

use super::engine::CalendarSync;
use super::SyncError;
use chrono::{Duration, Utc};
use mymeet_core::db::entities::calendar_connections;
use mymeet_core::db::repo::calendar;

impl CalendarSync {
    /// The access token to use now; `force` refreshes even a fresh one (after a 401).
    pub(crate) async fn access_token(
        &self,
        conn: &calendar_connections::Model,
        force: bool,
    ) -> Result<String, SyncError> {
        let tokens = calendar::tokens(&self.db, &self.cipher, conn.id).await?;
        let margin = Duration::seconds(self.config.sync.refresh_margin_secs);
        let fresh = tokens.expires_at.is_none_or(|e| e > Utc::now() + margin);
        if fresh && !force {
            return Ok(tokens.access_token);
        }
        let Some(refresh) = tokens.refresh_token.as_deref() else {
            calendar::mark_needs_reauth(&self.db, conn.id).await?;
            return Err(SyncError::NeedsReauth);
        };
        let client = self.oauth(conn.provider)?;
        match client.refresh(refresh).await {
            Ok(grant) => {
                calendar::update_tokens(
                    &self.db,
                    &self.cipher,
                    conn.id,
                    &grant.access_token,
                    grant.refresh_token.as_deref(),
                    grant.expires_at,
                )
                .await?;
                Ok(grant.access_token)
            }
            Err(e) => {
                let e = SyncError::from(e);
                if matches!(e, SyncError::NeedsReauth) {
                    calendar::mark_needs_reauth(&self.db, conn.id).await?;
                    tracing::warn!(connection = %conn.id, "refresh token rejected; connection needs reauthorization");
                }
                Err(e)
            }
        }
    }
}
