//! Tests of the whole device API and sync engine against the in-process fake server, with
//! injected faults: lost answers, broken uploads, 5xx/429, expired sessions and uploads.

use crate::device::{Device, DeviceConfig};
use crate::device_error::DeviceError;
use crate::device_testkit::{
    FakeServer, Fault, TEST_MAX_BYTES, TEST_SERVICE, test_catalog, test_catalog_json,
};
use crate::progress::{CancelToken, SyncListener, SyncProgress, SyncStep};
use crate::protocol::{DocumentInfo, RequestState, ReturnReason};
use crate::report::{Issue, Severity};
use crate::requests::LocalState;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const CHUNK: u32 = 64 * 1024;

struct Env {
    dir: tempfile::TempDir,
    server: FakeServer,
    device: Device,
}

fn config(dir: &tempfile::TempDir) -> DeviceConfig {
    let mut c = DeviceConfig::new(
        dir.path().join("data").to_string_lossy(),
        "http://registry.test",
    );
    c.chunk_size = CHUNK;
    c.backoff_base_ms = 40;
    c.backoff_max_ms = 200;
    c.retry_pause_ms = 0;
    c
}

fn open(dir: &tempfile::TempDir, server: &FakeServer) -> Device {
    Device::open_with_catalog(config(dir), Arc::new(server.clone()), test_catalog("1.0.0")).unwrap()
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::new(test_catalog_json("1.0.0"));
    let device = open(&dir, &server);
    device.login("1305014101900001", "rahasia123").unwrap();
    Env {
        dir,
        server,
        device,
    }
}

impl Env {
    fn file(&self, name: &str, size: usize, seed: u8) -> PathBuf {
        let path = self.dir.path().join(name);
        let bytes: Vec<u8> = (0..size)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A valid draft with one `kk` file of `size` bytes.
    fn draft(&self, size: usize, seed: u8) -> String {
        let d = self.device.create_draft(TEST_SERVICE).unwrap();
        let values: HashMap<String, String> = [
            ("keterangan".to_string(), "Mohon diproses".to_string()),
            ("desa".to_string(), "13.05.01.2001".to_string()),
        ]
        .into_iter()
        .collect();
        self.device.set_values(&d.id, values).unwrap();
        let f = self.file(&format!("kk-{seed}.jpg"), size, seed);
        self.device
            .attach(&d.id, "kk", f.to_str().unwrap(), "image/jpeg")
            .unwrap();
        d.id
    }

    fn sync(&self) -> Result<crate::sync::SyncReport, DeviceError> {
        self.device.sync(None, &CancelToken::new())
    }

    /// Syncs until a pass succeeds, waiting out backoffs.
    fn sync_until_ok(&self) -> crate::sync::SyncReport {
        for _ in 0..100 {
            match self.sync() {
                Ok(r) if r.pending_operations == 0 => return r,
                // Waiting for a retry time (or one that passed while the pass ended).
                _ => std::thread::sleep(std::time::Duration::from_millis(30)),
            }
        }
        panic!("sync never settled");
    }
}

#[test]
fn draft_to_accepted_request_with_intact_files() {
    let e = env();
    let d = e.device.create_draft(TEST_SERVICE).unwrap();
    assert!(!d.valid);
    assert!(d.missing_attachments.contains(&"kk".to_string()));
    e.device.delete_draft(&d.id).unwrap();
    assert!(matches!(
        e.device.delete_draft(&d.id),
        Err(DeviceError::NotFound { .. })
    ));
    let id = e.draft(200_000, 1);
    let draft = e.device.draft(&id).unwrap();
    assert!(draft.valid, "{:?}", draft.issues);
    let photo = e.file("foto.pdf", 1000, 9);
    e.device
        .attach(&id, "foto", photo.to_str().unwrap(), "image/jpeg")
        .unwrap();
    // The camera file may vanish once attached.
    std::fs::remove_file(&photo).unwrap();

    let req = e.device.finalise(&id).unwrap();
    assert_eq!(req.state, LocalState::Queued);
    assert_eq!(req.catalog_version, "1.0.0");
    assert_eq!(req.village.as_deref(), Some("13.05.01.2001"));
    assert!(e.device.drafts().unwrap().is_empty());
    assert!(matches!(
        e.device.draft(&id),
        Err(DeviceError::NotFound { .. })
    ));

    let events = Arc::new(Recorder::default());
    let report = e
        .device
        .sync(Some(events.clone()), &CancelToken::new())
        .unwrap();
    assert_eq!(report.accepted, 1);
    assert_eq!(report.files_uploaded, 2);
    assert_eq!(report.bytes_uploaded, 201_000);
    assert_eq!(report.pending_operations, 0);

    let req = e.device.request(&req.id).unwrap();
    assert_eq!(req.state, LocalState::Submitted);
    let server = e.server.requests();
    assert_eq!(server.len(), 1);
    assert_eq!(
        req.tracking_code.as_deref(),
        Some(server[0].tracking_code.as_str())
    );
    for a in &req.attachments {
        let blob = e.server.blob(&a.sha256).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&blob)), a.sha256);
        assert_eq!(blob, std::fs::read(&a.path).unwrap());
    }
    let steps: Vec<LocalState> = req.timeline.iter().map(|t| t.state).collect();
    assert_eq!(
        steps,
        [
            LocalState::Queued,
            LocalState::Uploading,
            LocalState::Pushed,
            LocalState::Submitted
        ]
    );
    assert!(req.timeline.last().unwrap().from_server);

    let seen = events.0.lock().unwrap();
    let bytes: Vec<u64> = seen
        .iter()
        .filter(|p| p.step == SyncStep::Uploading)
        .map(|p| p.bytes_sent)
        .collect();
    assert!(bytes.windows(2).all(|w| w[0] <= w[1]), "{bytes:?}");
    assert_eq!(bytes.last().copied(), Some(201_000));
    assert_eq!(seen.last().unwrap().step, SyncStep::Done);
}

