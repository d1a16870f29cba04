//! Email delivery against real servers: Debian's aiosmtpd on loopback (plain,
//! STARTTLS, TLS, AUTH, 5xx and 4xx answers), the outbox folder, SQLite and
//! PostgreSQL for the deliveries table, and the recipient policies.
//!
//! The modules' names start with `delivery_` so that
//! `cargo test -p mymeet-pipeline delivery` selects every test here.

#[path = "delivery/support.rs"]
mod delivery_support;

#[path = "delivery/config.rs"]
mod delivery_config;

#[path = "delivery/outbox.rs"]
mod delivery_outbox;

#[path = "delivery/recipients.rs"]
mod delivery_recipients;

#[path = "delivery/smtp.rs"]
mod delivery_smtp;
