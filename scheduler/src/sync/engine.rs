use super::{SyncError, SyncOutcome};
use crate::planner::{Clock, SystemClock};
use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::entities::calendar_connections::{self, Provider};
use mymeet_core::db::repo::{calendar, calendar_sync};
use mymeet_core::db::Db;
use mymeet_integrations::google::GoogleCalendar;
use mymeet_integrations::microsoft::GraphCalendar;
use mymeet_integrations::oauth::OAuthClient;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Syncs calendar connections; cheap to clone.
#[derive(Debug, Clone)]
pub struct CalendarSync {
    pub(crate) db: Db,
    pub(crate) cipher: TokenCipher,
    pub(crate) config: CalendarsConfig,
    pub(crate) google: GoogleCalendar,
    pub(crate) graph: GraphCalendar,
    google_oauth: Option<OAuthClient>,
    microsoft_oauth: Option<OAuthClient>,
    /// When push channels are due for renewal is judged by this clock.
    pub(crate) clock: Arc<dyn Clock>,
}

impl CalendarSync {
    /// A sync engine over `db` for the providers `config` configures.
    pub fn new(db: Db, cipher: TokenCipher, config: CalendarsConfig) -> Result<Self, SyncError> {
        let google = GoogleCalendar::new(&config.google)
            .map_err(|e| SyncError::Config(format!("calendars.google: {e}")))?;
        let graph = GraphCalendar::new(&config.microsoft).map_err(SyncError::Graph)?;
        let google_oauth = OAuthClient::from_config(&config, Provider::Google).ok();
        let microsoft_oauth = OAuthClient::from_config(&config, Provider::Microsoft).ok();
        Ok(CalendarSync {
            db,
            cipher,
            config,
            google,
            graph,
            google_oauth,
            microsoft_oauth,
            clock: Arc::new(SystemClock),
        })
    }

    /// The same engine judging push-channel renewal by `clock` (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The database it syncs into.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `[calendars]` as this engine uses it.
    pub fn config(&self) -> &CalendarsConfig {
        &self.config
    }

    /// The OAuth client of `provider`.
    pub(crate) fn oauth(&self, provider: Provider) -> Result<&OAuthClient, SyncError> {
        match provider {
            Provider::Google => self.google_oauth.as_ref(),
            Provider::Microsoft => self.microsoft_oauth.as_ref(),
        }
        .ok_or_else(|| SyncError::Config(format!("no OAuth client id configured for {provider:?}")))
    }

    /// Syncs connection `id` now: retries a throttled attempt after the
    /// provider's `Retry-After` (or exponential back-off) while the
    /// per-connection time budget allows, and records the outcome.
    pub async fn sync_connection(&self, id: Uuid) -> Result<SyncOutcome, SyncError> {
        let started = Instant::now();
        let budget = Duration::from_secs(self.config.sync.connection_timeout_secs);
        let conn = calendar::get_connection(&self.db, id).await?;
        let provider = match conn.provider {
            Provider::Google => "google",
            Provider::Microsoft => "microsoft",
        };
        let mut attempt = 0u32;
        let outcome = loop {
            attempt += 1;
            match tokio::time::timeout(
                budget.saturating_sub(started.elapsed()),
                self.sync_once(&conn),
            )
            .await
            {
                Err(_) => break SyncOutcome::TimedOut,
                Ok(Ok(changed)) => break SyncOutcome::Synced { changed },
                Ok(Err(SyncError::NeedsReauth)) => break SyncOutcome::NeedsReauth,
                Ok(Err(SyncError::Throttled(wait))) => {
                    let wait = wait.unwrap_or_else(|| Duration::from_secs(1 << attempt.min(6)));
                    metrics::counter!("calendar_sync_throttled_total", "provider" => provider)
                        .increment(1);
                    if attempt >= self.config.sync.max_attempts.max(1)
                        || started.elapsed() + wait >= budget
                    {
                        let until = chrono::Utc::now()
                            + chrono::Duration::from_std(wait).unwrap_or_default();
                        calendar_sync::record_sync_failure(
                            &self.db,
                            id,
                            "throttled by the provider",
                            Some(until),
                        )
                        .await?;
                        break SyncOutcome::Throttled;
                    }
                    tracing::debug!(connection = %id, ?wait, "throttled; waiting as the provider asked");
                    tokio::time::sleep(wait).await;
                }
                Ok(Err(e)) => break SyncOutcome::Failed(e.to_string()),
            }
        };
        match &outcome {
            SyncOutcome::Synced { changed } => {
                calendar_sync::record_sync_success(&self.db, id).await?;
                metrics::counter!("calendar_sync_events_changed_total", "provider" => provider)
                    .increment(*changed as u64);
            }
            SyncOutcome::Failed(msg) => {
                tracing::warn!(connection = %id, error = %msg, "calendar sync failed");
                calendar_sync::record_sync_failure(&self.db, id, msg, None).await?;
            }
            SyncOutcome::TimedOut => {
                calendar_sync::record_sync_failure(&self.db, id, "timed out", None).await?;
            }
            SyncOutcome::NeedsReauth => {
                calendar_sync::record_sync_failure(&self.db, id, "needs reauthorization", None)
                    .await?;
            }
            SyncOutcome::Throttled => {}
        }
        metrics::counter!("calendar_sync_runs_total", "provider" => provider, "outcome" => outcome.label()).increment(1);
        metrics::histogram!("calendar_sync_duration_seconds", "provider" => provider)
            .record(started.elapsed().as_secs_f64());
        Ok(outcome)
    }

    /// One attempt; a refused access token is refreshed once.
    async fn sync_once(&self, conn: &calendar_connections::Model) -> Result<usize, SyncError> {
        let token = self.access_token(conn, false).await?;
        let res = self.sync_provider(conn, &token).await;
        match res {
            Err(e) if e.is_unauthorized() => {
                let token = self.access_token(conn, true).await?;
                self.sync_provider(conn, &token).await
            }
            other => other,
        }
    }

    async fn sync_provider(
        &self,
        conn: &calendar_connections::Model,
        token: &str,
    ) -> Result<usize, SyncError> {
        match conn.provider {
            Provider::Google => self.sync_google(conn, token).await,
            Provider::Microsoft => self.sync_microsoft(conn, token).await,
        }
    }

    /// The window recurring events are expanded over, as of now.
    pub(crate) fn window(&self) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        let now = mymeet_core::db::repo::now();
        (
            now - chrono::Duration::days(self.config.sync.window_past_days),
            now + chrono::Duration::days(self.config.sync.window_future_days),
        )
    }

    /// True when a stored window no longer reaches far enough ahead (more
    /// than a day short): a full listing slides it.
    pub(crate) fn window_stale(&self, end: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        let (_, want) = self.window();
        end.is_none_or(|e| e + chrono::Duration::days(1) < want)
    }
}
