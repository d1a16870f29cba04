use super::{BlobError, BlobKey, BlobStore};
use async_trait::async_trait;
use bytes::Bytes;
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Blobs as files under a root folder.
///
/// A write goes to `<name>.tmp-<uuid>` beside its target, is synced to disk,
/// and is then renamed over the target, so a crash leaves either the old file
/// or the new one, plus at worst a temporary file that no key can name.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalBlobStore { root: root.into() }
    }

    /// The file a key is kept in.
    pub fn path_of(&self, key: &BlobKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    async fn write_atomically<F, Fut>(&self, key: &BlobKey, fill: F) -> Result<(), BlobError>
    where
        F: FnOnce(tokio::fs::File) -> Fut,
        Fut: std::future::Future<Output = io::Result<tokio::fs::File>>,
    {
        let io_err = |source| BlobError::Io {
            key: key.to_string(),
            source,
        };
        let target = self.path_of(key);
        let dir = target.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&dir).await.map_err(io_err)?;
        let file_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!("{file_name}.tmp-{}", uuid::Uuid::new_v4().simple()));
        let result = async {
            let file = tokio::fs::File::create(&tmp).await?;
            let mut file = fill(file).await?;
            file.flush().await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&tmp, &target).await?;
            sync_dir(&dir).await
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result.map_err(io_err)
    }
}

/// Makes a rename durable: the directory entry itself is synced.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        self.write_atomically(key, |mut f| async move {
            f.write_all(&bytes).await?;
            Ok(f)
        })
        .await
    }

    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<(), BlobError> {
        let source = path.to_path_buf();
        self.write_atomically(key, |mut f| async move {
            let mut src = tokio::fs::File::open(&source).await?;
            tokio::io::copy(&mut src, &mut f).await?;
            Ok(f)
        })
        .await
    }

    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        match tokio::fs::read(self.path_of(key)).await {
            Ok(data) => Ok(Bytes::from(data)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(BlobError::NotFound(key.clone())),
            Err(source) => Err(BlobError::Io {
                key: key.to_string(),
                source,
            }),
        }
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        tokio::fs::try_exists(self.path_of(key))
            .await
            .map_err(|source| BlobError::Io {
                key: key.to_string(),
                source,
            })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match tokio::fs::remove_file(self.path_of(key)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(BlobError::Io {
                key: key.to_string(),
                source,
            }),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobKey>, BlobError> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        let found = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            walk(&root, &root, &mut out)?;
            Ok::<_, io::Error>(out)
        })
        .await
        .map_err(io::Error::other)
        .and_then(|r| r)
        .map_err(|source| BlobError::Io {
            key: prefix.clone(),
            source,
        })?;
        let mut keys: Vec<BlobKey> = found
            .into_iter()
            .filter(|k| k.starts_with(&prefix))
            .filter_map(|k| BlobKey::new(k).ok()) // skips unfinished .tmp- files
            .collect();
        keys.sort();
        Ok(keys)
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}
