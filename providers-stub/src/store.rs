//! One calendar's events with a change sequence, for full and incremental listings.

use serde_json::Value;
use std::collections::BTreeMap;

/// Events of one calendar; every change gets the next sequence number.
#[derive(Debug, Default, Clone)]
pub struct EventStore {
    /// Event id → (sequence of its last change, JSON, deleted).
    events: BTreeMap<String, (u64, Value, bool)>,
    seq: u64,
    /// Sync cursors below this answer "gone" (410 / full resync needed).
    pub oldest_valid_cursor: u64,
}

impl EventStore {
    /// The latest sequence number (the cursor a complete listing hands out).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Inserts or replaces an event (its `id` field is the key).
    pub fn put(&mut self, event: Value) {
        let id = event["id"].as_str().unwrap_or_default().to_owned();
        self.seq += 1;
        self.events.insert(id, (self.seq, event, false));
    }

    /// Deletes an event (it stays as a tombstone for incremental listings).
    pub fn delete(&mut self, id: &str) {
        self.seq += 1;
        if let Some(e) = self.events.get_mut(id) {
            e.0 = self.seq;
            e.2 = true;
        }
    }

    /// The event `id`, if not deleted.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.events.get(id).filter(|e| !e.2).map(|e| &e.1)
    }

    /// Live events, by id.
    pub fn live(&self) -> Vec<&Value> {
        self.events
            .values()
            .filter(|e| !e.2)
            .map(|e| &e.1)
            .collect()
    }

    /// Events changed after `cursor`: (JSON, deleted), by id.
    pub fn changed_since(&self, cursor: u64) -> Vec<(&Value, bool)> {
        self.events
            .values()
            .filter(|e| e.0 > cursor)
            .map(|e| (&e.1, e.2))
            .collect()
    }
}
