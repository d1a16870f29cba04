//! One typed configuration, from a TOML file and `MYMEET_*` variables.
//!
//! Precedence, lowest first: built-in defaults, the TOML file, environment
//! variables. Nested keys use a double underscore: `MYMEET_DATABASE__URL`
//! sets `database.url`, `MYMEET_BUS__RETRY__MAX_ATTEMPTS` sets
//! `bus.retry.max_attempts`. The defaults run everything on one machine:
//! SQLite, the in-process bus, blobs and an email outbox under `./data`.
//!
//! Every error names the key that is wrong and where it came from.

mod calendars;
mod reports;
mod scheduler;
mod secret;
mod sections;
mod transcription;

pub use calendars::{
    CalendarSyncConfig, CalendarsConfig, GoogleCalendarConfig, MicrosoftCalendarConfig,
};
pub use reports::{PdfEngineKind, ReportsConfig};
pub use scheduler::{
    BackendKind, KubernetesConfig, LauncherConfig, PlannerConfig, ProcessConfig, Resources,
    SchedulerConfig,
};
pub use secret::Secret;
pub use sections::{AnalysisConfig, AnalysisEngineKind, LlmAnalysisConfig, OpenAiAnalysisConfig};
pub use sections::{
    BusConfig, DatabaseConfig, EmailConfig, HttpConfig, LogFormat, RecipientPolicy, S3Config,
    SecurityConfig, SmtpConfig, SmtpTls, StorageConfig, TelemetryConfig,
};
pub use transcription::TranscriptionConfig;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Prefix of the environment variables that configure mymeet.
pub const ENV_PREFIX: &str = "MYMEET_";

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where embedded state lives: the SQLite file, blobs, the outbox, models.
    pub data_dir: PathBuf,
    /// Whisper and VAD models; `None` means `<data_dir>/models` (`MYMEET_MODELS_DIR`).
    pub models_dir: Option<PathBuf>,
    /// `[database]`.
    pub database: DatabaseConfig,
    /// `[scheduler]`.
    pub scheduler: SchedulerConfig,
    /// `[bus]`.
    pub bus: BusConfig,
    /// `[storage]`.
    pub storage: StorageConfig,
    /// `[email]`.
    pub email: EmailConfig,
    /// `[security]`.
    pub security: SecurityConfig,
    /// `[telemetry]`.
    pub telemetry: TelemetryConfig,
    /// `[http]`.
    pub http: HttpConfig,
    /// `[reports]`.
    pub reports: ReportsConfig,
    /// `[calendars]`.
    pub calendars: CalendarsConfig,
    /// `[transcription]`.
    pub transcription: TranscriptionConfig,
    /// `[analysis]`.
    pub analysis: AnalysisConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            models_dir: None,
            database: DatabaseConfig::default(),
            scheduler: SchedulerConfig::default(),
            bus: BusConfig::default(),
            storage: StorageConfig::default(),
            email: EmailConfig::default(),
            security: SecurityConfig::default(),
            telemetry: TelemetryConfig::default(),
            http: HttpConfig::default(),
            reports: ReportsConfig::default(),
            calendars: CalendarsConfig::default(),
            transcription: TranscriptionConfig::default(),
            analysis: AnalysisConfig::default(),
        }
    }
}

