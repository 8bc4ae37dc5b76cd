//! Moving up (`ceria admin migrate`): a SQLite registry filled by the end-to-end flow (a
//! device syncing requests with files, reviews, an unfinished upload, failed logins) is copied
//! into an empty PostgreSQL database; every table arrives with its rows, ids, feed positions
//! and password hashes, every file is verified, a server on the copy carries on where the old
//! one stopped (same feed, same cursors, the upload resumes, new changes come after the old
//! ones), and a second run is refused. Needs `CERIA_TEST_POSTGRES_URL`
//! (`scripts/suites/postgres.sh`); skipped with the reason printed otherwise.

use ceria_core::protocol::Role;
use ceria_core::{Device, protocol::RequestState};
use ceria_server::BlobStoreLocation;
use ceria_server::migrate::{self, MigrateError};
use ceria_test_support::postgres::TestDatabase;
use ceria_test_support::{TestServer, device_config, jpeg_bytes, nik, queue_ktp, sync_until_done};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const PASSWORD: &str = "Pohon-Kelapa-Tinggi-3";
const KTP_VILLAGE: &str = "13.05.02.2002";

fn sqlite_counts(data_dir: &std::path::Path) -> BTreeMap<String, u64> {
    let c = rusqlite_connection(data_dir);
    let mut stmt = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let n: i64 = c
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n as u64)
        })
        .collect()
}

fn rusqlite_connection(data_dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data_dir.join("ceria.db")).unwrap()
}

#[test]
fn a_registry_filled_end_to_end_moves_to_postgres_whole() {
    let Some(target) = TestDatabase::create() else {
        eprintln!(
            "skipped: CERIA_TEST_POSTGRES_URL is not set (scripts/suites/postgres.sh runs it)"
        );
        return;
    };
    // The old registry, on SQLite.
    let mut old = TestServer::start_on_sqlite(|_| {});
    let dir = old.scratch("device");
    let device =
        Device::open_with(device_config(&dir.join("data"), &old.base_url())).expect("device");
    device
        .register(&nik(81), "Siti Rahmawati", "081234567890", PASSWORD)
        .expect("registered");
    let locals: Vec<String> = (0..3)
        .map(|i| queue_ktp(&device, &dir, 2, 30_000, 10 + i))
        .collect();
    sync_until_done(&device, 20).expect("synced");
    let ids: Vec<String> = locals
        .iter()
        .map(|l| device.request(l).unwrap().server_id.unwrap())
        .collect();
    let operator = old.staff(Role::Operator, "op.nagari", Some(KTP_VILLAGE));
    let officer = old.officer();
    for to in ["verified", "processing"] {
        let token = if to == "verified" {
            &operator
        } else {
            &officer
        };
        assert_eq!(
            old.transition(token, &ids[0], json!({"to": to})).status,
            200
        );
    }
    let doc = json!({"number": "1305-KTP-02122026-0001", "pickup": "Kantor Dukcapil"});
    let r = old.transition(
        &officer,
        &ids[0],
        json!({"to": "completed", "document": doc}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let citizen = old.login_with(&nik(81), PASSWORD);
    // An upload left half-way, and a failed login (a rate-limit row).
    let file = jpeg_bytes(81, 90_000);
    let upload = old.create_upload(&citizen, file.len() as u64, None);
    assert_eq!(
        old.patch(&citizen, &upload, 0, &file[..40_000], None)
            .status,
        204
    );
    old.call(
        "POST",
        "/v1/sessions",
        None,
        Some(&json!({"username": nik(81), "password": "bukan-sandinya-ini"})),
    );
    let feed_before = old.pull_all(&citizen);
    let listed_before = old.requests(&officer);
    let details_before: Vec<_> = ids.iter().map(|id| old.detail(&officer, id)).collect();
    old.take_running().shutdown();
    let counts = sqlite_counts(old.data_dir());

    let report = migrate::migrate(old.data_dir(), target.url(), &BlobStoreLocation::DataDir)
        .expect("migrated");
    let copied: BTreeMap<String, u64> = report
        .tables
        .iter()
        .map(|t| (t.table.clone(), t.rows))
        .collect();
    assert_eq!(copied, counts, "every table, every row");
    assert_eq!(copied["requests"], 3);
    assert!(copied["events"] >= 6);
    assert!(report.blobs >= 6, "{report:?}");
    assert!(
        report.sequences.iter().any(|s| s.column == "events.seq"),
        "{report:?}"
    );

    // A server on the copy, with the same data directory (the files stay there).
    let data_dir = old.data_dir().to_path_buf();
    let new = TestServer::start_on(Some(target.clone()), |c| c.data_dir = data_dir);
    let citizen = new.login_with(&nik(81), PASSWORD);
    let officer = new.login_with(ceria_test_support::OFFICER.0, ceria_test_support::OFFICER.1);
    assert_eq!(
        new.pull_all(&citizen),
        feed_before,
        "the same feed, positions and cursors"
    );
    let summary = |list: &[Value]| -> Vec<(Value, Value, Value)> {
        list.iter()
            .map(|r| {
                (
                    r["id"].clone(),
                    r["tracking_code"].clone(),
                    r["state"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(summary(&new.requests(&officer)), summary(&listed_before));
    for (id, before) in ids.iter().zip(&details_before) {
        let after = new.detail(&officer, id);
        for part in ["tracking_code", "payload", "attachments", "history"] {
            assert_eq!(after[part], before[part], "{part} of {id}");
        }
        for a in after["attachments"].as_array().unwrap() {
            let sha = a["sha256"].as_str().unwrap();
            let bytes = new.attachment(&officer, id, sha);
            assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
        }
    }
    // The unfinished upload resumes where it stopped.
    assert_eq!(new.offset(&citizen, &upload), 40_000);
    let r = new.patch(&citizen, &upload, 40_000, &file[40_000..], None);
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    // The phone carries on with its old session; new changes follow the copied ones.
    drop(device);
    let device =
        Device::open_with(device_config(&dir.join("data"), &new.base_url())).expect("device");
    let last_seq = feed_before.last().unwrap()["seq"].as_i64().unwrap();
    let fourth = queue_ktp(&device, &dir, 1, 30_000, 20);
    sync_until_done(&device, 20).expect("synced to the new server");
    assert_eq!(
        device.request(&locals[0]).unwrap().server_state,
        Some(RequestState::Completed)
    );
    let feed_after = new.pull_all(&citizen);
    let new_change = feed_after.last().unwrap();
    assert_eq!(
        new_change["request_id"].as_str(),
        device.request(&fourth).unwrap().server_id.as_deref()
    );
    assert!(new_change["seq"].as_i64().unwrap() > last_seq);

    // A second run finds the target in use and changes nothing.
    match migrate::migrate(old.data_dir(), target.url(), &BlobStoreLocation::DataDir) {
        Err(MigrateError::TargetNotEmpty { .. }) => {}
        other => panic!("a second migration into a used database: {other:?}"),
    }
}
