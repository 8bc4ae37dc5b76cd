//! The blob store through the API, one set of tests run against both backends: the data
//! directory, and an S3-compatible bucket when `CERIA_TEST_S3` names a local server
//! (`scripts/suites/s3.sh`; skipped with a printed reason otherwise). Two instances share one
//! database and one blob store, as behind a load balancer: an upload moves between them, and
//! two of its PATCHes racing on both are serialised by the upload's lease.

use ceria_server::BlobStoreLocation;
use ceria_test_support::*;
use sha2::{Digest, Sha256};

fn files() -> Option<BlobStoreLocation> {
    Some(BlobStoreLocation::DataDir)
}

fn s3() -> Option<BlobStoreLocation> {
    BlobStoreLocation::s3_for_tests()
}

fn start(location: BlobStoreLocation) -> TestServer {
    TestServer::start_with(|c| c.blob_store = location)
}

fn sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn blob_rows(ts: &TestServer, sha: &str) -> i64 {
    ts.count("SELECT count(*) FROM blobs WHERE sha256 = ?1", sha)
}

fn an_upload_started_on_one_instance_finishes_on_another(location: BlobStoreLocation) {
    let a = start(location);
    let b = TestServer::start_sharing(&a);
    let token = a.citizen(&nik(41), "Intan Permata");
    let file = jpeg_bytes(41, 300_000);
    let sha = sha256(&file);
    let upload = a.create_upload(&token, file.len() as u64, Some(&sha));
    assert_eq!(
        a.patch(&token, &upload, 0, &file[..100_000], None).status,
        204
    );
    assert_eq!(b.offset(&token, &upload), 100_000);
    // Cut on B: what arrived is kept, and A sees it.
    b.cut_patch(&token, &upload, 100_000, &file[100_000..], 100_000);
    assert_eq!(a.wait_offset(&token, &upload, 200_000), 200_000);
    let r = a.patch(&token, &upload, 200_000, &file[200_000..], None);
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("upload-sha256").as_deref(), Some(sha.as_str()));
    assert_eq!(b.offset(&token, &upload), 300_000);
}

