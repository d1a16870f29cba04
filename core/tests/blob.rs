//! Blob storage: the same checks on the local filesystem and on an
//! object-store backend, plus atomicity of local writes.

use bytes::Bytes;
use mymeet_core::blob::{BlobError, BlobKey, BlobStore, LocalBlobStore, ObjectBlobStore};
use object_store::memory::InMemory;
use std::sync::Arc;

fn key(s: &str) -> BlobKey {
    BlobKey::new(s).unwrap()
}

async fn round_trip(store: &dyn BlobStore) {
    let k = key("recordings/b1/recording.ogg");
    assert!(!store.exists(&k).await.unwrap());
    assert!(matches!(store.get(&k).await, Err(BlobError::NotFound(_))));
    store.put(&k, Bytes::from_static(b"first")).await.unwrap();
    store.put(&k, Bytes::from_static(b"second")).await.unwrap();
    assert_eq!(store.get(&k).await.unwrap(), Bytes::from_static(b"second"));
    assert!(store.exists(&k).await.unwrap());

    let src = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(src.path(), vec![7u8; 300_000]).unwrap();
    let t = key("recordings/b1/tracks/0.ogg");
    store.put_file(&t, src.path()).await.unwrap();
    assert_eq!(store.get(&t).await.unwrap().len(), 300_000);
    store
        .put(&key("reports/r1.pdf"), Bytes::new())
        .await
        .unwrap();

    assert_eq!(
        store.list("recordings/b1/").await.unwrap(),
        vec![k.clone(), t.clone()]
    );
    assert_eq!(store.list("").await.unwrap().len(), 3);

    store.delete(&k).await.unwrap();
    store.delete(&k).await.unwrap(); // deleting twice is fine
    assert!(!store.exists(&k).await.unwrap());
    assert_eq!(store.list("recordings/").await.unwrap(), vec![t]);
}

#[tokio::test]
async fn local_store_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(&LocalBlobStore::new(dir.path().join("blobs"))).await;
}

#[tokio::test]
async fn object_store_round_trip_with_prefix() {
    let mem = Arc::new(InMemory::new());
    round_trip(&ObjectBlobStore::new(mem.clone(), "tenant-a/")).await;
    // Another prefix on the same bucket sees nothing of it.
    let other = ObjectBlobStore::new(mem, "tenant-b");
    assert!(other.list("").await.unwrap().is_empty());
}

/// A failed write leaves the previous blob whole and no stray file behind.
#[tokio::test]
async fn a_failed_local_write_keeps_the_old_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::new(dir.path());
    let k = key("a/b.bin");
    store.put(&k, Bytes::from_static(b"old")).await.unwrap();
    let missing = dir.path().join("does-not-exist");
    assert!(store.put_file(&k, &missing).await.is_err());
    assert_eq!(store.get(&k).await.unwrap(), Bytes::from_static(b"old"));
    let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["b.bin".to_owned()]);
}

/// Readers racing a writer only ever see one whole version of the blob.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_readers_never_see_a_half_written_blob() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalBlobStore::new(dir.path()));
    let k = key("race/blob");
    let a = Bytes::from(vec![b'a'; 2 << 20]);
    let b = Bytes::from(vec![b'b'; 2 << 20]);
    store.put(&k, a.clone()).await.unwrap();
    let writer = {
        let (store, k) = (store.clone(), k.clone());
        tokio::spawn(async move {
            for i in 0..20 {
                let v = if i % 2 == 0 { b.clone() } else { a.clone() };
                store.put(&k, v).await.unwrap();
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() {
        let got = store.get(&k).await.unwrap();
        assert_eq!(got.len(), 2 << 20, "a reader saw a partial file");
        assert!(
            got.iter().all(|&c| c == got[0]),
            "a reader saw mixed versions"
        );
        reads += 1;
    }
    writer.await.unwrap();
    assert!(reads > 0);
    // An abandoned temporary file (a crash mid-write) is invisible to list.
    std::fs::write(dir.path().join("race/blob.tmp-deadbeef"), b"half").unwrap();
    assert_eq!(store.list("race/").await.unwrap(), vec![k]);
}

/// A real S3 API (moto's server, installed by scripts/setup) behind the
/// configured `s3://` store: path-style requests, credentials, prefixes.
#[tokio::test]
async fn s3_store_against_an_s3_compatible_server() {
    use mymeet_core::config::{Config, S3Config, Secret};
    let tools =
        std::env::var("MYMEET_TOOLS_DIR").unwrap_or_else(|_| "/var/tmp/mymeet-tools".into());
    let server = std::path::Path::new(&tools).join("venv/bin/moto_server");
    assert!(
        server.is_file(),
        "{} is missing: run ./scripts/setup to install the S3 test server",
        server.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(child);
    let endpoint = format!("http://127.0.0.1:{port}");
    // Wait for it, then create the bucket (object_store does not create buckets).
    let mut up = false;
    for _ in 0..100 {
        let st = std::process::Command::new("curl")
            .args(["-sf", "-X", "PUT", &format!("{endpoint}/recordings")])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        if st.success() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "moto_server did not start on {endpoint}");

    let mut config = Config::default();
    config.storage.url = Some("s3://recordings/team-a".into());
    config.storage.s3 = S3Config {
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        access_key_id: Some("test".into()),
        secret_access_key: Some(Secret::new("test")),
        allow_http: true,
    };
    let store = mymeet_core::blob::open(&config).unwrap();
    round_trip(store.as_ref()).await;
}
