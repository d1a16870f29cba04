//! The `[email]` settings delivery reads, through the real configuration loader.

use mymeet_core::config::{Config, RecipientPolicy, SmtpTls};
use mymeet_pipeline::delivery::mailer_from_config;

fn load(toml: &str) -> Result<Config, String> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("mymeet.toml");
    std::fs::write(&path, toml).expect("write config");
    Config::load(Some(&path)).map_err(|e| e.to_string())
}

#[test]
fn email_settings_load_and_pick_the_mailer() {
    let config = load(
        r#"
        [email]
        from = "Reports <reports@acme.test>"
        recipients = "attendees_in_domains"
        domains = ["acme.test", "acme.example"]
        attach_docx = true

        [email.smtp]
        host = "127.0.0.1"
        port = 2525
        tls = "none"
        timeout_secs = 5
        "#,
    )
    .expect("valid config");
    let email = &config.email;
    assert_eq!(email.recipients, RecipientPolicy::AttendeesInDomains);
    assert_eq!(email.domains, ["acme.test", "acme.example"]);
    assert!(email.attach_docx);
    let smtp = email.smtp.as_ref().expect("smtp");
    assert_eq!(smtp.tls, SmtpTls::None);
    assert_eq!(smtp.timeout_secs, Some(5));
    assert_eq!(smtp.ca_file, None);
    let mailer = mailer_from_config(&config).expect("mailer");
    assert_eq!(mailer.describe(), "smtp://127.0.0.1:2525");
}

#[test]
fn defaults_are_requesters_and_pdf_only() {
    let config = load("").expect("empty config");
    assert_eq!(config.email.recipients, RecipientPolicy::Requesters);
    assert!(config.email.domains.is_empty());
    assert!(!config.email.attach_docx);
    assert!(config.email.smtp.is_none());
}

#[test]
fn an_unknown_policy_names_its_key() {
    let err = load("[email]\nrecipients = \"everyone\"\n").expect_err("unknown policy");
    assert!(err.contains("recipients"), "{err}");
}
