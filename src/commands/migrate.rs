use anyhow::Context;
use mymeet_core::config::Config;
use mymeet_core::db;

/// `mymeet migrate`: applies pending migrations.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let conn = open_migrated(config).await?;
    conn.close().await.ok();
    println!("database is up to date");
    Ok(())
}

/// Connects to the configured database and applies pending migrations.
pub async fn open_migrated(config: &Config) -> anyhow::Result<db::Db> {
    let conn = db::connect(config).await.with_context(|| {
        format!(
            "cannot open the database ({})",
            redact(&config.database_url())
        )
    })?;
    db::migrate(&conn)
        .await
        .context("cannot apply database migrations")?;
    Ok(conn)
}

/// A URL with its password, if any, replaced.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact("sqlite://./data/x.db"),
            "sqlite://./data/x.db"
        );
    }
}