/// A configuration that cannot be used, with the key at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration key `{key}`{}: {message}", source_name.as_ref().map(|s| format!(" (from {s})")).unwrap_or_default())]
pub struct ConfigError {
    /// The dotted key, e.g. `database.url`.
    pub key: String,
    /// Where the value came from: the file or the environment variable.
    pub source_name: Option<String>,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    fn invalid(key: &str, message: impl Into<String>) -> Self {
        ConfigError {
            key: key.to_owned(),
            source_name: None,
            message: message.into(),
        }
    }
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Where blobs are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageLocation {
    /// A folder on the local filesystem.
    Local(PathBuf),
    /// An S3-compatible bucket and key prefix.
    S3 {
        /// The bucket.
        bucket: String,
        /// The prefix under which every key is stored (may be empty).
        prefix: String,
    },
}

impl Config {
    /// Loads the configuration: defaults, then `file` (if given; it must
    /// exist), then the `MYMEET_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError {
                    key: "--config".into(),
                    source_name: None,
                    message: format!("no such file: {}", path.display()),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // MYMEET_CONFIG names the file, and MYMEET_TEST_* configure the test
        // suite; neither is a key of the file.
        let env = Env::prefixed(ENV_PREFIX)
            .filter(|key| {
                key != "config" && !key.as_str().to_ascii_lowercase().starts_with("test_")
            })
            .split("__");
        figment = figment.merge(env);
        let config: Config = figment.extract().map_err(from_figment)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: URL schemes, required combinations.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.database_kind()?;
        if let Some(url) = &self.bus.url {
            if !(url.starts_with("amqp://") || url.starts_with("amqps://")) {
                return Err(ConfigError::invalid(
                    "bus.url",
                    format!("{url:?} is not an AMQP URL (amqp://USER:PASS@HOST:PORT/VHOST); leave it unset for the in-process bus"),
                ));
            }
        }
        if self.bus.exchange.is_empty() {
            return Err(ConfigError::invalid("bus.exchange", "must not be empty"));
        }
        if self.bus.prefetch == 0 {
            return Err(ConfigError::invalid("bus.prefetch", "must be at least 1"));
        }
        if self.bus.retry.max_attempts == 0 {
            return Err(ConfigError::invalid(
                "bus.retry.max_attempts",
                "must be at least 1",
            ));
        }
        self.storage_location()?;
        if let Some(smtp) = &self.email.smtp {
            if smtp.host.is_empty() {
                return Err(ConfigError::invalid("email.smtp.host", "must not be empty"));
            }
            if smtp.password.is_some() && smtp.username.is_none() {
                return Err(ConfigError::invalid(
                    "email.smtp.username",
                    "missing: a password is set without a user name",
                ));
            }
        }
        if !self.email.from.contains('@') {
            return Err(ConfigError::invalid(
                "email.from",
                format!("{:?} is not an email address", self.email.from),
            ));
        }
        Ok(())
    }

    /// The database URL, defaulting to `mymeet.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("mymeet.db").display()
            ),
        }
    }

    /// The engine the database URL names.
    pub fn database_kind(&self) -> Result<DatabaseKind, ConfigError> {
        let url = self.database_url();
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            Err(ConfigError::invalid(
                "database.url",
                format!("{url:?} is neither sqlite://PATH nor postgres://USER@HOST/DB"),
            ))
        }
    }

    /// Where blobs are kept.
    pub fn storage_location(&self) -> Result<StorageLocation, ConfigError> {
        let Some(url) = &self.storage.url else {
            return Ok(StorageLocation::Local(self.data_dir.join("blobs")));
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(ConfigError::invalid(
                    "storage.url",
                    format!("{url:?} has no bucket (expected s3://BUCKET[/PREFIX])"),
                ));
            }
            return Ok(StorageLocation::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if url.contains("://") && !url.starts_with("file://") {
            return Err(ConfigError::invalid(
                "storage.url",
                format!("{url:?}: expected a folder, file://PATH or s3://BUCKET[/PREFIX]"),
            ));
        }
        Ok(StorageLocation::Local(PathBuf::from(
            url.strip_prefix("file://").unwrap_or(url),
        )))
    }

    /// Folder of `.eml` files written when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.email
            .outbox
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }

    /// File holding the generated encryption key.
    pub fn key_file(&self) -> PathBuf {
        self.security
            .key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("encryption.key"))
    }
}

/// Turns figment's error into one line that names the dotted key.
fn from_figment(err: figment::Error) -> ConfigError {
    use figment::error::Kind;
    let mut path = err.path.clone();
    let message = match &err.kind {
        Kind::UnknownField(field, expected) => {
            if path.last() != Some(field) {
                path.push(field.clone());
            }
            if expected.is_empty() {
                "unknown key".to_owned()
            } else {
                format!("unknown key (expected one of: {})", expected.join(", "))
            }
        }
        Kind::MissingField(field) => {
            path.push(field.to_string());
            "missing".to_owned()
        }
        other => other.to_string(),
    };
    let key = if path.is_empty() {
        "(root)".to_owned()
    } else {
        path.join(".")
    };
    let source_name = err.metadata.as_ref().map(|md| {
        if md.name.contains("environment") {
            // Rebuilt here: figment's own interpolation shows the dotted key.
            format!(
                "environment variable {ENV_PREFIX}{}",
                path.join("__").to_uppercase()
            )
        } else {
            md.source
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_else(|| md.name.to_string())
        }
    });
    ConfigError {
        key,
        source_name,
        message,
    }
}

#[cfg(test)]
mod tests;
