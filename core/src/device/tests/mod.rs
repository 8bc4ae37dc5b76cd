//! Tests of the whole device API and sync engine against the in-process fake server, with
//! injected faults: lost answers, broken uploads, 5xx/429, expired sessions and uploads.

mod at_rest;
mod drafts;
mod requests;
mod sync;
mod testkit;

use crate::device::error::DeviceError;
use crate::device::store::requests::LocalState;
use crate::device::sync::progress::{CancelToken, SyncListener, SyncProgress, SyncStep};
use crate::device::tests::testkit::{
    FakeServer, Fault, TEST_MAX_BYTES, TEST_SERVICE, test_catalog, test_catalog_json,
};
use crate::device::{Device, DeviceConfig};
use crate::protocol::{DocumentInfo, RequestState, ReturnReason};
use crate::report::{Issue, Severity};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const CHUNK: u32 = 64 * 1024;

/// The device key of the tests: every test runs on an encrypted store, as apps do.
const TEST_KEY: [u8; 32] = [0x5a; 32];

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
    c.encryption_key = Some(TEST_KEY.to_vec());
    c.chunk_size = CHUNK;
    c.backoff_base_ms = 40;
    c.backoff_max_ms = 200;
    c.retry_pause_ms = 0;
    c
}

fn open(dir: &tempfile::TempDir, server: &FakeServer) -> Device {
    open_with(config(dir), server)
}

fn open_with(config: DeviceConfig, server: &FakeServer) -> Device {
    Device::open_with_catalog(config, Arc::new(server.clone()), test_catalog("1.0.0")).unwrap()
}

fn env() -> Env {
    env_with(|_| {})
}

/// [`env`] with a changed configuration.
fn env_with(change: impl FnOnce(&mut DeviceConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let server = FakeServer::new(test_catalog_json("1.0.0"));
    let mut c = config(&dir);
    change(&mut c);
    let device = open_with(c, &server);
    device.login("1305014101900001", "rahasia123").unwrap();
    Env {
        dir,
        server,
        device,
    }
}

/// What [`Env::file`] writes for `name`, `size` and `seed`.
fn file_content(name: &str, size: usize, seed: u8) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    // Files are judged by their content: start like the kind the name says.
    let magic: &[u8] = match name.rsplit('.').next() {
        Some("pdf") => b"%PDF-1.4",
        Some("gif") => b"GIF89a",
        Some("png") => b"\x89PNG\r\n\x1a\n",
        _ => &[0xFF, 0xD8, 0xFF, 0xE0],
    };
    let n = magic.len().min(bytes.len());
    bytes[..n].copy_from_slice(&magic[..n]);
    bytes
}

impl Env {
    fn file(&self, name: &str, size: usize, seed: u8) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, file_content(name, size, seed)).unwrap();
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

    fn sync(&self) -> Result<crate::device::sync::engine::SyncReport, DeviceError> {
        self.device.sync(None, &CancelToken::new())
    }

    /// Syncs until a pass succeeds, waiting out backoffs.
    fn sync_until_ok(&self) -> crate::device::sync::engine::SyncReport {
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

#[derive(Default)]
struct Recorder(Mutex<Vec<SyncProgress>>);

impl SyncListener for Recorder {
    fn on_progress(&self, progress: SyncProgress) {
        self.0.lock().unwrap().push(progress);
    }
}
