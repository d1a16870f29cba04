//! `[analysis]` in the configuration file picks and builds the engine.

use mymeet_core::config::{AnalysisEngineKind, Config};
use mymeet_pipeline::analysis::{engine_from_config, AnalysisError};
use mymeet_pipeline::models::{self, ModelStore, MODELS_DIR_ENV};

fn load(toml: &str) -> Config {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mymeet.toml");
    std::fs::write(&path, toml).expect("write config");
    Config::load(Some(&path)).expect("valid config")
}

fn store() -> ModelStore {
    ModelStore::new(
        std::env::var(MODELS_DIR_ENV).unwrap_or_else(|_| "/var/tmp/mymeet-models".to_owned()),
    )
}

#[test]
fn analysis_defaults_to_the_builtin_engine() {
    let config = load("");
    assert_eq!(config.analysis.engine, AnalysisEngineKind::Builtin);
    let engine = engine_from_config(&config.analysis, &store()).expect("builtin");
    assert_eq!(engine.name(), "builtin");
}

#[test]
fn analysis_openai_section_builds_the_http_engine_and_hides_the_key() {
    let config = load(
        "[analysis]\nengine = \"openai\"\n[analysis.openai]\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key = \"sk-secret\"\nmodel = \"llama3\"\n",
    );
    assert_eq!(config.analysis.openai.model, "llama3");
    assert!(!format!("{:?}", config.analysis).contains("sk-secret"));
    let engine = engine_from_config(&config.analysis, &store()).expect("openai");
    assert_eq!(engine.name(), "openai:llama3");
}

#[test]
fn analysis_llm_engine_needs_its_model() {
    let empty = tempfile::tempdir().expect("temp dir");
    let config = load("[analysis]\nengine = \"llm\"\n");
    assert_eq!(config.analysis.llm.model, "smollm2-135m");
    let err = engine_from_config(&config.analysis, &ModelStore::new(empty.path()))
        .err()
        .expect("no model installed");
    assert!(matches!(err, AnalysisError::Model { .. }), "{err}");
    assert!(err.to_string().contains("smollm2-135m"), "{err}");

    // An explicit path to a GGUF file is used as is.
    let store = store();
    let spec = ModelStore::spec("smollm2-135m").expect("registry entry");
    let dir = match store.require(spec.name) {
        Ok(dir) => dir,
        Err(_) => models::fetch(&store, spec, false).expect("fetch smollm2-135m"),
    };
    let gguf = dir.join("model.gguf");
    let config = load(&format!(
        "[analysis]\nengine = \"llm\"\n[analysis.llm]\nmodel = \"{}\"\n",
        gguf.display()
    ));
    let engine =
        engine_from_config(&config.analysis, &ModelStore::new(empty.path())).expect("loads");
    assert!(engine.name().starts_with("llm:"), "{}", engine.name());
}
