//! The real binary, spawned as a user would run it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn mymeet(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mymeet"));
    // Isolate from the caller's environment and ./data.
    for (k, _) in std::env::vars() {
        if k.starts_with("MYMEET_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("MYMEET_DATA_DIR", data).env("RUST_LOG", "warn");
    cmd
}

#[test]
fn help_lists_every_subcommand_with_a_description() {
    let dir = tempfile::tempdir().unwrap();
    let out = mymeet(dir.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for (name, words) in [
        ("serve", "HTTP API"),
        ("migrate", "migrations"),
        ("config", "configuration"),
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing from --help:\n{text}"));
        assert!(line.contains(words), "{line}");
    }
}

#[test]
fn migrate_creates_the_embedded_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = mymeet(dir.path()).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("mymeet.db").is_file());
    // Twice is fine.
    let out = mymeet(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success());
}

#[test]
fn a_bad_setting_fails_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = mymeet(dir.path())
        .arg("migrate")
        .env("MYMEET_BUS__PREFETCH", "many")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("bus.prefetch"), "{err}");
    assert!(lines[0].contains("MYMEET_BUS__PREFETCH"), "{err}");
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = mymeet(dir.path())
        .arg("migrate")
        .env(
            "MYMEET_DATABASE__URL",
            "postgres://nobody:pw@127.0.0.1:1/none",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot open the database"), "{err}");
    assert!(
        err.contains("nobody:***@127.0.0.1:1"),
        "password redacted: {err}"
    );
}

#[test]
fn config_prints_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let out = mymeet(dir.path())
        .arg("config")
        .env("MYMEET_EMAIL__SMTP__HOST", "smtp.example.com")
        .env("MYMEET_EMAIL__SMTP__USERNAME", "bot")
        .env("MYMEET_EMAIL__SMTP__PASSWORD", "hunter2")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("smtp.example.com"));
    assert!(!text.contains("hunter2"));
}

#[test]
fn serve_answers_health_and_metrics_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = mymeet(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    let rt = tokio::runtime::Runtime::new().unwrap();
    // reqwest is built without a default TLS provider (feature unification
    // with the pipeline's); the binary installs ring, and so does this test.
    let _ = rustls::crypto::ring::default_provider().install_default();
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let ready: serde_json::Value = client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ready["database"], "ok");
        let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
        assert!(metrics.status().is_success());
    });

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM, got {status}");
}

#[test]
fn serve_on_postgres_and_rabbitmq_is_configuration_only() {
    let dir = tempfile::tempdir().unwrap();
    let db_name = format!("mymeet_cli_{}", std::process::id());
    let admin = std::env::var("MYMEET_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let psql = |sql: &str| {
        let st = Command::new("psql")
            .args([admin.as_str(), "-qc", sql])
            .status()
            .unwrap();
        assert!(st.success(), "psql {sql}");
    };
    psql(&format!("CREATE DATABASE {db_name}"));
    let db_url = admin.rsplit_once('/').unwrap().0.to_owned() + "/" + &db_name;
    let mut child = mymeet(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("MYMEET_DATABASE__URL", &db_url)
        .env("MYMEET_BUS__URL", "amqp://guest:guest@127.0.0.1:5672/%2f")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on "), "{line:?}");
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    // The schema landed in PostgreSQL, not in a SQLite file.
    assert!(!dir.path().join("mymeet.db").exists());
    let out = Command::new("psql")
        .args([db_url.as_str(), "-tAc", "SELECT count(*) FROM bots"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    psql(&format!("DROP DATABASE {db_name} WITH (FORCE)"));
}

#[test]
fn a_tenants_template_is_refused_with_its_position_then_saved_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let out = mymeet(dir.path()).arg("migrate").output().unwrap();
    assert!(out.status.success());
    // Tenants come from the API later; here one is made in the database.
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("mymeet.db").display()
    );
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = mymeet_core::db::connect_url(&url, None).await.unwrap();
        mymeet_core::db::repo::tenants::create(&db, "Acme", "acme")
            .await
            .unwrap();
        db.close().await.unwrap();
    });
    let broken = dir.path().join("broken.hbs");
    std::fs::write(&broken, "<h1>{{meeting.title}}</h1>\n<p>{{summary</p>\n").unwrap();
    let good = dir.path().join("good.hbs");
    std::fs::write(&good, "<h1>Acme: {{meeting.title}}</h1>\n").unwrap();

    let out = mymeet(dir.path())
        .args(["templates", "save", "--tenant", "acme"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.hbs:2:"), "line 2 named: {err}");
    assert!(err.contains("template refused"), "{err}");
    let out = mymeet(dir.path())
        .args(["templates", "list", "--tenant", "acme"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("built-in"));

    let out = mymeet(dir.path())
        .args(["templates", "save", "--tenant", "acme"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = mymeet(dir.path())
        .args(["templates", "list", "--tenant", "acme"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.starts_with("summary"), "{listed}");

    let out = mymeet(dir.path())
        .args(["templates", "list", "--tenant", "nobody"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tenants: acme"));
}

#[test]
fn transcribe_labels_speakers_from_a_bots_timeline_or_one_name() {
    let speech = std::env::var("MYMEET_TEST_SPEECH_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/speech").into());
    let models =
        std::env::var("MYMEET_MODELS_DIR").unwrap_or_else(|_| "/var/tmp/mymeet-models".into());
    let dir = tempfile::tempdir().unwrap();
    // Alice reads for 7.1 s, then Bob says the JFK quote: one mixed file.
    let call = dir.path().join("call.ogg");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-i"])
        .arg(format!("{speech}/pocketsphinx/librivox-0870.flac"))
        .arg("-i")
        .arg(format!("{speech}/jfk/jfk.flac"))
        .args([
            "-filter_complex",
            "[0:a][1:a]concat=n=2:v=0:a=1",
            "-c:a",
            "libopus",
        ])
        .arg(&call)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success());
    let bot_json = dir.path().join("bot.json");
    std::fs::write(
        &bot_json,
        r#"{"state":"done","speakers":[{"name":"Alice","from_s":0.0,"to_s":7.1},{"name":"Bob","from_s":7.1,"to_s":18.1}]}"#,
    )
    .unwrap();
    let transcribe = |extra: &[&std::ffi::OsStr]| -> serde_json::Value {
        let out = mymeet(dir.path())
            .env("MYMEET_MODELS_DIR", &models)
            .args([
                "transcribe",
                "--model",
                "tiny.en",
                "--beam",
                "1",
                "--format",
                "json",
            ])
            .args(extra)
            .arg(&call)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let speakers = |t: &serde_json::Value| -> Vec<String> {
        t["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["speaker"].as_str().unwrap_or("-").to_owned())
            .collect()
    };
    let timeline = transcribe(&["--speakers".as_ref(), bot_json.as_os_str()]);
    let by_timeline = speakers(&timeline);
    assert_eq!(
        by_timeline.first().map(String::as_str),
        Some("Alice"),
        "{by_timeline:?}"
    );
    assert_eq!(
        by_timeline.last().map(String::as_str),
        Some("Bob"),
        "{by_timeline:?}"
    );
    let named = speakers(&transcribe(&["--speaker".as_ref(), "Carol".as_ref()]));
    assert!(
        !named.is_empty() && named.iter().all(|s| s == "Carol"),
        "{named:?}"
    );
}
