use anyhow::Context;
use mymeet_core::config::Config;

/// `mymeet config`: the effective configuration as TOML, secrets redacted.
pub fn run(config: &Config) -> anyhow::Result<()> {
    let text = toml::to_string_pretty(config).context("cannot print the configuration")?;
    print!("{text}");
    Ok(())
}