#[derive(Default)]
struct Recorder(Mutex<Vec<SyncProgress>>);

impl SyncListener for Recorder {
    fn on_progress(&self, progress: SyncProgress) {
        self.0.lock().unwrap().push(progress);
    }
}

#[test]
fn broken_upload_resumes_from_the_server_offset() {
    let e = env();
    let id = e.draft(300_000, 2);
    e.device.finalise(&id).unwrap();
    // Two breaks in the middle of chunks: the server keeps what it received.
    e.server.fault(Fault::DropPatchAfter(10_000));
    e.server.fault(Fault::DropPatchAfter(50_000));
    let report = e.sync().unwrap();
    assert_eq!(report.accepted, 1);
    // The server keeps what arrived before each break and the upload goes on from there:
    // no file byte arrives twice (the rest is the small JSON bodies).
    let sent = e.server.bytes_in();
    assert!(sent < 300_000 + 2_000, "{sent}");
    let r = &e.server.requests()[0];
    let blob = e.server.blob(&r.payload.attachments[0].sha256).unwrap();
    assert_eq!(blob, std::fs::read(e.dir.path().join("kk-2.jpg")).unwrap());
    assert!(e.server.count("HEAD /v1/uploads/") >= 3);
}

#[test]
fn lost_push_answer_is_replayed_not_duplicated() {
    let e = env();
    let a = e.draft(1000, 3);
    let b = e.draft(1000, 4);
    let ra = e.device.finalise(&a).unwrap();
    let rb = e.device.finalise(&b).unwrap();
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    e.server.fault(Fault::LoseAnswer {
        prefix: "POST /v1/sync/push".into(),
    });
    // Four lost answers exhaust the pass's network retries: offline, op kept with a backoff.
    assert!(matches!(e.sync(), Err(DeviceError::Offline { .. })));
    assert_eq!(e.server.requests().len(), 2);
    let waiting = e.device.request(&ra.id).unwrap();
    assert_eq!(waiting.state, LocalState::Pushed);
    assert!(waiting.last_error.is_some());
    e.sync_until_ok();
    assert_eq!(
        e.server.requests().len(),
        2,
        "replays must not create requests"
    );
    for id in [&ra.id, &rb.id] {
        let r = e.device.request(id).unwrap();
        assert_eq!(r.state, LocalState::Submitted);
        let timeline_submitted = r
            .timeline
            .iter()
            .filter(|t| t.state == LocalState::Submitted)
            .count();
        assert_eq!(timeline_submitted, 1);
    }
}