fn files_are_stored_once_and_every_instance_serves_them(location: BlobStoreLocation) {
    let in_data_dir = location == BlobStoreLocation::DataDir;
    let a = start(location);
    let b = TestServer::start_sharing(&a);
    let fx = fixture();
    let citizen = a.citizen(&nik(42), "Joko Susilo");
    let p = payload(&a, &citizen, &fx, VILLAGE_X, None);
    // Pushed through B: the attachment checks read the files A stored.
    let results = b.push(&citizen, &[submit(&p)]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let id = results[0]["request_id"].as_str().unwrap();
    let officer = a.officer();
    for attached in &p.attachments {
        let from_a = a.attachment(&officer, id, &attached.sha256);
        let from_b = b.attachment(&officer, id, &attached.sha256);
        assert_eq!(from_a, from_b);
        assert_eq!(sha256(&from_a), attached.sha256);
    }
    // The same content uploaded again, through either instance: one blob.
    let file = jpeg_bytes(42, 5_000);
    let sha = a.upload(&citizen, &file);
    assert_eq!(b.upload(&citizen, &file), sha);
    assert_eq!(blob_rows(&a, &sha), 1);
    // In a bucket, nothing of the files is in the data directory.
    assert_eq!(a.data_dir().join("blobs").join(&sha).exists(), in_data_dir);
    assert_eq!(a.data_dir().join("blobs").exists(), in_data_dir);
}

fn a_file_other_than_announced_is_refused(location: BlobStoreLocation) {
    let ts = start(location);
    let token = ts.citizen(&nik(43), "Kartika Sari");
    let file = jpeg_bytes(43, 50_000);
    let wrong = sha256(b"something else");
    let upload = ts.create_upload(&token, file.len() as u64, Some(&wrong));
    ts.patch(&token, &upload, 0, &file[..20_000], None);
    ts.patch(&token, &upload, 20_000, &file[20_000..], None)
        .problem(460, "upload.checksum_mismatch");
    assert_eq!(blob_rows(&ts, &sha256(&file)), 0);
    let gone = ts.raw(
        "HEAD",
        &upload,
        Some(&token),
        &[("tus-resumable", "1.0.0")],
        None,
    );
    assert_eq!(gone.status, 404);
}

/// Two PATCHes of one upload from the same offset, sent to two instances at the same moment
/// with slow bodies (what a phone does when a half-open connection to A is still being read
/// while it resumes on B), several rounds: exactly one is accepted each time, the other is
/// told the upload is busy (423, or 409 when it came only after the first had finished), the
/// offset both instances report is what the winner wrote, and the file is the source.
fn two_instances_never_write_one_upload_at_once(location: BlobStoreLocation) {
    let a = start(location);
    let b = TestServer::start_sharing(&a);
    let token = a.citizen(&nik(44), "Lestari Wulandari");
    let file = jpeg_bytes(44, 200_000);
    let sha = sha256(&file);
    let upload = a.create_upload(&token, file.len() as u64, Some(&sha));
    let pause = std::time::Duration::from_millis(400);
    let (mut offset, mut rounds, mut locked) = (0usize, 0, 0);
    let mut last = None;
    while offset < file.len() {
        rounds += 1;
        assert!(rounds <= 10, "no progress after {rounds} rounds");
        // Both send the file's own bytes, A more of them than B: were both accepted, the
        // offset would not be what either wrote.
        let long = &file[offset..(offset + 60_000).min(file.len())];
        let short = &file[offset..(offset + 30_000).min(file.len())];
        let barrier = std::sync::Barrier::new(2);
        let at = offset as u64;
        let (on_a, on_b) = std::thread::scope(|s| {
            let sent_to_a = s.spawn(|| {
                barrier.wait();
                a.slow_patch(&token, &upload, at, long, pause)
            });
            let sent_to_b = s.spawn(|| {
                barrier.wait();
                b.slow_patch(&token, &upload, at, short, pause)
            });
            (sent_to_a.join().unwrap(), sent_to_b.join().unwrap())
        });
        let (won, lost, written) = match (on_a.status, on_b.status) {
            (204, s) if s != 204 => (on_a, on_b, long.len()),
            (s, 204) if s != 204 => (on_b, on_a, short.len()),
            _ => panic!(
                "round {rounds}: A answered {}, B answered {} ({} / {})",
                on_a.status,
                on_b.status,
                String::from_utf8_lossy(&on_a.body),
                String::from_utf8_lossy(&on_b.body)
            ),
        };
        if lost.status == 423 {
            lost.problem(423, "upload.locked");
            assert!(lost.header("retry-after").is_some());
            locked += 1;
        } else {
            lost.problem(409, "upload.offset_mismatch");
        }
        let now: usize = won.header("upload-offset").unwrap().parse().unwrap();
        assert_eq!(now, offset + written, "round {rounds}");
        assert_eq!(a.offset(&token, &upload), now as u64);
        assert_eq!(b.offset(&token, &upload), now as u64);
        offset = now;
        last = Some(won);
    }
    assert!(
        locked > 0,
        "the PATCHes never overlapped in {rounds} rounds"
    );
    // The server hashed what it stored: the announced SHA-256 (checked, else 460) is the file's.
    let last = last.expect("at least one round");
    assert_eq!(last.header("upload-sha256").as_deref(), Some(sha.as_str()));
    assert_eq!(blob_rows(&a, &sha), 1);
}

/// The behaviour tests for one backend; `$location` gives it, or `None` to skip.
macro_rules! blob_store_tests {
    ($backend:ident, $location:expr) => {
        mod $backend {
            #[test]
            fn an_upload_started_on_one_instance_finishes_on_another() {
                let Some(location) = $location() else { return };
                super::an_upload_started_on_one_instance_finishes_on_another(location);
            }

            #[test]
            fn files_are_stored_once_and_every_instance_serves_them() {
                let Some(location) = $location() else { return };
                super::files_are_stored_once_and_every_instance_serves_them(location);
            }

            #[test]
            fn two_instances_never_write_one_upload_at_once() {
                let Some(location) = $location() else { return };
                super::two_instances_never_write_one_upload_at_once(location);
            }

            #[test]
            fn a_file_other_than_announced_is_refused() {
                let Some(location) = $location() else { return };
                super::a_file_other_than_announced_is_refused(location);
            }
        }
    };
}

blob_store_tests!(files, super::files);
blob_store_tests!(s3, super::s3);
