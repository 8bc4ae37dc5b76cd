//! One set of blob-store behaviour tests, run against both backends: the filesystem always,
//! S3 when `CERIA_TEST_S3` names a local S3-compatible server (`scripts/suites/s3.sh`).

use super::*;
use sha2::{Digest, Sha256};

fn sha(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn files_store() -> Option<(Option<tempfile::TempDir>, BlobStore)> {
    let dir = tempfile::tempdir().unwrap();
    let store = FileBlobs::open(dir.path().join("blobs"), dir.path().join("uploads")).unwrap();
    Some((Some(dir), BlobStore::Files(store)))
}

fn s3_store() -> Option<(Option<tempfile::TempDir>, BlobStore)> {
    let BlobStoreLocation::S3 { bucket, prefix } = BlobStoreLocation::s3_for_tests()? else {
        return None;
    };
    Some((
        None,
        BlobStore::Objects(ObjectBlobs::open(&bucket, &prefix).unwrap()),
    ))
}

/// Writes `data` as one PATCH at `offset`; returns the new offset.
async fn patch(s: &BlobStore, id: &str, offset: u64, data: &[u8]) -> u64 {
    let mut w = s.append_at(id, offset).await.unwrap();
    w.write(data).await.unwrap();
    w.sync().await.unwrap()
}

async fn stores_content_once_by_hash(s: &BlobStore) {
    let want = sha(b"hello world");
    for _ in 0..2 {
        let id = new_id();
        s.create_part(&id).await.unwrap();
        assert_eq!(patch(s, &id, 0, b"hello world").await, 11);
        assert_eq!(s.hash_part(&id).await.unwrap(), (want.clone(), 11));
        s.promote(&id, &want).await.unwrap();
    }
    assert!(s.has_blob(&want).await.unwrap());
    assert_eq!(
        s.read_blob(&want).await.unwrap().as_deref(),
        Some(&b"hello world"[..])
    );
    let (s2, w2) = (s.clone(), want.clone());
    let head = tokio::task::spawn_blocking(move || s2.read_head_blocking(&w2, 5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.as_deref(), Some(&b"hello"[..]));
    let absent = sha(b"nothing");
    assert!(!s.has_blob(&absent).await.unwrap());
    assert_eq!(s.read_blob(&absent).await.unwrap(), None);
    s.remove_blob(&want).await.unwrap();
    assert!(!s.has_blob(&want).await.unwrap());
    s.remove_blob(&want).await.unwrap();
}

async fn an_unconfirmed_patch_is_replaced_on_resume(s: &BlobStore) {
    let id = new_id();
    s.create_part(&id).await.unwrap();
    assert_eq!(patch(s, &id, 0, b"hello ").await, 6);
    // Stored, but the offset was never recorded (a crash): the client resumes at 6.
    assert_eq!(patch(s, &id, 6, b"GARBAGE").await, 13);
    assert_eq!(patch(s, &id, 6, b"world").await, 11);
    let want = sha(b"hello world");
    assert_eq!(s.hash_part(&id).await.unwrap(), (want.clone(), 11));
    s.promote(&id, &want).await.unwrap();
    assert_eq!(
        s.read_blob(&want).await.unwrap().as_deref(),
        Some(&b"hello world"[..])
    );
    s.remove_blob(&want).await.unwrap();
}

async fn a_discarded_patch_leaves_nothing(s: &BlobStore) {
    let id = new_id();
    s.create_part(&id).await.unwrap();
    assert_eq!(patch(s, &id, 0, b"abc").await, 3);
    let mut w = s.append_at(&id, 3).await.unwrap();
    w.write(b"xyz").await.unwrap();
    w.discard().await.unwrap();
    s.truncate_part(&id, 3).await.unwrap();
    assert_eq!(s.hash_part(&id).await.unwrap(), (sha(b"abc"), 3));
    s.remove_part(&id).await.unwrap();
}

async fn a_large_file_streams_through(s: &BlobStore) {
    // Past the S3 write buffer: the part and the blob go up as multipart uploads.
    let data: Vec<u8> = (0..6 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    let id = new_id();
    s.create_part(&id).await.unwrap();
    let mut w = s.append_at(&id, 0).await.unwrap();
    for chunk in data.chunks(64 * 1024) {
        w.write(chunk).await.unwrap();
    }
    assert_eq!(w.sync().await.unwrap(), data.len() as u64);
    let want = sha(&data);
    assert_eq!(
        s.hash_part(&id).await.unwrap(),
        (want.clone(), data.len() as u64)
    );
    s.promote(&id, &want).await.unwrap();
    assert_eq!(s.read_blob(&want).await.unwrap(), Some(data));
    s.remove_blob(&want).await.unwrap();
}

/// The behaviour tests for one backend; `$make` gives the store, or `None` to skip.
macro_rules! blob_store_tests {
    ($backend:ident, $make:expr) => {
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn stores_content_once_by_hash() {
                let Some((_dir, s)) = $make() else { return };
                super::stores_content_once_by_hash(&s).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn an_unconfirmed_patch_is_replaced_on_resume() {
                let Some((_dir, s)) = $make() else { return };
                super::an_unconfirmed_patch_is_replaced_on_resume(&s).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn a_discarded_patch_leaves_nothing() {
                let Some((_dir, s)) = $make() else { return };
                super::a_discarded_patch_leaves_nothing(&s).await;
            }

            #[tokio::test(flavor = "multi_thread")]
            async fn a_large_file_streams_through() {
                let Some((_dir, s)) = $make() else { return };
                super::a_large_file_streams_through(&s).await;
            }
        }
    };
}

blob_store_tests!(files, files_store);
blob_store_tests!(s3, s3_store);
