//! The dependency rules of ARCHITECTURE.md, checked against Cargo's own view
//! of the workspace so that a forbidden `use` cannot creep in.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn workspace_deps() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map = BTreeMap::new();
    for pkg in meta["packages"].as_array().unwrap() {
        let name = pkg["name"].as_str().unwrap().to_owned();
        let deps = pkg["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            // Normal and build dependencies; dev-dependencies may reach further.
            .filter(|d| d["kind"].is_null() || d["kind"] == "build")
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .filter(|n| n.starts_with("mymeet"))
            .collect();
        map.insert(name, deps);
    }
    map
}

#[test]
fn dependencies_point_downwards_only() {
    let deps = workspace_deps();
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("mymeet-core", &[][..]),
        ("mymeet-integrations", &["mymeet-core"][..]),
        ("mymeet-testbed", &["mymeet-core"][..]),
        ("mymeet-bot", &["mymeet-core", "mymeet-integrations"][..]),
        (
            "mymeet-pipeline",
            &["mymeet-core", "mymeet-integrations"][..],
        ),
        (
            "mymeet-scheduler",
            &["mymeet-core", "mymeet-integrations"][..],
        ),
        ("mymeet-api", &["mymeet-core", "mymeet-integrations"][..]),
    ]);
    for (krate, ok) in &allowed {
        let actual = deps
            .get(*krate)
            .unwrap_or_else(|| panic!("{krate} is not in the workspace"));
        for dep in actual {
            assert!(
                ok.contains(&dep.as_str()),
                "{krate} must not depend on {dep} (see ARCHITECTURE.md)"
            );
        }
    }
    assert!(deps.contains_key("mymeet"), "the binary crate exists");
}
