//! End-to-end on a bad network: the device core against the real server through the
//! fault-injecting proxy, with the connection cut inside every chunk of a file, and files
//! uploaded in the background while still attached to a draft (released again when the draft
//! is deleted).

use ceria_core::{CancelToken, Device, DeviceError, LocalState, SyncListener, SyncProgress};
use ceria_e2e::proxy::{Proxy, Rule};
use ceria_test_support::{
    PASSWORD, TestServer, device_config, example_form, nik as citizen_nik, queue_ktp, write_file,
};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHUNK: usize = 64 * 1024;

fn citizen(server: &TestServer, proxy: &Proxy, name: &str, n: u32, background: bool) -> Device {
    let dir = server.scratch(name);
    let mut config = device_config(&dir.join("data"), &proxy.url());
    config.chunk_size = CHUNK as u32;
    config.background_uploads = background;
    // A pause after a cut would make the tests take minutes (only a second drop in a row
    // without progress pauses).
    config.retry_pause_ms = 60_000;
    let device = Device::open_with(config).expect("device opens");
    device
        .register(&citizen_nik(n), "Siti Rahmawati", "081234567890", PASSWORD)
        .expect("registered");
    device
}

fn sync(device: &Device) -> Result<ceria_core::SyncReport, DeviceError> {
    device.sync(None, &CancelToken::new())
}

#[test]
fn a_cut_inside_every_chunk_loses_nothing_and_never_pauses() {
    let server = TestServer::start();
    let proxy = Proxy::start(server.addr()).unwrap();
    let device = citizen(&server, &proxy, "every-chunk", 1, false);
    let dir = server.scratch("every-chunk-files");
    let size = 16 * CHUNK;
    let local = queue_ktp(&device, &dir, 1, size, 3);
    // Every PATCH is cut halfway through its body, so every chunk is cut at least once; the
    // last cut comes after the last byte, before the answer.
    let cuts = size / (CHUNK / 2);
    for _ in 0..cuts {
        proxy.push(Rule::DropRequest {
            matches: "PATCH /v1/uploads/".into(),
            after: CHUNK / 2,
        });
    }
    let (up, started) = (proxy.bytes_up(), Instant::now());
    let report = sync(&device).expect("one pass delivers");
    // Any pause would last at least 30 s (half of retry_pause_ms).
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "paused: {:?}",
        started.elapsed()
    );
    assert_eq!(proxy.pending_rules(), 0, "every chunk was cut");
    assert_eq!(report.accepted, 1);
    let sent = proxy.bytes_up() - up;
    // File bytes once, plus request heads, HEADs and the push. One chunk of slack: on a busy
    // machine the HEAD after a cut (a new connection) can be answered before the cut PATCH
    // reached the server, and the device then resends what it had sent of that chunk.
    assert!(
        sent < (size + CHUNK) as u64 + 40_000,
        "{sent} bytes sent for {size}"
    );

    let officer = server.officer();
    let on_server = server.requests(&officer);
    assert_eq!(on_server.len(), 1, "exactly once");
    let info = device.request(&local).unwrap();
    assert_eq!(info.state, LocalState::Submitted);
    let id = on_server[0]["id"].as_str().unwrap();
    for a in &info.attachments {
        let bytes = server.attachment(&officer, id, &a.sha256);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), a.sha256);
        // The device's copy is sealed on disk; its plaintext is what the server holds.
        assert_eq!(
            bytes,
            device.attachment_content(&a.id).unwrap(),
            "byte-identical"
        );
    }
}

/// Cancels the pass once some file bytes are confirmed.
struct CancelAfterFirstChunk(CancelToken);

impl SyncListener for CancelAfterFirstChunk {
    fn on_progress(&self, p: SyncProgress) {
        if p.bytes_sent > 0 {
            self.0.cancel();
        }
    }
}

#[test]
fn draft_files_upload_before_send_and_a_deleted_draft_releases_them() {
    let server = TestServer::start();
    let proxy = Proxy::start(server.addr()).unwrap();
    let device = citizen(&server, &proxy, "background", 2, true);
    let dir = server.scratch("background-files");
    let (values, _) = example_form("ktp_baru");

    // A draft still being filled in: its file goes up in the background.
    let draft = device.create_draft("ktp_baru").unwrap();
    let photo = dir.join("kk.jpg");
    write_file(&photo, 400_000, 11);
    device
        .attach(&draft.id, "kk", &photo.to_string_lossy(), "image/jpeg")
        .unwrap();
    let report = sync(&device).unwrap();
    assert_eq!(report.files_uploaded, 1);
    assert_eq!(report.pending_operations, 0);
    device.set_values(&draft.id, values.clone()).unwrap();
    let before = proxy.bytes_up();
    let request = device.finalise(&draft.id).unwrap();
    let report = sync(&device).unwrap();
    assert_eq!(report.accepted, 1);
    let send = proxy.bytes_up() - before;
    assert!(send < 10_000, "send cost {send} bytes");
    assert_eq!(
        device.request(&request.id).unwrap().state,
        LocalState::Submitted
    );

    // Another draft, its upload half done, then deleted: the server lets the upload go.
    let draft = device.create_draft("ktp_baru").unwrap();
    let photo = dir.join("kk-2.jpg");
    write_file(&photo, 400_000, 12);
    device
        .attach(&draft.id, "kk", &photo.to_string_lossy(), "image/jpeg")
        .unwrap();
    let token = CancelToken::new();
    let stop = Arc::new(CancelAfterFirstChunk(token.clone()));
    assert!(matches!(
        device.sync(Some(stop), &token),
        Err(DeviceError::Cancelled { .. })
    ));
    let created: Vec<String> = proxy
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("PATCH /v1/uploads/"))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .collect();
    let upload = created.last().expect("a PATCH").clone();
    device.delete_draft(&draft.id).unwrap();
    sync(&device).unwrap();
    let deletes: Vec<String> = proxy
        .request_lines()
        .into_iter()
        .filter(|l| l.starts_with("DELETE /v1/uploads/"))
        .collect();
    assert_eq!(deletes, vec![format!("DELETE {upload} HTTP/1.1")]);
    let token = server.login_with(&citizen_nik(2), PASSWORD);
    let head = server.raw(
        "HEAD",
        &upload,
        Some(&token),
        &[("tus-resumable", "1.0.0")],
        None,
    );
    assert_eq!(head.status, 404, "terminated");
    // Nothing more to release or upload.
    let lines = proxy.request_lines().len();
    sync(&device).unwrap();
    assert!(
        proxy.request_lines()[lines..]
            .iter()
            .all(|l| !l.contains("/v1/uploads")),
        "{:?}",
        &proxy.request_lines()[lines..]
    );
}
