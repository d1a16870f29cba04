//! The RabbitMQ bus.
