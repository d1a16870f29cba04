//! The model store: a missing model is one line naming the fetch command;
//! fetching verifies checksums and installs atomically.

mod whisper_support;

use mymeet_pipeline::models::{self, ModelError, ModelStore};
use mymeet_pipeline::whisper::WhisperModel;

#[test]
fn a_missing_model_is_one_line_naming_the_fetch_command() {
    let empty = tempfile::tempdir().expect("temp dir");
    let store = ModelStore::new(empty.path());
    let err = store.resolve("tiny.en").expect_err("nothing is installed");
    let message = err.to_string();
    assert!(matches!(err, ModelError::NotInstalled { .. }));
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("mymeet models fetch tiny.en"), "{message}");
    let unknown = store.resolve("huge.xx").expect_err("unknown").to_string();
    assert!(unknown.contains("tiny.en, base, silero-vad"), "{unknown}");
}

#[test]
fn a_folder_without_a_model_is_a_clear_error() {
    let empty = tempfile::tempdir().expect("temp dir");
    let err = WhisperModel::load(empty.path())
        .err()
        .expect("no model there")
        .to_string();
    assert!(
        err.contains("model.bin") && err.contains("model.safetensors"),
        "{err}"
    );
}

#[test]
fn fetch_installs_the_vad_and_verification_catches_corruption() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ModelStore::new(dir.path());
    let spec = ModelStore::spec("silero-vad").expect("registry entry");
    let installed = models::fetch(&store, spec, false).expect("fetch silero-vad with pip");
    assert_eq!(store.require("silero-vad").expect("installed"), installed);
    models::verify(&installed, spec).expect("checksums match");
    // No temporary folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("silero-vad")]);
    let file = installed.join("silero_vad_16k.safetensors");
    let mut bytes = std::fs::read(&file).expect("read");
    bytes[100] ^= 0xff;
    std::fs::write(&file, bytes).expect("corrupt");
    let err = models::verify(&installed, spec).expect_err("corruption is detected");
    assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
    // Fetching again replaces the corrupt copy.
    models::fetch(&store, spec, false).expect("refetch");
    models::verify(&installed, spec).expect("repaired");
}
