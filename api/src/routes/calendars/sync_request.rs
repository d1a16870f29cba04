//! Asking the scheduler to sync a connection soon: a `calendar.changed`
//! message (the API never syncs itself; see ARCHITECTURE.md).

use mymeet_core::bus::messages::CalendarChangedV1;
use mymeet_core::bus::{BusError, Envelope, SharedBus};
use uuid::Uuid;

/// Publishes `calendar.changed` for `connection_id`.
pub(crate) async fn request_sync(bus: &SharedBus, connection_id: Uuid) -> Result<(), BusError> {
    let msg = CalendarChangedV1 {
        connection_id,
        at: chrono::Utc::now(),
    };
    bus.publish(&Envelope::new(&msg)).await
}
