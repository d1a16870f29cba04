use super::{BlobError, BlobKey, BlobStore};
use crate::config::{ConfigError, S3Config};
use async_trait::async_trait;
use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use std::path::Path;
use std::sync::Arc;

/// Blobs in an object store: S3 and everything that speaks its API (MinIO,
/// Ceph, R2). A PUT is atomic in S3, so no temporary objects are needed.
#[derive(Debug, Clone)]
pub struct ObjectBlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl ObjectBlobStore {
    /// Wraps any `object_store` backend; keys are stored under `prefix/`.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str) -> Self {
        ObjectBlobStore {
            store,
            prefix: prefix.trim_matches('/').to_owned(),
        }
    }

    /// An S3-compatible bucket configured by `[storage.s3]`.
    pub fn s3(bucket: &str, prefix: &str, s3: &S3Config) -> Result<Self, ConfigError> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_region(s3.region.as_deref().unwrap_or("us-east-1"))
            .with_allow_http(s3.allow_http);
        if let Some(endpoint) = &s3.endpoint {
            // Path-style addressing: what MinIO and most self-hosted stores expect.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let Some(id) = &s3.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &s3.secret_access_key {
            builder = builder.with_secret_access_key(secret.expose());
        }
        let store = builder.build().map_err(|e| ConfigError {
            key: "storage.s3".into(),
            source_name: None,
            message: e.to_string(),
        })?;
        Ok(ObjectBlobStore::new(Arc::new(store), prefix))
    }

    fn path(&self, key: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        }
    }

    fn map_err(key: &BlobKey, e: object_store::Error) -> BlobError {
        match e {
            object_store::Error::NotFound { .. } => BlobError::NotFound(key.clone()),
            other => BlobError::ObjectStore(other),
        }
    }
}

#[async_trait]
impl BlobStore for ObjectBlobStore {
    async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        self.store
            .put(&self.path(key.as_str()), PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| Self::map_err(key, e))?;
        Ok(())
    }

    async fn put_file(&self, key: &BlobKey, path: &Path) -> Result<(), BlobError> {
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|source| BlobError::Io {
                key: key.to_string(),
                source,
            })?;
        self.put(key, Bytes::from(bytes)).await
    }

    async fn get(&self, key: &BlobKey) -> Result<Bytes, BlobError> {
        let got = self
            .store
            .get(&self.path(key.as_str()))
            .await
            .map_err(|e| Self::map_err(key, e))?;
        got.bytes().await.map_err(|e| Self::map_err(key, e))
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, BlobError> {
        match self.store.head(&self.path(key.as_str())).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(BlobError::ObjectStore(e)),
        }
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), BlobError> {
        match self.store.delete(&self.path(key.as_str())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(BlobError::ObjectStore(e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobKey>, BlobError> {
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        // Listed from the deepest whole folder of `prefix`, not the whole
        // store: a recording's launch folder holds thousands of parts.
        let folder = prefix.rsplit_once('/').map_or("", |(dir, _)| dir);
        let base = match (self.prefix.is_empty(), folder.is_empty()) {
            (true, true) => None,
            (true, false) => Some(ObjectPath::from(folder)),
            (false, true) => Some(ObjectPath::from(self.prefix.as_str())),
            (false, false) => Some(ObjectPath::from(format!("{}/{folder}", self.prefix))),
        };
        let objects: Vec<_> = self.store.list(base.as_ref()).try_collect().await?;
        let mut keys: Vec<BlobKey> = objects
            .into_iter()
            .filter_map(|m| m.location.as_ref().strip_prefix(&strip).map(str::to_owned))
            .filter(|k| k.starts_with(prefix))
            .filter_map(|k| BlobKey::new(k).ok())
            .collect();
        keys.sort();
        Ok(keys)
    }
}
