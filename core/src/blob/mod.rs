//! Blob storage for recordings, transcripts' audio tracks and reports.
//!
//! [`LocalBlobStore`] (the default) keeps files under a folder;
//! [`ObjectBlobStore`] keeps them in an S3-compatible bucket for clusters.
//! A write is atomic in both: a reader sees the old blob or the whole new
//! one, never half a file that looks whole.

mod key;
pub mod layout;
mod local;
mod object;

pub use key::{BlobKey, InvalidBlobKey};
pub use local::LocalBlobStore;
pub use object::ObjectBlobStore;

use crate::config::{Config, ConfigError, StorageLocation};
use async_trait::async_trait;
use bytes::Bytes;
use std::path::Path;
use std::sync::Arc;

/// A place to keep blobs by key.
#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`, replacing any blob there, atomically.
    async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError>;
    /// Stores the contents of a local file under `key`, atomically.
    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<(), BlobError>;
    /// Reads a whole blob.
    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError>;
    /// Whether a blob exists.
    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError>;
    /// Removes a blob; removing a missing blob is not an error.
    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError>;
    /// The keys under a prefix (`recordings/<bot>/`), sorted.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobKey>, BlobError>;
}

/// A shared handle to a blob store.
pub type SharedBlobStore = Arc<dyn BlobStore>;

/// What can go wrong with blob storage.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No blob under this key.
    #[error("blob {0} not found")]
    NotFound(BlobKey),
    /// The filesystem failed.
    #[error("blob {key}: {source}")]
    Io {
        /// The key being read or written.
        key: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The object store failed.
    #[error("object store: {0}")]
    ObjectStore(#[from] object_store::Error),
    /// The key is not a valid blob key.
    #[error(transparent)]
    InvalidKey(#[from] InvalidBlobKey),
}

/// Opens the blob store the configuration names.
pub fn open(config: &Config) -> Result<SharedBlobStore, ConfigError> {
    Ok(match config.storage_location()? {
        StorageLocation::Local(dir) => Arc::new(LocalBlobStore::new(dir)),
        StorageLocation::S3 { bucket, prefix } => {
            Arc::new(ObjectBlobStore::s3(&bucket, &prefix, &config.storage.s3)?)
        }
    })
}
