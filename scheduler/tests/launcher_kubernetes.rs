//! The Kubernetes Job a bot launch would create, checked against the Job
//! schema by k8s-openapi (strict round trip) and the API server's rules.
//! There is no cluster here: the manifest is what is tested.

use k8s_openapi::api::batch::v1::Job;
use mymeet_scheduler::launcher::{build_job, job_name, validate_job, KubernetesConfig, Resources};
use uuid::Uuid;

fn config() -> KubernetesConfig {
    KubernetesConfig {
        namespace: "meetings".into(),
        image: "registry.example.com/mymeet:1.2.3".into(),
        image_pull_policy: Some("IfNotPresent".into()),
        requests: Resources {
            cpu: Some("500m".into()),
            memory: Some("768Mi".into()),
        },
        limits: Resources {
            cpu: Some("2".into()),
            memory: Some("2Gi".into()),
        },
        ttl_seconds_after_finished: 600,
        env_from_secret: Some("mymeet-env".into()),
        ..KubernetesConfig::default()
    }
}

#[test]
fn the_job_round_trips_through_the_schema_and_carries_the_settings() {
    // kube is in the tree: install the one crypto provider (STACK.md).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bot = Uuid::parse_str("0190f3c2-7a3b-7c1d-8e2f-1a2b3c4d5e6f").unwrap();
    let job = build_job(&config(), bot, 2);
    validate_job(&job).unwrap_or_else(|e| panic!("{e:?}"));

    let json = serde_json::to_value(&job).unwrap();
    // Strict: deserializing and serializing again loses nothing, so every
    // field written is a field of batch/v1 Job.
    let back: Job = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    assert_eq!(back, job);

    assert_eq!(json["apiVersion"], "batch/v1");
    assert_eq!(json["kind"], "Job");
    let name = json["metadata"]["name"].as_str().unwrap();
    assert_eq!(name, job_name(bot, 2));
    assert!(name.len() <= 63);
    assert_eq!(json["metadata"]["namespace"], "meetings");
    for labels in [
        &json["metadata"]["labels"],
        &json["spec"]["template"]["metadata"]["labels"],
    ] {
        assert_eq!(labels["app.kubernetes.io/name"], "mymeet-bot");
        assert_eq!(labels["mymeet.io/bot-id"], bot.to_string());
    }
    let spec = &json["spec"];
    assert_eq!(spec["backoffLimit"], 0);
    assert_eq!(spec["ttlSecondsAfterFinished"], 600);
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let containers = pod["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    assert_eq!(c["image"], "registry.example.com/mymeet:1.2.3");
    assert_eq!(c["command"], serde_json::json!(["mymeet"]));
    assert_eq!(
        c["args"],
        serde_json::json!(["bot", "--bot-id", bot.to_string()])
    );
    assert_eq!(c["resources"]["requests"]["cpu"], "500m");
    assert_eq!(c["resources"]["requests"]["memory"], "768Mi");
    assert_eq!(c["resources"]["limits"]["cpu"], "2");
    assert_eq!(c["resources"]["limits"]["memory"], "2Gi");
    assert_eq!(c["envFrom"][0]["secretRef"]["name"], "mymeet-env");
}

#[test]
fn a_manifest_with_unknown_or_missing_fields_is_caught() {
    let bot = Uuid::new_v4();
    let mut json = serde_json::to_value(build_job(&config(), bot, 1)).unwrap();
    // A misspelt field would be dropped by the schema: the round trip shows it.
    json["spec"]["backofLimit"] = serde_json::json!(3);
    let back: Job = serde_json::from_value(json.clone()).unwrap();
    assert_ne!(serde_json::to_value(&back).unwrap(), json);
    // k8s-openapi fills a missing required `template` with a default; the
    // validation refuses the Job then, as the API server would.
    let mut json = serde_json::to_value(build_job(&config(), bot, 1)).unwrap();
    json["spec"].as_object_mut().unwrap().remove("template");
    let hollow: Job = serde_json::from_value(json).unwrap();
    let errs = validate_job(&hollow).unwrap_err();
    assert!(
        errs.iter().any(|e| e.contains("spec.template.spec")),
        "{errs:?}"
    );

    let mut bad = config();
    bad.requests.memory = Some("lots".into());
    bad.image = " ".into();
    let mut job = build_job(&bad, bot, 1);
    job.spec
        .as_mut()
        .unwrap()
        .template
        .spec
        .as_mut()
        .unwrap()
        .restart_policy = Some("Always".into());
    let errs = validate_job(&job).unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
}