#[test]
fn server_errors_back_off_per_operation() {
    let e = env();
    let id = e.draft(1000, 5);
    let req = e.device.finalise(&id).unwrap();
    e.server.fault(Fault::Status {
        prefix: "POST /v1/sync/push".into(),
        status: 429,
        retry_after: Some(1),
    });
    match e.sync() {
        Err(DeviceError::Server {
            status: 429,
            retry_after_ms: Some(1000),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let r = e.device.request(&req.id).unwrap();
    let wait = r.next_attempt_ms.unwrap() - crate::db::now_ms();
    assert!(wait > 800, "Retry-After honoured: {wait}");
    // Before the time, a pass skips the operation instead of hammering the server.
    let pushes = e.server.count("POST /v1/sync/push");
    let report = e.sync().unwrap();
    assert_eq!(report.pending_operations, 1);
    assert!(report.next_retry_ms.is_some());
    assert_eq!(e.server.count("POST /v1/sync/push"), pushes);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    e.server.fault(Fault::Status {
        prefix: "POST /v1/sync/push".into(),
        status: 503,
        retry_after: None,
    });
    assert!(matches!(
        e.sync(),
        Err(DeviceError::Server { status: 503, .. })
    ));
    e.sync_until_ok();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
    assert_eq!(e.server.requests().len(), 1);
}

#[test]
fn refused_session_asks_to_log_in_and_keeps_data() {
    let e = env();
    let id = e.draft(1000, 6);
    let req = e.device.finalise(&id).unwrap();
    e.server.revoke_sessions();
    assert!(matches!(e.sync(), Err(DeviceError::Unauthorized { .. })));
    let acct = e.device.current_account().unwrap().unwrap();
    assert!(acct.needs_login && !acct.logged_in);
    // No network is spent while logged out.
    let calls = e.server.count("");
    assert!(matches!(e.sync(), Err(DeviceError::Unauthorized { .. })));
    assert_eq!(e.server.count(""), calls + 1, "only the catalog check");
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Uploading
    );
    e.device.login("1305014101900001", "rahasia123").unwrap();
    e.sync().unwrap();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
    assert!(matches!(
        e.device.login("1305014101900001", "salah"),
        Err(DeviceError::Unauthorized { .. })
    ));
}

/// A session in its last week on a server without renewal (an older release): the pass
/// completes with the token it has, the report says why it was not renewed.
#[test]
fn renewal_unknown_to_the_server_keeps_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::new(test_catalog_json("1.0.0"));
    server.short_sessions(24 * 3600 * 1000);
    let device = open(&dir, &server);
    device.login("1305014101900001", "rahasia123").unwrap();
    let before = device.current_account().unwrap().unwrap();
    let report = device.sync(None, &CancelToken::new()).unwrap();
    assert_eq!(report.accounts_synced, 1);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p == "session renewal: HTTP 404"),
        "{:?}",
        report.problems
    );
    assert_eq!(server.count("POST /v1/sessions/current/refresh"), 1);
    let after = device.current_account().unwrap().unwrap();
    assert!(after.logged_in && !after.needs_login);
    assert_eq!(after.session_expires_ms, before.session_expires_ms);
}

#[test]
fn rejection_needs_fix_and_revision_resubmits() {
    let e = env();
    let id = e.draft(1000, 7);
    let req = e.device.finalise(&id).unwrap();
    let issue = Issue {
        field: Some("keterangan".into()),
        code: "text.invalid_chars".into(),
        severity: Severity::Error,
        message_id: "Karakter tidak sah".into(),
        message_en: "Invalid characters".into(),
        params: HashMap::new(),
    };
    e.server.reject_next(vec![issue.clone()]);
    let report = e.sync().unwrap();
    assert_eq!(report.needs_fix, 1);
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::NeedsFix);
    assert_eq!(r.issues, vec![issue]);
    assert!(r.can_revise);

    let draft = e.device.revise(&req.id).unwrap();
    assert_eq!(draft.revises.as_deref(), Some(req.id.as_str()));
    assert_eq!(draft.attachments.len(), 1);
    assert_eq!(
        e.device.revise(&req.id).unwrap().id,
        draft.id,
        "revising twice: same draft"
    );
    let values = [(
        "keterangan".to_string(),
        "Mohon diproses segera".to_string(),
    )]
    .into_iter()
    .collect();
    e.device.set_values(&draft.id, values).unwrap();
    let again = e.device.finalise(&draft.id).unwrap();
    assert_eq!(again.id, req.id, "the same local request");
    assert_eq!(again.state, LocalState::Queued);
    e.sync().unwrap();
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::Submitted);
    assert!(r.issues.is_empty());
    let server = e.server.requests();
    assert_eq!(server.len(), 1);
    assert_eq!(
        server[0].payload.values["keterangan"],
        "Mohon diproses segera"
    );
}

