use mymeet_core::bus::SharedBus;
use mymeet_core::db::Db;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// The message bus.
    pub bus: SharedBus,
}
