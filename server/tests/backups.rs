//! `ceria_server::backup` on a live registry: a backup taken while the server serves and
//! writes, restored into a new directory, serves the same requests and files.

use ceria_server::backup::{self, BackupError};
use ceria_test_support::*;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn a_backup_taken_while_the_server_writes_restores_whole() {
    // The writer below uploads files no request uses, as fast as it can.
    // Backups are of SQLite registries (PostgreSQL ones are pg_dump's), in either suite.
    let ts = TestServer::start_on_sqlite(|c| c.max_unattached_files = u32::MAX);
    let fx = fixture();
    let officer = ts.officer();
    let mut submitted = Vec::new();
    for i in 0..3 {
        let citizen = ts.citizen(&nik(60 + i), "Lestari Wulandari");
        let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
        let results = ts.push(&citizen, &[submit(&p)]);
        assert_eq!(results[0]["status"], "accepted", "{results:?}");
        let id = results[0]["request_id"].as_str().unwrap().to_string();
        submitted.push((id, p.attachments));
    }

    // Uploads keep landing (database rows and blob files) while the backup runs.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let url = ts.base_url();
        let token = ts.citizen(&nik(70), "Maya Kusuma");
        std::thread::spawn(move || {
            let agent = agent();
            let mut n = 0u64;
            while writing.load(Ordering::Relaxed) {
                let data = jpeg_bytes(1_000 + n, 20_000);
                let r = agent
                    .post(&format!("{url}/v1/uploads"))
                    .header("authorization", &format!("Bearer {token}"))
                    .header("tus-resumable", "1.0.0")
                    .header("upload-length", &data.len().to_string())
                    .header("content-type", "application/offset+octet-stream")
                    .send(&data[..])
                    .unwrap();
                let status = r.status();
                let body = r.into_body().read_to_string().unwrap_or_default();
                assert_eq!(status, 201, "{body}");
                n += 1;
            }
            n
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let archive = ts.scratch("backup").join("registry.tar");
    let manifest = backup::backup(ts.data_dir(), &archive).unwrap();
    writing.store(false, Ordering::Relaxed);
    let uploaded_meanwhile = writer.join().unwrap();
    assert!(uploaded_meanwhile > 0);
    assert!(manifest.counts["requests"] >= 3);
    assert!(!manifest.blobs.is_empty());

    let restored_dir = ts.scratch("restored").join("data");
    let restored = backup::restore(&archive, &restored_dir).unwrap();
    assert_eq!(restored, manifest);
    assert!(matches!(
        backup::restore(&archive, &restored_dir),
        Err(BackupError::NotEmpty(_))
    ));

    let copy = TestServer::start_on_sqlite(|c| c.data_dir = restored_dir.clone());
    // The officer's session was in the database too.
    let listed: Vec<String> = copy
        .requests(&officer)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    for (id, attachments) in &submitted {
        assert!(listed.contains(id), "{id} missing from {listed:?}");
        for a in attachments {
            let bytes = copy.attachment(&officer, id, &a.sha256);
            assert_eq!(hex::encode(Sha256::digest(&bytes)), a.sha256);
        }
    }
}
