//! wkhtmltopdf as an optional engine: used only when configured and found,
//! and always with local file access disabled and a dead proxy.

use super::PdfError;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::AsyncWriteExt;

/// A found wkhtmltopdf binary.
pub(super) struct Wkhtmltopdf {
    binary: PathBuf,
}

impl Wkhtmltopdf {
    /// Resolves `binary` (a path, or a bare name searched on `PATH`).
    pub(super) fn new(binary: &Path) -> Result<Wkhtmltopdf, PdfError> {
        find(binary)
            .map(|binary| Wkhtmltopdf { binary })
            .ok_or_else(|| PdfError::WkhtmltopdfMissing(binary.to_owned()))
    }

    /// Prints `html` from stdin to stdout.
    pub(super) async fn print(&self, html: &str) -> Result<Vec<u8>, PdfError> {
        let mut child = tokio::process::Command::new(&self.binary)
            .args([
                "--quiet",
                // A report must never read the worker's files.
                "--disable-local-file-access",
                "--disable-javascript",
                "--no-images",
                // Anything that still tries the network goes to a closed port.
                "--proxy",
                "http://127.0.0.1:9",
                "--encoding",
                "utf-8",
                "--print-media-type",
                "-",
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                PdfError::Wkhtmltopdf(format!("starting {}: {e}", self.binary.display()))
            })?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| PdfError::Wkhtmltopdf("no stdin".into()))?;
        let input = html.as_bytes().to_vec();
        let writer = tokio::spawn(async move {
            let written = stdin.write_all(&input).await;
            drop(stdin);
            written
        });
        let output = child
            .wait_with_output()
            .await
            .map_err(|e| PdfError::Wkhtmltopdf(e.to_string()))?;
        if let Ok(Err(e)) = writer.await {
            return Err(PdfError::Wkhtmltopdf(format!("writing the document: {e}")));
        }
        if !output.status.success() || output.stdout.is_empty() {
            return Err(PdfError::Wkhtmltopdf(format!(
                "{}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(output.stdout)
    }
}

/// The binary as given when it has a path, else the first match on `PATH`.
fn find(binary: &Path) -> Option<PathBuf> {
    if binary.components().count() > 1 || binary.is_absolute() {
        return binary.is_file().then(|| binary.to_owned());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(binary))
        .find(|candidate| candidate.is_file())
}
