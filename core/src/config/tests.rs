// figment's Jail closures return its (large) error type.
#![allow(clippy::result_large_err)]

use super::*;
use figment::Jail;

fn load_err(jail: &mut Jail, toml: Option<&str>) -> ConfigError {
    let path = toml.map(|t| {
        jail.create_file("mymeet.toml", t).unwrap();
        PathBuf::from("mymeet.toml")
    });
    Config::load(path.as_deref()).unwrap_err()
}

#[test]
fn defaults_run_on_one_machine() {
    Jail::expect_with(|_| {
        let c = Config::load(None).unwrap();
        assert_eq!(c.database_url(), "sqlite://./data/mymeet.db?mode=rwc");
        assert_eq!(c.database_kind().unwrap(), DatabaseKind::Sqlite);
        assert!(c.bus.url.is_none());
        assert_eq!(
            c.storage_location().unwrap(),
            StorageLocation::Local(PathBuf::from("./data/blobs"))
        );
        assert_eq!(c.outbox_dir(), PathBuf::from("./data/outbox"));
        assert!(c.email.smtp.is_none());
        Ok(())
    });
}

#[test]
fn environment_overrides_file_with_double_underscore_nesting() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "mymeet.toml",
            "[database]\nurl = \"postgres://file@localhost/a\"\n[bus]\nprefetch = 3\n",
        )?;
        jail.set_env("MYMEET_DATABASE__URL", "postgres://env@localhost/b");
        jail.set_env("MYMEET_BUS__RETRY__MAX_ATTEMPTS", "7");
        jail.set_env("MYMEET_CONFIG", "mymeet.toml");
        // Test-suite settings share the prefix but are not config keys.
        jail.set_env("MYMEET_TEST_SPEECH_DIR", "/somewhere");
        let c = Config::load(Some(Path::new("mymeet.toml"))).unwrap();
        assert_eq!(c.database_url(), "postgres://env@localhost/b");
        assert_eq!(c.database_kind().unwrap(), DatabaseKind::Postgres);
        assert_eq!(c.bus.prefetch, 3);
        assert_eq!(c.bus.retry.max_attempts, 7);
        Ok(())
    });
}

#[test]
fn a_wrong_type_in_the_environment_names_the_key_and_the_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("MYMEET_BUS__PREFETCH", "lots");
        let err = load_err(jail, None);
        assert_eq!(err.key, "bus.prefetch");
        let line = err.to_string();
        assert!(line.contains("MYMEET_BUS__PREFETCH"), "{line}");
        assert!(!line.contains('\n'), "one line: {line}");
        Ok(())
    });
}

#[test]
fn a_misspelt_key_in_the_file_is_named() {
    Jail::expect_with(|jail| {
        let err = load_err(jail, Some("[database]\nurll = \"sqlite://x\"\n"));
        assert_eq!(err.key, "database.urll");
        assert!(err.message.contains("unknown key"), "{err}");
        assert!(err.to_string().contains("mymeet.toml"), "{err}");
        Ok(())
    });
}

#[test]
fn a_missing_required_key_is_named() {
    Jail::expect_with(|jail| {
        let err = load_err(jail, Some("[email.smtp]\nport = 25\n"));
        assert_eq!(err.key, "email.smtp.host");
        assert_eq!(err.message, "missing");
        Ok(())
    });
}

#[test]
fn bad_values_are_named_by_validation() {
    Jail::expect_with(|jail| {
        jail.set_env("MYMEET_BUS__URL", "http://localhost:5672");
        assert_eq!(load_err(jail, None).key, "bus.url");
        jail.set_env("MYMEET_BUS__URL", "amqp://guest:guest@127.0.0.1:5672/%2f");
        jail.set_env("MYMEET_DATABASE__URL", "mysql://localhost/x");
        assert_eq!(load_err(jail, None).key, "database.url");
        jail.set_env("MYMEET_DATABASE__URL", "postgres://localhost/x");
        jail.set_env("MYMEET_STORAGE__URL", "s3://");
        assert_eq!(load_err(jail, None).key, "storage.url");
        jail.set_env("MYMEET_STORAGE__URL", "s3://recordings/team-a/");
        let c = Config::load(None).unwrap();
        assert_eq!(
            c.storage_location().unwrap(),
            StorageLocation::S3 {
                bucket: "recordings".into(),
                prefix: "team-a".into()
            }
        );
        Ok(())
    });
}

#[test]
fn a_missing_config_file_is_an_error() {
    Jail::expect_with(|_| {
        let err = Config::load(Some(Path::new("nope.toml"))).unwrap_err();
        assert!(err.to_string().contains("nope.toml"), "{err}");
        Ok(())
    });
}

#[test]
fn secrets_never_print() {
    Jail::expect_with(|jail| {
        jail.set_env("MYMEET_EMAIL__SMTP__HOST", "smtp.example.com");
        jail.set_env("MYMEET_EMAIL__SMTP__USERNAME", "bot");
        jail.set_env("MYMEET_EMAIL__SMTP__PASSWORD", "hunter2");
        let c = Config::load(None).unwrap();
        let smtp = c.email.smtp.as_ref().unwrap();
        assert_eq!(smtp.password.as_ref().unwrap().expose(), "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!toml::to_string(&c).unwrap().contains("hunter2"));
        Ok(())
    });
}
