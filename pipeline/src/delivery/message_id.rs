//! The stable Message-ID of one delivery.

use lettre::message::Mailbox;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The right-hand side used when the sender's address cannot be parsed.
const FALLBACK_DOMAIN: &str = "mymeet.localhost";

/// `<REPORT.HASH@DOMAIN>`: the same for every attempt at sending `report_id`
/// to `recipient`, and different for every other pair. The recipient appears
/// only as a hash, so the id reveals no address; the domain is the sender's,
/// as RFC 5322 asks for ids that are unique worldwide.
pub fn stable_message_id(report_id: Uuid, recipient: &str, from: &str) -> String {
    let recipient = recipient.trim().to_lowercase();
    let digest = Sha256::digest(recipient.as_bytes());
    let hash = hex::encode(&digest[..8]);
    let domain = from
        .parse::<Mailbox>()
        .map(|m| m.email.domain().to_ascii_lowercase())
        .unwrap_or_else(|_| FALLBACK_DOMAIN.to_owned());
    format!("<{}.{hash}@{domain}>", report_id.simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_per_pair_and_distinct_between_pairs() {
        let report = Uuid::new_v4();
        let from = "mymeet <reports@example.org>";
        let a = stable_message_id(report, "ann@example.com", from);
        assert_eq!(a, stable_message_id(report, " Ann@Example.COM ", from));
        assert_ne!(a, stable_message_id(report, "bob@example.com", from));
        assert_ne!(
            a,
            stable_message_id(Uuid::new_v4(), "ann@example.com", from)
        );
        assert!(a.starts_with(&format!("<{}.", report.simple())), "{a}");
        assert!(a.ends_with("@example.org>"), "{a}");
        assert!(!a.contains("ann"), "the address must not leak: {a}");
    }

    #[test]
    fn unparsable_sender_falls_back() {
        let id = stable_message_id(Uuid::new_v4(), "a@b.c", "not an address");
        assert!(id.ends_with("@mymeet.localhost>"), "{id}");
    }
}
