//! Delivery of a finished report by email: composing the message
//! ([`message`]), sending it over SMTP or into the outbox folder ([`Mailer`]),
//! choosing who receives it ([`recipients`]) and doing so exactly once per
//! report and recipient ([`deliver()`]).
//!
//! # Exactly once
//!
//! Every (report, recipient) has one `deliveries` row, claimed before anything
//! is sent; its unique key makes racing or redelivered bus messages share the
//! row, and a row marked `sent` is never sent again. The row also fixes the
//! Message-ID, so every attempt sends the very same message.
//!
//! One window remains: the worker dies after the SMTP server accepted the
//! message (`250` after `DATA`) and before `mark_sent` committed. SMTP has no
//! way to ask a server whether it already holds a message, so the redelivered
//! bus message sends it again. Because the Message-ID is stable, the second
//! copy is the same message by RFC 5322 and receivers that deduplicate on
//! Message-ID (Gmail, most MUAs' threading) show it once; the window itself is
//! a few milliseconds long. The outbox has no window: the file is named by the
//! Message-ID and created without overwriting, so a second attempt finds it
//! and writes nothing.
//!
//! Two live workers holding the same bus message at once (a lease that lapsed
//! while its consumer was still sending) could both send a `pending` row; the
//! bus renews leases while a consumer lives, which makes that rare, and the
//! copies again share one Message-ID. Only one of them marks the row sent.

pub mod deliver;
pub mod mailer;
pub mod message;
pub mod message_id;
pub mod outbox;
pub mod recipients;
pub mod smtp;
pub mod subject;

pub use deliver::{deliver, DeliveryError, DeliveryOutcome};
pub use mailer::{mailer_from_config, Mailer, SendError};
pub use message::{compose, Attachment, ComposeError, ComposedEmail, EmailMessage};
pub use message_id::stable_message_id;
pub use outbox::OutboxMailer;
pub use recipients::{recipients, RecipientsError};
pub use smtp::{SmtpMailer, SmtpSetupError};
pub use subject::subject;
