//! The [`Mailer`] trait: something that takes a composed email and either
//! hands it on or says whether trying again could help.

use super::message::ComposedEmail;
use super::outbox::OutboxMailer;
use super::smtp::{SmtpMailer, SmtpSetupError};
use mymeet_core::config::Config;

/// Why an email was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth another try later: a 4xx answer, a refused or broken connection,
    /// a timeout, a full disk.
    #[error("transient: {0}")]
    Transient(String),
    /// Never worth another try: a 5xx answer (unknown mailbox, refused
    /// sender, failed authentication). Holds the server's answer.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// Sends composed emails.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one email to its recipient; `Ok` once the server (or the outbox
    /// folder) holds it.
    async fn send(&self, email: &ComposedEmail) -> Result<(), SendError>;

    /// A short description for logs: `smtp://host:port` or the outbox folder.
    fn describe(&self) -> String;
}

/// The mailer the configuration asks for: SMTP when `[email.smtp]` is set,
/// otherwise the outbox folder (the embedded default).
pub fn mailer_from_config(config: &Config) -> Result<Box<dyn Mailer>, SmtpSetupError> {
    let mailer: Box<dyn Mailer> = match &config.email.smtp {
        Some(smtp) => Box::new(SmtpMailer::from_config(smtp)?),
        None => Box::new(OutboxMailer::new(config.outbox_dir())),
    };
    Ok(mailer)
}
