//! The sections of the configuration file, one struct each.

use super::Secret;
use crate::bus::RetryPolicy;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[database]`: where state lives.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER@HOST/DB`. Unset: a SQLite
    /// file `mymeet.db` in the data directory.
    pub url: Option<String>,
    /// Upper bound of pooled connections.
    pub max_connections: Option<u32>,
}

/// `[bus]`: how the pipeline stages talk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BusConfig {
    /// `amqp://USER:PASS@HOST:PORT/VHOST` for RabbitMQ. Unset: the in-process
    /// bus, kept in the database.
    pub url: Option<String>,
    /// The topic exchange every message is published to.
    pub exchange: String,
    /// Put before every stage queue's name, so that several deployments (or
    /// test runs) can share one RabbitMQ virtual host.
    pub queue_prefix: String,
    /// Unacknowledged messages a consumer may hold at once.
    pub prefetch: u16,
    /// Seconds an in-process delivery stays invisible to other consumers
    /// before it counts as abandoned; renewed while its consumer lives.
    pub lease_secs: u64,
    /// Retries and back-off of failing messages (`[bus.retry]`).
    pub retry: RetryPolicy,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            url: None,
            exchange: "mymeet".into(),
            queue_prefix: String::new(),
            prefetch: 8,
            lease_secs: 60,
            retry: RetryPolicy::default(),
        }
    }
}

/// `[storage]`: where recordings and reports are kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// A local folder, or `s3://BUCKET[/PREFIX]`. Unset: `blobs/` in the data
    /// directory.
    pub url: Option<String>,
    /// S3-compatible settings, used with an `s3://` URL.
    pub s3: S3Config,
}

/// `[storage.s3]`: an S3-compatible object store (AWS, MinIO, Ceph, R2, ...).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct S3Config {
    /// The endpoint, e.g. `http://minio:9000`; unset for AWS.
    pub endpoint: Option<String>,
    /// The region; `us-east-1` when unset.
    pub region: Option<String>,
    /// The access key id; unset to use the environment's AWS credentials.
    pub access_key_id: Option<String>,
    /// The secret access key.
    pub secret_access_key: Option<Secret>,
    /// Allow a plain-HTTP endpoint (in-cluster MinIO).
    pub allow_http: bool,
}

/// `[email]`: how reports reach people.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// The sender, e.g. `mymeet <reports@example.com>`.
    pub from: String,
    /// Folder for `.eml` files when no SMTP server is configured. Unset:
    /// `outbox/` in the data directory.
    pub outbox: Option<PathBuf>,
    /// An SMTP server; when set, mail is sent instead of written to the outbox.
    pub smtp: Option<SmtpConfig>,
    /// Who receives a meeting's report.
    pub recipients: RecipientPolicy,
    /// The tenant's own email domains for `attendees_in_domains`. Empty: the
    /// domains of the tenant's users' addresses.
    pub domains: Vec<String>,
    /// Attach the DOCX report beside the PDF.
    pub attach_docx: bool,
}

/// `email.recipients`: who receives a meeting's report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientPolicy {
    /// The users who asked for the bot.
    #[default]
    Requesters,
    /// Everyone invited to the meeting (and the requesters).
    Attendees,
    /// Attendees whose address is in one of the tenant's domains (and the requesters).
    AttendeesInDomains,
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            from: "mymeet <mymeet@localhost>".into(),
            outbox: None,
            smtp: None,
            recipients: RecipientPolicy::default(),
            domains: Vec::new(),
            attach_docx: false,
        }
    }
}

/// `[email.smtp]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name of the server.
    pub host: String,
    /// Port; 25, 587 or 465 by `tls` when unset.
    pub port: Option<u16>,
    /// Transport security.
    #[serde(default)]
    pub tls: SmtpTls,
    /// User name for AUTH, if the server wants it.
    pub username: Option<String>,
    /// Password for AUTH.
    pub password: Option<Secret>,
    /// A PEM file of extra CA certificates to trust (a private mail server).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Seconds one send may take, from connecting to the server's last
    /// answer; 60 when unset.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// Transport security of an SMTP connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text; only sensible on loopback.
    None,
    /// Upgrade with STARTTLS (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// `[security]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// The AES-256 key that encrypts OAuth tokens at rest: 32 bytes, base64.
    /// Unset: read from (or, the first time, generated into) `key_file`.
    pub encryption_key: Option<Secret>,
    /// Where the generated key is kept. Unset: `encryption.key` in the data
    /// directory.
    pub key_file: Option<PathBuf>,
}

/// `[telemetry]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// `pretty`, `json`, or `auto` (pretty on a terminal, JSON otherwise).
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `mymeet_bot=debug,info`;
    /// `RUST_LOG` wins when set.
    pub log_filter: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            log_format: LogFormat::Auto,
            // chromiumoxide warns on every CDP event newer than its schema.
            log_filter: "info,chromiumoxide::handler=error".into(),
        }
    }
}

/// How log lines look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Pretty on a terminal, JSON otherwise.
    #[default]
    Auto,
    /// Human-readable, coloured.
    Pretty,
    /// One JSON object per line, for log shippers.
    Json,
}

/// `[http]`: the API server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Address `mymeet serve` listens on.
    pub listen: String,
    /// The URL people reach the server at (for OAuth redirects and links).
    pub public_url: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// `[analysis]`: how a transcript becomes a report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisConfig {
    /// `builtin` (offline, the default), `openai` or `llm`.
    pub engine: AnalysisEngineKind,
    /// `[analysis.openai]`: an OpenAI-compatible chat completions endpoint.
    pub openai: OpenAiAnalysisConfig,
    /// `[analysis.llm]`: a local GGUF chat model.
    pub llm: LlmAnalysisConfig,
}

/// Which analysis engine writes reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisEngineKind {
    /// Extractive summary and cue phrases, no model needed.
    #[default]
    Builtin,
    /// An OpenAI-compatible HTTP endpoint.
    Openai,
    /// A local quantized GGUF model run on candle.
    Llm,
}

/// `[analysis.openai]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiAnalysisConfig {
    /// The API root, ending before `/chat/completions`.
    pub base_url: String,
    /// The bearer token, if the endpoint needs one.
    pub api_key: Option<Secret>,
    /// The model name sent with each request.
    pub model: String,
    /// Seconds to wait for an answer before falling back to the built-in engine.
    pub timeout_secs: u64,
}

impl Default for OpenAiAnalysisConfig {
    fn default() -> Self {
        OpenAiAnalysisConfig {
            base_url: "https://api.openai.com/v1".into(),
            api_key: None,
            model: "gpt-4o-mini".into(),
            timeout_secs: 120,
        }
    }
}

/// `[analysis.llm]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LlmAnalysisConfig {
    /// A model store name (`smollm2-135m`) or the path of a `.gguf` file.
    pub model: String,
    /// Upper bound of generated tokens per report.
    pub max_tokens: usize,
    /// Upper bound of transcript characters put in the prompt (small models have small contexts).
    pub max_prompt_chars: usize,
}

impl Default for LlmAnalysisConfig {
    fn default() -> Self {
        LlmAnalysisConfig {
            model: "smollm2-135m".into(),
            max_tokens: 512,
            max_prompt_chars: 4000,
        }
    }
}
