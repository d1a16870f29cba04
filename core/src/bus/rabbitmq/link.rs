//! Opening, naming and closing broker connections; the back-off between
//! attempts; turning lapin's errors into [`BusError`]s a person can act on.

use crate::bus::BusError;
use lapin::protocol::{AMQPErrorKind, AMQPHardError, AMQPSoftError};
use lapin::types::ShortString;
use lapin::{Connection, ConnectionProperties, ErrorKind};
use std::time::Duration;

/// How long one connection attempt may take (TCP, TLS and the AMQP handshake).
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait between reconnection attempts; it doubles up to [`BACKOFF_MAX`].
pub(super) const BACKOFF_START: Duration = Duration::from_millis(100);
/// The longest wait between reconnection attempts.
pub(super) const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How often a publish (or a declaration) is tried before it gives up; with
/// the back-off above that is about 15 seconds without a broker.
pub(super) const BOUNDED_TRIES: u32 = 8;

/// `url` with the password removed: `amqp://guest:secret@host/vhost` becomes
/// `amqp://guest@host/vhost`. Safe to log and to show.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!(
                "{}{user}{}{}",
                &url[..rest_start],
                &authority[at..],
                &rest[authority_end..]
            )
        }
        None => url.to_owned(),
    }
}

/// The password in `url`, if it has one (to scrub it from error texts).
fn password(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let userinfo = &authority[..authority.rfind('@')?];
    let (_, pass) = userinfo.split_once(':')?;
    (!pass.is_empty()).then_some(pass)
}

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    /// The URL as configured, with credentials.
    pub url: String,
    /// The URL without the password.
    pub safe_url: String,
}

impl Endpoint {
    pub fn new(url: &str) -> Self {
        Endpoint {
            url: url.to_owned(),
            safe_url: redact_url(url),
        }
    }

    /// Opens a connection named `name` (shown by `rabbitmqctl list_connections
    /// client_properties` and in the management UI).
    pub async fn open(&self, name: &str) -> Result<Connection, BusError> {
        let props = ConnectionProperties::default().with_connection_name(name.into());
        let attempt = tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect(&self.url, props));
        match attempt.await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(e)) => Err(self.connect_error(&describe(&e))),
            Err(_) => {
                Err(self
                    .connect_error(&format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))
            }
        }
    }

    fn connect_error(&self, reason: &str) -> BusError {
        let mut reason = reason.to_owned();
        if let Some(pass) = password(&self.url) {
            reason = reason.replace(pass, "***");
        }
        BusError::Connect {
            url: self.safe_url.clone(),
            reason: format!("{reason}; is RabbitMQ running there, and is [bus] url right?"),
        }
    }
}

/// A one-line description of a lapin error.
pub(super) fn describe(e: &lapin::Error) -> String {
    match e.kind() {
        ErrorKind::IOError(io) => io.to_string(),
        ErrorKind::ProtocolError(amqp) => amqp.to_string(),
        _ => e.to_string(),
    }
}

/// A failed broker operation: the error to report, and whether trying again
/// on a new connection could help.
#[derive(Debug)]
pub(super) struct Failure {
    pub error: BusError,
    pub permanent: bool,
}

impl Failure {
    /// A lapin error met while doing `context`.
    pub fn lapin(context: &str, e: &lapin::Error) -> Self {
        Failure {
            error: BusError::Broker(format!("{context}: {}", describe(e))),
            permanent: is_permanent(e),
        }
    }

    /// An error no retry can cure.
    pub fn permanent(error: BusError) -> Self {
        Failure {
            error,
            permanent: true,
        }
    }

    /// An error a new connection may cure.
    pub fn transient(error: BusError) -> Self {
        Failure {
            error,
            permanent: false,
        }
    }
}

impl From<Failure> for BusError {
    fn from(f: Failure) -> Self {
        f.error
    }
}

/// True for errors that a new connection cannot cure: the broker refuses
/// what we ask (a queue exists with other arguments, permissions).
pub(super) fn is_permanent(e: &lapin::Error) -> bool {
    match e.kind() {
        ErrorKind::ProtocolError(amqp) => matches!(
            amqp.kind(),
            AMQPErrorKind::Soft(AMQPSoftError::PRECONDITIONFAILED)
                | AMQPErrorKind::Soft(AMQPSoftError::ACCESSREFUSED)
                | AMQPErrorKind::Soft(AMQPSoftError::CONTENTTOOLARGE)
                | AMQPErrorKind::Hard(AMQPHardError::NOTALLOWED)
                | AMQPErrorKind::Hard(AMQPHardError::INVALIDPATH)
        ),
        ErrorKind::ChannelsLimitReached
        | ErrorKind::InvalidProtocolVersion(_)
        | ErrorKind::SerialisationError(_)
        | ErrorKind::AuthProviderError(_)
        | ErrorKind::NoDefaultRuntime => true,
        _ => false,
    }
}

/// An AMQP short string (at most 255 bytes: queue names, routing keys).
pub(super) fn short(what: &str, s: &str) -> Result<ShortString, Failure> {
    ShortString::try_new(s).map_err(|e| {
        Failure::permanent(BusError::Broker(format!(
            "{what} {s:?} is not a valid AMQP name: {e}"
        )))
    })
}

/// Exponential back-off between reconnection attempts.
#[derive(Debug)]
pub(super) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub fn new() -> Self {
        Backoff {
            next: BACKOFF_START,
        }
    }

    /// The wait before the next attempt; doubles each call, up to [`BACKOFF_MAX`].
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        delay
    }
}

/// An open connection that is closed when this is dropped (lapin would close
/// it too once every channel is gone; doing it here does not depend on who
/// still holds a channel clone).
pub(super) struct OwnedConnection {
    conn: Option<Connection>,
}

impl OwnedConnection {
    pub fn new(conn: Connection) -> Self {
        OwnedConnection { conn: Some(conn) }
    }

    pub fn get(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    pub fn connected(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.status().connected())
    }
}

impl Drop for OwnedConnection {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if !conn.status().connected() {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    if let Err(e) = conn.close(200, "closed by mymeet".into()).await {
                        tracing::debug!(error = %e, "closing a broker connection failed");
                    }
                });
            }
            // No runtime: lapin closes the connection when its last handle goes.
            Err(_) => drop(conn),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_removed() {
        assert_eq!(
            redact_url("amqp://guest:guest@127.0.0.1:5672/%2f"),
            "amqp://guest@127.0.0.1:5672/%2f"
        );
        assert_eq!(
            redact_url("amqps://u:p%40ss@rabbit:5671"),
            "amqps://u@rabbit:5671"
        );
        assert_eq!(redact_url("amqp://rabbit/%2f"), "amqp://rabbit/%2f");
        assert_eq!(redact_url("amqp://user@rabbit"), "amqp://user@rabbit");
        assert_eq!(password("amqp://u:p%40ss@rabbit:5671"), Some("p%40ss"));
        assert_eq!(password("amqp://u@rabbit"), None);
    }

    #[test]
    fn backoff_doubles_to_five_seconds() {
        let mut b = Backoff::new();
        let waits: Vec<u128> = (0..8).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    }
}
