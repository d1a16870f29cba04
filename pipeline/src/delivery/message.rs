//! One report email: what the coordinator hands over ([`EmailMessage`]) and
//! the MIME message built from it for one recipient ([`compose`]).

use super::subject::subject;
use chrono::NaiveDate;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as AttachmentPart, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// RFC 3834: marks the mail as sent by a machine, so that auto-responders
/// (out-of-office replies) do not answer it.
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

/// A file attached to the email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the recipient sees, e.g. `report.pdf`.
    pub filename: String,
    /// Its MIME type, e.g. `application/pdf`.
    pub mime: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The content of a report email, the same for every recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// The sender, e.g. `mymeet <reports@example.com>` (`email.from`).
    pub from: String,
    /// The meeting's title, for the subject.
    pub meeting_title: String,
    /// The meeting's date (in the recipients' time zone), for the subject.
    pub meeting_date: NaiveDate,
    /// The report's language tag (`en`, `ru`); picks the subject's language.
    pub language: String,
    /// The HTML body.
    pub html: String,
    /// The plain-text body, for mail readers that do not show HTML.
    pub text: String,
    /// Attached files (the PDF report, the DOCX when configured).
    pub attachments: Vec<Attachment>,
}

/// A message ready to send to one recipient.
#[derive(Debug, Clone)]
pub struct ComposedEmail {
    /// Its Message-ID, with angle brackets, as in the header.
    pub message_id: String,
    /// The recipient's address.
    pub recipient: String,
    /// The MIME message with its SMTP envelope.
    pub message: Message,
}

impl ComposedEmail {
    /// The message as it goes over the wire (RFC 5322 bytes).
    pub fn formatted(&self) -> Vec<u8> {
        self.message.formatted()
    }
}

/// Why a message could not be built; retrying never helps.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The sender (`email.from`) is not an address.
    #[error("the sender {from:?} is not an email address: {source}")]
    From {
        /// The configured sender.
        from: String,
        /// What is wrong with it.
        source: lettre::address::AddressError,
    },
    /// The recipient is not an address.
    #[error("the recipient {recipient:?} is not an email address: {source}")]
    Recipient {
        /// The recipient as given.
        recipient: String,
        /// What is wrong with it.
        source: lettre::address::AddressError,
    },
    /// An attachment's MIME type cannot be parsed.
    #[error("attachment {filename:?} has an invalid MIME type {mime:?}")]
    Mime {
        /// The attachment's file name.
        filename: String,
        /// The MIME type given.
        mime: String,
    },
    /// lettre refused the message.
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Builds the email to `recipient` with the Message-ID `message_id` (angle
/// brackets included): `multipart/alternative` of the plain text and the HTML,
/// wrapped in `multipart/mixed` with the attachments when there are any.
pub fn compose(
    message: &EmailMessage,
    recipient: &str,
    message_id: &str,
) -> Result<ComposedEmail, ComposeError> {
    let from: Mailbox = message.from.parse().map_err(|source| ComposeError::From {
        from: message.from.clone(),
        source,
    })?;
    let to: Mailbox = recipient
        .trim()
        .parse()
        .map_err(|source| ComposeError::Recipient {
            recipient: recipient.to_owned(),
            source,
        })?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(subject(
            &message.meeting_title,
            message.meeting_date,
            &message.language,
        ))
        .message_id(Some(message_id.to_owned()))
        .raw_header(HeaderValue::new(
            AUTO_SUBMITTED,
            "auto-generated".to_owned(),
        ));
    let bodies = MultiPart::alternative()
        .singlepart(SinglePart::plain(message.text.clone()))
        .singlepart(SinglePart::html(message.html.clone()));
    let built = if message.attachments.is_empty() {
        builder.multipart(bodies)?
    } else {
        let mut mixed = MultiPart::mixed().multipart(bodies);
        for attachment in &message.attachments {
            mixed = mixed.singlepart(attachment_part(attachment)?);
        }
        builder.multipart(mixed)?
    };
    Ok(ComposedEmail {
        message_id: message_id.to_owned(),
        recipient: recipient.trim().to_owned(),
        message: built,
    })
}

/// The MIME part of one attachment (base64, `Content-Disposition: attachment`).
fn attachment_part(attachment: &Attachment) -> Result<SinglePart, ComposeError> {
    let content_type = ContentType::parse(&attachment.mime).map_err(|_| ComposeError::Mime {
        filename: attachment.filename.clone(),
        mime: attachment.mime.clone(),
    })?;
    Ok(AttachmentPart::new(attachment.filename.clone())
        .body(attachment.bytes.clone(), content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EmailMessage {
        EmailMessage {
            from: "mymeet <reports@example.org>".into(),
            meeting_title: "Weekly sync".into(),
            meeting_date: NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date"),
            language: "en".into(),
            html: "<p>Summary</p>".into(),
            text: "Summary".into(),
            attachments: vec![Attachment {
                filename: "report.pdf".into(),
                mime: "application/pdf".into(),
                bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
            }],
        }
    }

    #[test]
    fn headers_and_structure() {
        let email =
            compose(&sample(), "Ann <ann@example.com>", "<r.1@example.org>").expect("composes");
        let raw = String::from_utf8(email.formatted()).expect("ASCII message");
        assert!(raw.contains("Message-ID: <r.1@example.org>\r\n"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(
            raw.contains("From: mymeet <reports@example.org>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Content-Type: multipart/mixed;"), "{raw}");
        assert!(
            raw.contains("Content-Type: multipart/alternative;"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/html; charset=utf-8"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Disposition: attachment; filename=\"report.pdf\""),
            "{raw}"
        );
        let to: Vec<String> = email
            .message
            .envelope()
            .to()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(to, ["ann@example.com"]);
    }

    #[test]
    fn no_attachments_is_just_alternative() {
        let mut m = sample();
        m.attachments.clear();
        let raw = String::from_utf8(
            compose(&m, "ann@example.com", "<x@y>")
                .expect("composes")
                .formatted(),
        )
        .expect("ASCII");
        assert!(!raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
    }

    #[test]
    fn bad_addresses_and_types_are_errors() {
        let m = sample();
        assert!(matches!(
            compose(&m, "not an address", "<x@y>"),
            Err(ComposeError::Recipient { .. })
        ));
        let mut bad_from = sample();
        bad_from.from = "nobody".into();
        assert!(matches!(
            compose(&bad_from, "a@b.c", "<x@y>"),
            Err(ComposeError::From { .. })
        ));
        let mut bad_mime = sample();
        bad_mime.attachments[0].mime = "no slash".into();
        assert!(matches!(
            compose(&bad_mime, "a@b.c", "<x@y>"),
            Err(ComposeError::Mime { .. })
        ));
    }
}
