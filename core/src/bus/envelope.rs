use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A typed message with a fixed topic and schema version.
///
/// Every message type is defined once, in [`super::messages`]. A breaking
/// change to a payload gets a new type with a higher `VERSION`; consumers
/// decode the versions they understand.
pub trait Event: Serialize + DeserializeOwned {
    /// The routing key, e.g. `recording.completed`.
    const TOPIC: &'static str;
    /// The schema version of the payload.
    const VERSION: u16;
}

/// What travels on the bus: a payload with its topic, version and identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique per published message and stable across redeliveries: the
    /// idempotency key for consumers.
    pub id: Uuid,
    /// The routing key.
    pub topic: String,
    /// The payload's schema version.
    pub version: u16,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// The event itself.
    pub payload: serde_json::Value,
}

/// A message that is not the event a consumer expected.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// A different topic or schema version.
    #[error("expected {expected_topic} v{expected_version}, got {topic} v{version}")]
    WrongKind {
        /// The topic expected.
        expected_topic: &'static str,
        /// The version expected.
        expected_version: u16,
        /// The topic found.
        topic: String,
        /// The version found.
        version: u16,
    },
    /// The payload does not match the schema.
    #[error("payload of {topic} v{version} does not match its schema: {source}")]
    Payload {
        /// The topic.
        topic: String,
        /// The version.
        version: u16,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
}

impl Envelope {
    /// Wraps an event in a new envelope with a fresh id.
    pub fn new<E: Event>(event: &E) -> Self {
        Envelope {
            id: Uuid::now_v7(),
            topic: E::TOPIC.to_owned(),
            version: E::VERSION,
            published_at: Utc::now(),
            // Serializing our own derive(Serialize) types to a Value cannot fail.
            payload: serde_json::to_value(event).unwrap_or(serde_json::Value::Null),
        }
    }

    /// Decodes the payload as `E`, checking topic and version first.
    pub fn decode<E: Event>(&self) -> Result<E, DecodeError> {
        if self.topic != E::TOPIC || self.version != E::VERSION {
            return Err(DecodeError::WrongKind {
                expected_topic: E::TOPIC,
                expected_version: E::VERSION,
                topic: self.topic.clone(),
                version: self.version,
            });
        }
        serde_json::from_value(self.payload.clone()).map_err(|source| DecodeError::Payload {
            topic: self.topic.clone(),
            version: self.version,
            source,
        })
    }

    /// The wire form: JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses the wire form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}
