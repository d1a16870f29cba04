//! The tables behind the in-process bus.

/// A message waiting in (or leased from) one queue.
pub mod message {
    use sea_orm::entity::prelude::*;

    /// One row of `bus_messages`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bus_messages")]
    pub struct Model {
        /// Row id (UUIDv7, so ids sort by creation time).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The queue it waits in.
        pub queue: String,
        /// Its routing key.
        pub topic: String,
        /// The envelope, as JSON.
        pub envelope: String,
        /// Deliveries so far.
        pub attempt: i32,
        /// Not delivered before this time (back-off).
        pub available_at_ms: i64,
        /// Leased to a consumer until this time.
        pub lease_until_ms: Option<i64>,
        /// Which delivery holds the lease.
        pub lease_token: Option<Uuid>,
        /// Why the last delivery failed.
        pub last_error: Option<String>,
        /// When it was published.
        pub created_at_ms: i64,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A queue and the topic pattern it is bound to.
pub mod binding {
    use sea_orm::entity::prelude::*;

    /// One row of `bus_bindings`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bus_bindings")]
    pub struct Model {
        /// The queue name.
        #[sea_orm(primary_key, auto_increment = false)]
        pub queue: String,
        /// Its AMQP-style topic pattern.
        pub pattern: String,
    }

    /// No relations.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
