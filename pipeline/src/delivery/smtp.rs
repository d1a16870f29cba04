//! Sending over SMTP with lettre: plain (loopback only when authenticating),
//! STARTTLS or TLS from the first byte, with optional AUTH.

use super::mailer::{Mailer, SendError};
use super::message::ComposedEmail;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mymeet_core::config::{SmtpConfig, SmtpTls};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How long one SMTP conversation may take when `timeout_secs` is unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why an SMTP mailer could not be set up from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    /// `email.smtp.ca_file` cannot be read.
    #[error("cannot read email.smtp.ca_file {path}: {source}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS settings (certificates, server name) are unusable.
    #[error("email.smtp TLS settings: {0}")]
    Tls(#[source] SmtpError),
    /// A password would cross the network in the clear.
    #[error(
        "email.smtp: refusing to authenticate to {host} without TLS; \
         set email.smtp.tls to \"starttls\" or \"tls\" (plain is only for loopback)"
    )]
    PlainAuthOffLoopback {
        /// The configured host.
        host: String,
    },
}

/// A mailer that hands each email to one SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    endpoint: String,
    /// lettre's own timeout covers only connecting; a server that stops
    /// answering mid-conversation is cut off by this deadline instead.
    deadline: Duration,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the credentials; show only where it goes.
        f.debug_struct("SmtpMailer")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `[email.smtp]`. The port defaults by `tls`: 25 plain,
    /// 587 STARTTLS, 465 TLS. Certificates are checked against the public
    /// web PKI plus `ca_file` when set.
    pub fn from_config(config: &SmtpConfig) -> Result<SmtpMailer, SmtpSetupError> {
        let port = config.port.unwrap_or(match config.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        });
        let credentials = match (&config.username, &config.password) {
            (Some(user), password) => Some(Credentials::new(
                user.clone(),
                password
                    .as_ref()
                    .map(|p| p.expose().to_owned())
                    .unwrap_or_default(),
            )),
            (None, _) => None,
        };
        if credentials.is_some() && config.tls == SmtpTls::None && !is_loopback(&config.host) {
            return Err(SmtpSetupError::PlainAuthOffLoopback {
                host: config.host.clone(),
            });
        }
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(tls_parameters(config)?),
            SmtpTls::Tls => Tls::Wrapper(tls_parameters(config)?),
        };
        let timeout = config
            .timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        let scheme = match config.tls {
            SmtpTls::None => "smtp",
            SmtpTls::Starttls => "smtp+starttls",
            SmtpTls::Tls => "smtps",
        };
        Ok(SmtpMailer {
            transport: builder.build(),
            endpoint: format!("{scheme}://{}:{port}", config.host),
            deadline: timeout,
        })
    }
}

/// TLS parameters for the configured host, trusting `ca_file` as well.
fn tls_parameters(config: &SmtpConfig) -> Result<TlsParameters, SmtpSetupError> {
    let mut builder = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path).map_err(|source| SmtpSetupError::CaFile {
            path: path.clone(),
            source,
        })?;
        builder =
            builder.add_root_certificate(Certificate::from_pem(&pem).map_err(SmtpSetupError::Tls)?);
    }
    builder.build_rustls().map_err(SmtpSetupError::Tls)
}

/// Whether `host` is this machine (`localhost`, `127.0.0.0/8`, `::1`).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Sorts an SMTP failure: a 5xx answer or a message the client itself cannot
/// send is permanent; a 4xx answer, a refused, broken or slow connection and a
/// failed TLS handshake are transient (the server or network may recover).
pub fn classify(error: &SmtpError) -> SendError {
    if error.is_permanent() || error.is_client() {
        SendError::Permanent(error.to_string())
    } else {
        SendError::Transient(error.to_string())
    }
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &ComposedEmail) -> Result<(), SendError> {
        let bytes = email.formatted();
        let sending = self.transport.send_raw(email.message.envelope(), &bytes);
        let result = match tokio::time::timeout(self.deadline, sending).await {
            Ok(result) => result.map_err(|e| classify(&e)),
            Err(_) => Err(SendError::Transient(format!(
                "no answer from {} within {} s",
                self.endpoint,
                self.deadline.as_secs()
            ))),
        };
        match result {
            Ok(response) => {
                tracing::info!(
                    endpoint = %self.endpoint,
                    message_id = %email.message_id,
                    answer = %response.message().collect::<Vec<_>>().join(" "),
                    "email accepted by the SMTP server"
                );
                Ok(())
            }
            Err(sorted) => {
                tracing::warn!(endpoint = %self.endpoint, message_id = %email.message_id, error = %sorted, "SMTP send failed");
                Err(sorted)
            }
        }
    }

    fn describe(&self) -> String {
        self.endpoint.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mymeet_core::config::Secret;

    fn config(host: &str, tls: SmtpTls, user: Option<&str>) -> SmtpConfig {
        SmtpConfig {
            host: host.into(),
            port: None,
            tls,
            username: user.map(str::to_owned),
            password: user.map(|_| Secret::new("pw")),
            ca_file: None,
            timeout_secs: None,
        }
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("localhost"));
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("127.8.9.1"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback("mail.example.com"));
        assert!(!is_loopback("10.0.0.1"));
    }

    #[test]
    fn no_password_in_the_clear_off_loopback() {
        assert!(matches!(
            SmtpMailer::from_config(&config("mail.example.com", SmtpTls::None, Some("u"))),
            Err(SmtpSetupError::PlainAuthOffLoopback { .. })
        ));
        let ok = SmtpMailer::from_config(&config("127.0.0.1", SmtpTls::None, Some("u")))
            .expect("loopback may authenticate in the clear");
        assert_eq!(ok.describe(), "smtp://127.0.0.1:25");
        let tls = SmtpMailer::from_config(&config("mail.example.com", SmtpTls::Tls, Some("u")))
            .expect("TLS config");
        assert_eq!(tls.describe(), "smtps://mail.example.com:465");
        let starttls =
            SmtpMailer::from_config(&config("mail.example.com", SmtpTls::Starttls, None))
                .expect("STARTTLS config");
        assert_eq!(starttls.describe(), "smtp+starttls://mail.example.com:587");
        assert!(!format!("{starttls:?}").contains("pw"));
    }

    #[test]
    fn missing_ca_file_is_reported() {
        let mut c = config("mail.example.com", SmtpTls::Tls, None);
        c.ca_file = Some("/nonexistent/ca.pem".into());
        assert!(matches!(
            SmtpMailer::from_config(&c),
            Err(SmtpSetupError::CaFile { .. })
        ));
    }
}
