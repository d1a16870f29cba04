//! Blob storage.