#[test]
fn returned_request_is_revised_and_completed_with_document() {
    let e = env();
    let id = e.draft(1000, 8);
    let req = e.device.finalise(&id).unwrap();
    e.sync().unwrap();
    let srv = e.server.requests()[0].id.clone();
    let reason = ReturnReason {
        target: Some("kk".into()),
        message: "Foto KK buram".into(),
    };
    e.server
        .transition(&srv, RequestState::Returned, vec![reason.clone()], None);
    e.sync().unwrap();
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::Returned);
    assert_eq!(r.reasons, vec![reason]);

    let draft = e.device.revise(&req.id).unwrap();
    let old = draft.attachments[0].id.clone();
    e.device.remove_attachment(&old).unwrap();
    let sharper = e.file("kk-tajam.jpg", 5000, 99);
    e.device
        .attach(&draft.id, "kk", sharper.to_str().unwrap(), "image/jpeg")
        .unwrap();
    e.device.finalise(&draft.id).unwrap();
    e.sync().unwrap();
    let s = &e.server.requests()[0];
    assert_eq!((s.state, s.revisions), (RequestState::Submitted, 1));
    assert_eq!(
        e.server.blob(&s.payload.attachments[0].sha256).unwrap(),
        std::fs::read(&sharper).unwrap()
    );
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );

    e.server
        .transition(&srv, RequestState::Verified, vec![], None);
    e.server
        .transition(&srv, RequestState::Processing, vec![], None);
    let doc = DocumentInfo {
        number: "1305-LU-01122026-0001".into(),
        pickup: "Cetak sendiri".into(),
    };
    e.server
        .transition(&srv, RequestState::Completed, vec![], Some(doc.clone()));
    let report = e.sync().unwrap();
    assert_eq!(report.changes_pulled, 3, "feed pages of 2 are followed");
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::Completed);
    assert_eq!(r.document, Some(doc));
    assert!(!r.can_cancel && !r.can_revise);
    assert!(matches!(
        e.device.cancel(&req.id),
        Err(DeviceError::InvalidInput { .. })
    ));
}

#[test]
fn cancel_locally_before_sending_and_remotely_after() {
    let e = env();
    let a = e.device.finalise(&e.draft(1000, 10)).unwrap();
    let r = e.device.cancel(&a.id).unwrap();
    assert_eq!(r.state, LocalState::Cancelled);
    e.sync().unwrap();
    assert!(e.server.requests().is_empty(), "never sent");
    assert_eq!(e.server.count("POST /v1/uploads"), 0);

    let b = e.device.finalise(&e.draft(1000, 11)).unwrap();
    e.sync().unwrap();
    let r = e.device.cancel(&b.id).unwrap();
    assert!(r.cancel_pending && !r.can_cancel);
    assert_eq!(r.state, LocalState::Submitted);
    e.sync().unwrap();
    assert_eq!(
        e.device.request(&b.id).unwrap().state,
        LocalState::Cancelled
    );
    assert_eq!(e.server.requests()[0].state, RequestState::Cancelled);
}

#[test]
fn cancel_after_a_lost_answer_goes_to_the_server() {
    let e = env();
    let a = e.device.finalise(&e.draft(1000, 12)).unwrap();
    for _ in 0..4 {
        e.server.fault(Fault::LoseAnswer {
            prefix: "POST /v1/sync/push".into(),
        });
    }
    assert!(e.sync().is_err());
    // The server has it, though the device never heard: the cancel must travel.
    let r = e.device.cancel(&a.id).unwrap();
    assert!(r.cancel_pending);
    e.sync_until_ok();
    e.sync().unwrap();
    assert_eq!(e.server.requests()[0].state, RequestState::Cancelled);
    assert_eq!(
        e.device.request(&a.id).unwrap().state,
        LocalState::Cancelled
    );
}

