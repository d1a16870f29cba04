use crate::calendar_providers::{CalendarProviders, ProvidersError};
use mymeet_core::bus::SharedBus;
use mymeet_core::config::CalendarsConfig;
use mymeet_core::crypto::TokenCipher;
use mymeet_core::db::Db;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// The message bus.
    pub bus: SharedBus,
    /// Calendar providers, the token key and `[calendars]`.
    pub calendars: Arc<CalendarProviders>,
}

impl AppState {
    /// The state over `db` and `bus`, with the calendar providers of
    /// `calendars`; `cipher` seals OAuth tokens and user tokens.
    pub fn new(
        db: Db,
        bus: SharedBus,
        cipher: TokenCipher,
        calendars: CalendarsConfig,
    ) -> Result<AppState, ProvidersError> {
        Ok(AppState {
            db,
            bus,
            calendars: Arc::new(CalendarProviders::new(calendars, cipher)?),
        })
    }
}
