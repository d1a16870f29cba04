//! Logs and metrics.
//!
//! Logs go to stderr (stdout is for command output such as transcripts):
//! pretty on a terminal, one JSON object per line otherwise or when
//! configured, for log shippers. Metrics are kept in one Prometheus registry
//! per process that every crate adds to with the `metrics` macros; the API
//! serves it at `/metrics`.

use crate::config::{ConfigError, LogFormat, TelemetryConfig};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

static METRICS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global log subscriber and the metrics registry.
///
/// `RUST_LOG`, when set, wins over `telemetry.log_filter`. Calling it twice
/// keeps the first subscriber.
pub fn init(config: &TelemetryConfig) -> Result<(), ConfigError> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.is_empty() => EnvFilter::try_new(&spec).map_err(|e| ConfigError {
            key: "telemetry.log_filter".into(),
            source_name: Some("environment variable RUST_LOG".into()),
            message: e.to_string(),
        })?,
        _ => EnvFilter::try_new(&config.log_filter).map_err(|e| ConfigError {
            key: "telemetry.log_filter".into(),
            source_name: None,
            message: format!("{:?}: {e}", config.log_filter),
        })?,
    };
    let json = match config.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_writer(std::io::stderr),
            )
            .try_init()
    } else {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .with_writer(std::io::stderr),
            )
            .try_init()
    };
    if result.is_err() {
        tracing::debug!("a log subscriber was already installed");
    }
    metrics_handle();
    Ok(())
}

/// The process-wide Prometheus registry, installed on first use.
pub fn metrics_handle() -> &'static PrometheusHandle {
    METRICS.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then this
        // registry simply stays empty.
        let _ = metrics::set_global_recorder(recorder);
        describe();
        handle
    })
}

/// Renders every metric in the Prometheus text format.
pub fn render_metrics() -> String {
    metrics_handle().render()
}

/// One-line help for the metrics this crate records.
fn describe() {
    metrics::describe_counter!(
        "mymeet_bus_published_total",
        "Messages published on the bus, by topic."
    );
    metrics::describe_counter!(
        "mymeet_bus_settled_total",
        "Deliveries settled by consumers, by topic and outcome (ack, retry, dead_letter)."
    );
    metrics::describe_histogram!(
        "mymeet_stage_seconds",
        "Time a pipeline stage's handler took per message, by queue."
    );
}