#[test]
fn attach_refuses_at_attach_time() {
    let e = env();
    let d = e.device.create_draft(TEST_SERVICE).unwrap();
    let big = e.file("big.jpg", TEST_MAX_BYTES as usize + 1, 1);
    match e
        .device
        .attach(&d.id, "kk", big.to_str().unwrap(), "image/jpeg")
    {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "attachment.too_large");
            assert_eq!(issues[0].params["max_mb"], "1");
        }
        other => panic!("{other:?}"),
    }
    let small = e.file("a.gif", 10, 1);
    match e
        .device
        .attach(&d.id, "kk", small.to_str().unwrap(), "image/gif")
    {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "attachment.media_type");
            assert_eq!(issues[0].params["media_type"], "image/gif");
        }
        other => panic!("{other:?}"),
    }
    for seed in 0..2 {
        let f = e.file(&format!("p{seed}.pdf"), 10, seed);
        e.device
            .attach(&d.id, "kk", f.to_str().unwrap(), "application/pdf")
            .unwrap();
    }
    match e
        .device
        .attach(&d.id, "kk", small.to_str().unwrap(), "image/jpeg")
    {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "attachment.too_many");
            assert_eq!(issues[0].params["max"], "2");
            assert_eq!(issues[0].params["attachment"], "kk");
            // Worded with the requirement's label, not its id.
            assert!(
                issues[0].message_id.contains("Kartu Keluarga"),
                "{}",
                issues[0].message_id
            );
            assert!(
                issues[0].message_en.contains("Family card"),
                "{}",
                issues[0].message_en
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        e.device
            .attach(&d.id, "tidak_ada", small.to_str().unwrap(), "image/jpeg"),
        Err(DeviceError::Validation { .. })
    ));
    assert!(matches!(
        e.device.attach(&d.id, "kk", "/tidak/ada.jpg", "image/jpeg"),
        Err(DeviceError::InvalidInput { .. })
    ));
    assert_eq!(e.device.draft(&d.id).unwrap().attachments.len(), 2);
    // Nothing refused was copied in.
    let blobs = walk(&e.dir.path().join("data/files/blobs"));
    assert_eq!(blobs, 2);
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn finalise_requires_a_valid_form() {
    let e = env();
    let d = e.device.create_draft(TEST_SERVICE).unwrap();
    let values = [("keterangan".to_string(), "isi".to_string())]
        .into_iter()
        .collect();
    let report = e.device.set_values(&d.id, values).unwrap();
    assert!(!report.valid);
    match e.device.finalise(&d.id) {
        Err(DeviceError::Validation { code, issues, .. }) => {
            assert_eq!(code, "draft.invalid");
            assert!(issues.iter().any(|i| i.field.as_deref() == Some("desa")));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.device.requests().unwrap().is_empty());
    assert_eq!(e.device.drafts().unwrap().len(), 1);
    // Autosaved: a reopened device (a killed app) still has the value.
    drop(e.device);
    let device = open(&e.dir, &e.server);
    assert_eq!(device.draft(&d.id).unwrap().values["keterangan"], "isi");
    assert!(matches!(
        device.create_draft("tidak_ada"),
        Err(DeviceError::InvalidInput { .. })
    ));
}

#[test]
fn catalog_is_refreshed_by_etag_and_cached() {
    let e = env();
    e.sync().unwrap();
    assert_eq!(e.server.count("GET /v1/catalog"), 1);
    let report = e.sync().unwrap();
    assert!(!report.catalog_updated, "304: unchanged");
    e.server.publish_catalog(test_catalog_json("1.1.0"));
    assert!(e.sync().unwrap().catalog_updated);
    assert_eq!(e.device.catalog().version(), "1.1.0");
    drop(e.device);
    let device = open(&e.dir, &e.server);
    assert_eq!(
        device.catalog().version(),
        "1.1.0",
        "cached across restarts"
    );
    // An older catalog from the server never replaces a newer one.
    e.server.publish_catalog(test_catalog_json("0.9.0"));
    let report = device.sync(None, &CancelToken::new()).unwrap();
    assert!(!report.catalog_updated);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(device.catalog().version(), "1.1.0");
}

#[test]
fn outdated_catalog_marks_for_fixing() {
    let e = env();
    let req = e.device.finalise(&e.draft(1000, 13)).unwrap();
    e.server.outdated_next();
    e.sync().unwrap();
    let r = e.device.request(&req.id).unwrap();
    assert_eq!(r.state, LocalState::NeedsFix);
    assert_eq!(r.issues[0].code, "catalog.outdated");
    assert_eq!(r.issues[0].params["version"], "9999.1.1");
}

#[test]
fn logout_wipes_the_account_and_its_files() {
    let e = env();
    e.server.add_user(
        "operator1",
        "kuat-sekali",
        crate::protocol::Role::Operator,
        Some("13.05.02.2002"),
    );
    let citizen = e.device.current_account().unwrap().unwrap();
    let a = e.device.finalise(&e.draft(2000, 14)).unwrap();
    let op = e.device.login("operator1", "kuat-sekali").unwrap();
    assert!(op.current);
    let d = e.draft(3000, 15);
    e.device
        .set_draft_context(&d, None, Some("1305014101900001".into()))
        .unwrap();
    let b = e.device.finalise(&d).unwrap();
    assert_eq!(
        b.village.as_deref(),
        Some("13.05.02.2002"),
        "the operator's village"
    );
    assert_eq!(e.device.requests().unwrap().len(), 1, "only the operator's");
    e.device.sync(None, &CancelToken::new()).unwrap();
    assert_eq!(
        e.server.requests().len(),
        2,
        "one pass serves every account"
    );

    e.device.logout(&citizen.id).unwrap();
    assert_eq!(e.device.accounts().unwrap().len(), 1);
    assert_eq!(
        walk(&e.dir.path().join("data/files/blobs")),
        1,
        "the citizen's file is gone"
    );
    assert_eq!(e.device.current_account().unwrap().unwrap().id, op.id);
    assert!(matches!(
        e.device.request(&a.id),
        Err(DeviceError::NotFound { .. })
    ));
    e.device.logout(&op.id).unwrap();
    assert!(matches!(
        e.device.requests(),
        Err(DeviceError::Unauthorized { .. })
    ));
    assert!(matches!(
        e.device.logout(&op.id),
        Err(DeviceError::NotFound { .. })
    ));
}

#[test]
fn cancelled_sync_stops_between_chunks_and_resumes() {
    let e = env();
    let req = e.device.finalise(&e.draft(400_000, 16)).unwrap();
    let token = CancelToken::new();
    struct CancelAfter(CancelToken, u64);
    impl SyncListener for CancelAfter {
        fn on_progress(&self, p: SyncProgress) {
            if p.bytes_sent >= self.1 {
                self.0.cancel();
            }
        }
    }
    let listener = Arc::new(CancelAfter(token.clone(), 100_000));
    assert!(matches!(
        e.device.sync(Some(listener), &token),
        Err(DeviceError::Cancelled { .. })
    ));
    let sent = e.server.bytes_in();
    assert!(sent < 400_000, "{sent}");
    e.sync().unwrap();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
    assert!(
        e.server.bytes_in() < 400_000 + 2_000,
        "resumed, not restarted"
    );
}

#[test]
fn expired_upload_is_created_again() {
    let e = env();
    let req = e.device.finalise(&e.draft(200_000, 17)).unwrap();
    e.server.fault(Fault::DropPatchAfter(1000));
    for _ in 0..4 {
        e.server.fault(Fault::Offline {
            prefix: "HEAD".into(),
        });
    }
    assert!(matches!(e.sync(), Err(DeviceError::Offline { .. })));
    e.server.expire_uploads();
    e.sync_until_ok();
    assert_eq!(
        e.server.count("POST /v1/uploads"),
        2,
        "{:#?}",
        e.server.log()
    );
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
}

#[test]
fn offline_keeps_everything_for_later() {
    let e = env();
    let req = e.device.finalise(&e.draft(1000, 18)).unwrap();
    for _ in 0..4 {
        e.server.fault(Fault::Offline {
            prefix: "POST /v1/uploads".into(),
        });
    }
    match e.sync() {
        Err(err @ DeviceError::Offline { .. }) => assert!(err.is_retryable()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Uploading
    );
    e.sync_until_ok();
    assert_eq!(
        e.device.request(&req.id).unwrap().state,
        LocalState::Submitted
    );
}
