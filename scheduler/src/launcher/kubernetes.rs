//! Bots as Kubernetes Jobs: one Job per launch of a bot, labelled with the
//! bot id, never retried by Kubernetes itself (`backoffLimit: 0`, pods
//! `restartPolicy: Never`) because the launcher decides about restarts, and
//! deleted by the cluster a while after it finishes.

use super::backend::{Backend, LaunchError, RunStatus};
use super::config::{KubernetesConfig, Resources};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMapEnvSource, Container, EnvFromSource, EnvVar, PodSpec, PodTemplateSpec,
    ResourceRequirements, SecretEnvSource,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams, PostParams};
use mymeet_core::db::entities::bots;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Label naming the application of every bot Job and pod.
pub const APP_LABEL: (&str, &str) = ("app.kubernetes.io/name", "mymeet-bot");
/// Label carrying the bot id.
pub const BOT_ID_LABEL: &str = "mymeet.io/bot-id";

/// The Job name of a bot's `attempt`-th launch (unique per launch, because a
/// crashed bot's Job stays until its TTL).
pub fn job_name(bot_id: Uuid, attempt: u32) -> String {
    format!("mymeet-bot-{}-{attempt}", bot_id.simple())
}

/// The Job that runs `mymeet bot --bot-id ID` for one launch of a bot.
pub fn build_job(config: &KubernetesConfig, bot_id: Uuid, attempt: u32) -> Job {
    let mut labels = BTreeMap::new();
    labels.insert(APP_LABEL.0.to_owned(), APP_LABEL.1.to_owned());
    labels.insert(BOT_ID_LABEL.to_owned(), bot_id.to_string());
    labels.insert(
        "app.kubernetes.io/managed-by".to_owned(),
        "mymeet-scheduler".to_owned(),
    );
    labels.insert("mymeet.io/attempt".to_owned(), attempt.to_string());
    let mut args = config.args.clone();
    args.extend(["--bot-id".to_owned(), bot_id.to_string()]);
    let mut env: Vec<EnvVar> = config
        .env
        .iter()
        .map(|(k, v)| EnvVar {
            name: k.clone(),
            value: Some(v.clone()),
            ..EnvVar::default()
        })
        .collect();
    env.push(EnvVar {
        name: "MYMEET_BOT_ATTEMPT".into(),
        value: Some(attempt.to_string()),
        ..EnvVar::default()
    });
    let mut env_from = Vec::new();
    if let Some(name) = &config.env_from_secret {
        env_from.push(EnvFromSource {
            secret_ref: Some(SecretEnvSource {
                name: name.clone(),
                optional: Some(false),
            }),
            ..EnvFromSource::default()
        });
    }
    if let Some(name) = &config.env_from_config_map {
        env_from.push(EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: name.clone(),
                optional: Some(false),
            }),
            ..EnvFromSource::default()
        });
    }
    let container = Container {
        name: "bot".into(),
        image: Some(config.image.clone()),
        image_pull_policy: config.image_pull_policy.clone(),
        command: (!config.command.is_empty()).then(|| config.command.clone()),
        args: Some(args),
        env: Some(env),
        env_from: (!env_from.is_empty()).then_some(env_from),
        resources: Some(ResourceRequirements {
            requests: quantities(&config.requests),
            limits: quantities(&config.limits),
            ..ResourceRequirements::default()
        }),
        ..Container::default()
    };
    Job {
        metadata: ObjectMeta {
            name: Some(job_name(bot_id, attempt)),
            namespace: Some(config.namespace.clone()),
            labels: Some(labels.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(0),
            ttl_seconds_after_finished: Some(config.ttl_seconds_after_finished),
            active_deadline_seconds: config.active_deadline_seconds,
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    service_account_name: config.service_account.clone(),
                    containers: vec![container],
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        status: None,
    }
}

fn quantities(r: &Resources) -> Option<BTreeMap<String, Quantity>> {
    let mut m = BTreeMap::new();
    if let Some(cpu) = &r.cpu {
        m.insert("cpu".to_owned(), Quantity(cpu.clone()));
    }
    if let Some(mem) = &r.memory {
        m.insert("memory".to_owned(), Quantity(mem.clone()));
    }
    (!m.is_empty()).then_some(m)
}

/// Checks what the API server would check on create: names and labels by
/// their syntax, a container with a name and image, a restart policy a Job
/// accepts, quantities that parse. Every problem is listed.
pub fn validate_job(job: &Job) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    match job.metadata.name.as_deref() {
        Some(n) if is_dns_label(n) => {}
        other => errs.push(format!("metadata.name {other:?} is not a DNS-1123 label")),
    }
    for (k, v) in job.metadata.labels.iter().flatten() {
        check_label(k, v, "metadata.labels", &mut errs);
    }
    let Some(spec) = &job.spec else {
        errs.push("spec is required".into());
        return Err(errs);
    };
    if spec.backoff_limit.is_some_and(|b| b < 0) {
        errs.push("spec.backoffLimit must be >= 0".into());
    }
    if spec.ttl_seconds_after_finished.is_some_and(|t| t < 0) {
        errs.push("spec.ttlSecondsAfterFinished must be >= 0".into());
    }
    if spec.active_deadline_seconds.is_some_and(|t| t <= 0) {
        errs.push("spec.activeDeadlineSeconds must be > 0".into());
    }
    let tmpl = &spec.template;
    for (k, v) in tmpl.metadata.iter().flat_map(|m| m.labels.iter().flatten()) {
        check_label(k, v, "spec.template.metadata.labels", &mut errs);
    }
    let Some(pod) = &tmpl.spec else {
        errs.push("spec.template.spec is required".into());
        return Err(errs);
    };
    match pod.restart_policy.as_deref() {
        Some("Never") | Some("OnFailure") => {}
        other => errs.push(format!(
            "spec.template.spec.restartPolicy {other:?}: a Job needs Never or OnFailure"
        )),
    }
    if pod.containers.is_empty() {
        errs.push("spec.template.spec.containers must not be empty".into());
    }
    for (i, c) in pod.containers.iter().enumerate() {
        if !is_dns_label(&c.name) {
            errs.push(format!(
                "containers[{i}].name {:?} is not a DNS-1123 label",
                c.name
            ));
        }
        if c.image.as_deref().is_none_or(|s| s.trim().is_empty()) {
            errs.push(format!("containers[{i}].image is required"));
        }
        if let Some(p) = c.image_pull_policy.as_deref() {
            if !matches!(p, "Always" | "IfNotPresent" | "Never") {
                errs.push(format!(
                    "containers[{i}].imagePullPolicy {p:?} is not allowed"
                ));
            }
        }
        let res = c.resources.as_ref();
        for (what, map) in [
            ("requests", res.and_then(|r| r.requests.as_ref())),
            ("limits", res.and_then(|r| r.limits.as_ref())),
        ] {
            for (k, q) in map.into_iter().flatten() {
                if !is_quantity(&q.0) {
                    errs.push(format!(
                        "containers[{i}].resources.{what}.{k}: {:?} is not a quantity",
                        q.0
                    ));
                }
            }
        }
        for e in c.env.iter().flatten() {
            if e.name.is_empty() || e.name.contains('=') {
                errs.push(format!(
                    "containers[{i}].env name {:?} is not valid",
                    e.name
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A label name or value segment: ≤ 63 characters of `[A-Za-z0-9._-]`,
/// starting and ending alphanumeric.
fn is_label_segment(s: &str, allow_empty: bool) -> bool {
    if s.is_empty() {
        return allow_empty;
    }
    s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

fn check_label(k: &str, v: &str, at: &str, errs: &mut Vec<String>) {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(is_dns_label));
    if !prefix_ok || !is_label_segment(name, false) {
        errs.push(format!("{at}: key {k:?} is not a valid label key"));
    }
    if !is_label_segment(v, true) {
        errs.push(format!(
            "{at}: value {v:?} of {k:?} is not a valid label value"
        ));
    }
}

/// A resource quantity: a decimal number with an optional SI, binary or
/// exponent suffix (`500m`, `2`, `1.5Gi`, `1e3`).
fn is_quantity(s: &str) -> bool {
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    let num_ok = !num.is_empty()
        && num.trim_start_matches(['+', '-']).parse::<f64>().is_ok()
        && !num.trim_start_matches(['+', '-']).contains(['+', '-']);
    let suffix_ok = matches!(
        suffix,
        "" | "n"
            | "u"
            | "m"
            | "k"
            | "M"
            | "G"
            | "T"
            | "P"
            | "E"
            | "Ki"
            | "Mi"
            | "Gi"
            | "Ti"
            | "Pi"
            | "Ei"
    ) || (suffix.len() > 1
        && (suffix.starts_with('e') || suffix.starts_with('E'))
        && suffix[1..]
            .trim_start_matches(['+', '-'])
            .parse::<u32>()
            .is_ok());
    num_ok && suffix_ok
}

/// Starts bots as Jobs in one namespace.
#[derive(Clone)]
pub struct KubeBackend {
    jobs: Api<Job>,
    config: KubernetesConfig,
}

impl KubeBackend {
    /// A backend on `client` (see `kube::Client::try_default`).
    pub fn new(client: kube::Client, config: KubernetesConfig) -> KubeBackend {
        KubeBackend {
            jobs: Api::namespaced(client, &config.namespace),
            config,
        }
    }
}

#[async_trait::async_trait]
impl Backend for KubeBackend {
    async fn start(&self, bot_id: Uuid, attempt: u32) -> Result<(), LaunchError> {
        let job = build_job(&self.config, bot_id, attempt);
        validate_job(&job).map_err(|e| LaunchError::InvalidJob(e.join("; ")))?;
        match self.jobs.create(&PostParams::default(), &job).await {
            Ok(_) => Ok(()),
            // The same launch created it already (a retried request).
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn status(&self, bot: &bots::Model) -> Result<RunStatus, LaunchError> {
        let selector = format!("{BOT_ID_LABEL}={}", bot.id);
        let list = match self
            .jobs
            .list(&ListParams::default().labels(&selector))
            .await
        {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(bot = %bot.id, error = %e, "cannot list bot jobs");
                return Ok(RunStatus::Unknown);
            }
        };
        let newest = list.items.into_iter().max_by_key(|j| {
            j.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("mymeet.io/attempt"))
                .and_then(|a| a.parse::<u32>().ok())
                .unwrap_or(0)
        });
        let Some(job) = newest else {
            return Ok(RunStatus::Gone);
        };
        let status = job.status.unwrap_or_default();
        let finished = status.succeeded.unwrap_or(0) > 0
            || status.failed.unwrap_or(0) > 0
            || status.completion_time.is_some();
        Ok(if finished {
            RunStatus::Gone
        } else {
            RunStatus::Running
        })
    }
}
