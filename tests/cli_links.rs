//! `mymeet links`, spawned as a user runs it, over an event JSON of each
//! provider and an invitation text.

use std::path::Path;
use std::process::Command;

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("integrations/tests/data/links")
        .join(name)
}

fn links(file: &Path, json: bool) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mymeet"));
    for (k, _) in std::env::vars() {
        if k.starts_with("MYMEET_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("MYMEET_DATA_DIR", dir.path())
        .env("RUST_LOG", "warn");
    cmd.arg("links").arg(file);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().expect("run mymeet links");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn json_output_has_exactly_the_four_keys() {
    let out = links(&data("graph_event_zoom_body.json"), true);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1);
    let obj = items[0].as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["meeting_id", "passcode", "platform", "url"]);
    assert_eq!(obj["platform"], "zoom");
    assert_eq!(
        obj["url"],
        "https://zoom.us/j/97712345678?pwd=SGVsbG9Xb3JsZEZyb21Ub2tlbjEyMzQ1Njc4.1"
    );
    assert_eq!(obj["meeting_id"], "97712345678");
    assert_eq!(obj["passcode"], "310577");
}

#[test]
fn google_event_and_teams_text_are_recognized() {
    let v: serde_json::Value =
        serde_json::from_str(&links(&data("google_event_meet.json"), true)).unwrap();
    assert_eq!(v[0]["platform"], "meet");
    assert_eq!(v[0]["url"], "https://meet.google.com/xkd-qpwr-mzt");
    assert_eq!(v[0]["passcode"], serde_json::Value::Null);

    let text = links(&data("teams_invite_graph_body.html"), false);
    assert!(text.contains("platform:   teams"), "{text}");
    assert!(
        text.contains(
            "meeting id: 19:meeting_NjQ5YmE4ZDUtZmI2Ny00YjBkLWE2OWQtZjc0NjI0ZTI3NmRj@thread.v2"
        ),
        "{text}"
    );
}

#[test]
fn a_file_without_a_meeting_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.txt");
    std::fs::write(
        &f,
        "Recording: https://zoom.us/rec/share/abc\nDocs: https://docs.google.com/document/d/x/edit",
    )
    .unwrap();
    assert_eq!(links(&f, true).trim(), "[]");
    assert!(links(&f, false).contains("no meeting link found"));
}
