//! The outbox: emails written as `.eml` files into a folder instead of being
//! sent, for the embedded default and for looking at what would go out.

use super::mailer::{Mailer, SendError};
use super::message::ComposedEmail;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes each email to `<message-id>.eml` in a folder.
///
/// The file is written under a temporary name and then linked into place
/// without overwriting, so a reader never sees half a message, and a second
/// attempt at the same Message-ID finds the file and writes nothing: the
/// outbox holds each delivery exactly once.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
}

impl OutboxMailer {
    /// An outbox writing into `dir` (created on first use).
    pub fn new(dir: impl Into<PathBuf>) -> OutboxMailer {
        OutboxMailer { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the email with `message_id` is (or would be) written.
    pub fn path_of(&self, message_id: &str) -> PathBuf {
        self.dir.join(format!("{}.eml", file_stem(message_id)))
    }
}

/// A Message-ID as a file name: without the angle brackets, and any character
/// that is not safe in a file name replaced by `_`.
fn file_stem(message_id: &str) -> String {
    let bare = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let stem: String = bare
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A leading dot would hide the file and collide with the temporary names.
    stem.trim_start_matches('.').to_owned()
}

/// Writes `bytes` to `target` unless it exists; returns whether it wrote.
fn write_once(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if target.exists() {
        return Ok(false);
    }
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".eml-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(target) {
        Ok(_) => Ok(true),
        // Another worker got there first with the same message.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &ComposedEmail) -> Result<(), SendError> {
        let dir = self.dir.clone();
        let target = self.path_of(&email.message_id);
        let bytes = email.formatted();
        let shown = target.display().to_string();
        let wrote = tokio::task::spawn_blocking(move || write_once(&dir, &target, &bytes))
            .await
            .map_err(|e| SendError::Transient(format!("outbox writer stopped: {e}")))?
            .map_err(|e| SendError::Transient(format!("cannot write {shown}: {e}")))?;
        if wrote {
            tracing::info!(path = %shown, "email written to the outbox");
        } else {
            tracing::info!(path = %shown, "email already in the outbox");
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("outbox {}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_stem("<abc.12@example.org>"), "abc.12@example.org");
        assert_eq!(file_stem("<../../etc/passwd>"), "_.._etc_passwd");
        assert_eq!(file_stem("<a b/c>"), "a_b_c");
    }
}
