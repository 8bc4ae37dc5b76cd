//! The real reference server on loopback with a temporary data directory, staff accounts,
//! the reviewer's side of the API (through plain HTTP), example forms from the catalog
//! fixtures, and devices configured for tests.

use ceria_core::protocol::Role;
use ceria_core::{CancelToken, Device, DeviceConfig, DeviceError, SyncReport};
use ceria_server::admin::{self, StaffAccount};
use ceria_server::{Config, RunningServer, Server};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Officer credentials created by [`TestServer::start`].
pub const OFFICER: (&str, &str) = ("petugas.dukcapil", "sandi-petugas-1");
/// A village of Padang Pariaman (Kemendagri code).
pub const VILLAGE: &str = "13.05.02.2002";

/// The reference server on 127.0.0.1 with a temporary data directory.
pub struct TestServer {
    dir: tempfile::TempDir,
    config: Config,
    running: Option<RunningServer>,
    addr: SocketAddr,
}

impl TestServer {
    /// Starts a server with an officer account.
    pub fn start() -> TestServer {
        TestServer::start_with(|_| {})
    }

    /// Starts a server after adjusting its configuration.
    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let mut config = Config::new(dir.path().join("server"), listen);
        // Generous for tests that log in many times from one address.
        config.login_failures_per_minute = 1000;
        adjust(&mut config);
        let running = Server::start(config.clone()).expect("server starts");
        let addr = running.local_addr;
        let server = TestServer {
            dir,
            config,
            running: Some(running),
            addr,
        };
        server.staff(Role::Officer, OFFICER.0, OFFICER.1, None);
        server
    }

    /// Creates a staff account directly in the database.
    pub fn staff(&self, role: Role, username: &str, password: &str, village: Option<&str>) {
        let db = ceria_server::Db::open(&self.config.db_path()).expect("server db");
        admin::create_user(
            &db,
            StaffAccount {
                role,
                username: username.to_string(),
                password: password.to_string(),
                name: None,
                village: village.map(str::to_string),
            },
        )
        .expect("staff account");
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL (without a proxy).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A scratch directory that lives as long as the server.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(&p).expect("scratch dir");
        p
    }

    /// Stops the server (graceful) and starts it again on the same port and data directory.
    pub fn restart(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown();
        }
        let mut config = self.config.clone();
        config.listen = self.addr;
        let mut tries = 0;
        let running = loop {
            match Server::start(config.clone()) {
                Ok(r) => break r,
                // The old listener may take a moment to release the port.
                Err(_) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("restart: {e}"),
            }
        };
        self.running = Some(running);
    }

    /// Logs a staff member in over HTTP; returns the bearer token.
    pub fn token(&self, username: &str, password: &str) -> String {
        let body = json!({"username": username, "password": password});
        let v = self.call("POST", "/v1/sessions", None, Some(body)).1;
        v["token"].as_str().expect("token").to_string()
    }

    /// The officer's token.
    pub fn officer(&self) -> String {
        self.token(OFFICER.0, OFFICER.1)
    }

    /// A JSON call; returns the status and the JSON body (`null` when empty).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let (status, bytes) = self.raw(method, path, token, body);
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A call returning the raw body.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Vec<u8>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url()));
        if let Some(t) = token {
            builder = builder.header("Authorization", format!("Bearer {t}"));
        }
        let response = match body {
            Some(b) => {
                let req = builder
                    .header("Content-Type", "application/json")
                    .body(b.to_string().into_bytes())
                    .expect("request");
                agent.run(req)
            }
            None => agent.run(builder.body(()).expect("request")),
        }
        .expect("server reachable");
        let status = response.status().as_u16();
        let bytes = response.into_body().read_to_vec().unwrap_or_default();
        (status, bytes)
    }

    /// Every request on the server (as the officer sees them).
    pub fn requests(&self, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!("/v1/requests?limit=200&after={a}"),
                None => "/v1/requests?limit=200".to_string(),
            };
            let (status, page) = self.call("GET", &path, Some(token), None);
            assert_eq!(status, 200, "{page}");
            out.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next"].as_str() {
                Some(n) => after = Some(n.to_string()),
                None => return out,
            }
        }
    }

    /// A request's detail (payload, attachments, history).
    pub fn detail(&self, token: &str, id: &str) -> Value {
        let (status, v) = self.call("GET", &format!("/v1/requests/{id}"), Some(token), None);
        assert_eq!(status, 200, "{v}");
        v
    }

    /// An attached file as the registry stores it.
    pub fn attachment(&self, token: &str, id: &str, sha256: &str) -> Vec<u8> {
        let (status, bytes) = self.raw(
            "GET",
            &format!("/v1/requests/{id}/attachments/{sha256}"),
            Some(token),
            None,
        );
        assert_eq!(status, 200);
        bytes
    }

    /// A reviewer moves a request on; returns the HTTP status.
    pub fn transition(&self, token: &str, id: &str, body: Value) -> u16 {
        self.call(
            "POST",
            &format!("/v1/requests/{id}/transitions"),
            Some(token),
            Some(body),
        )
        .0
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown();
        }
    }
}

/// A device configuration for tests: short timeouts and backoffs, small chunks optional.
pub fn device_config(data_dir: &Path, url: &str) -> DeviceConfig {
    let mut c = DeviceConfig::new(data_dir.to_string_lossy(), url);
    c.connect_timeout_ms = 2_000;
    c.read_timeout_ms = 5_000;
    c.write_timeout_ms = 5_000;
    c.backoff_base_ms = 20;
    c.backoff_max_ms = 200;
    c.retry_pause_ms = 10;
    c
}

/// The crash test's device settings (shared by the parent and the `crashsync` child): small
/// chunks so a pass has many steps to be killed in, and near-immediate retries.
pub fn crash_config(data_dir: &Path, url: &str) -> DeviceConfig {
    let mut c = device_config(data_dir, url);
    c.chunk_size = 16 * 1024;
    c.backoff_base_ms = 1;
    c.backoff_max_ms = 20;
    c.retry_pause_ms = 0;
    c.network_retries = 5;
    c
}

/// A syntactically valid NIK for citizen `i` (born 1990-05-10, registered in 13.05.02).
pub fn citizen_nik(i: u32) -> String {
    format!("130502100590{:04}", i % 10_000)
}

#[path = "../../../core/tests/fixtures/example_form.rs"]
mod example_form_fixture;

/// The valid example form of a service from the core's fixtures.
pub fn example_form(service: &str) -> (HashMap<String, String>, Vec<String>) {
    example_form_fixture::example_form(service)
}

/// Writes `size` bytes derived from `seed` (distinct content per seed).
pub fn write_file(path: &Path, size: usize, seed: u64) {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let bytes: Vec<u8> = (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(path, bytes).expect("write file");
}

/// Creates and finalises a `ktp_baru` request with `files` attachments for `kk`, each of
/// `size` bytes; returns the local request id.
pub fn queue_ktp(device: &Device, scratch: &Path, files: usize, size: usize, seed: u64) -> String {
    let (values, _) = example_form("ktp_baru");
    let draft = device.create_draft("ktp_baru").expect("draft");
    device.set_values(&draft.id, values).expect("values");
    for f in 0..files {
        let path = scratch.join(format!("kk-{seed}-{f}.jpg"));
        write_file(&path, size, seed * 100 + f as u64);
        device
            .attach(&draft.id, "kk", &path.to_string_lossy(), "image/jpeg")
            .expect("attach");
    }
    device.finalise(&draft.id).expect("finalise").id
}

/// Syncs until nothing is pending (waiting out backoffs); gives up after `max_passes`.
pub fn sync_until_done(device: &Device, max_passes: usize) -> Result<SyncReport, DeviceError> {
    let mut last = Err(None);
    for _ in 0..max_passes {
        match device.sync(None, &CancelToken::new()) {
            Ok(r) if r.pending_operations == 0 => return Ok(r),
            Ok(r) => {
                let wait = r
                    .next_retry_ms
                    .map_or(10, |t| (t - now_ms()).clamp(1, 2_000));
                std::thread::sleep(Duration::from_millis(wait as u64));
                last = Ok(r);
            }
            Err(e) if e.is_retryable() => {
                std::thread::sleep(Duration::from_millis(20));
                last = Err(Some(e));
            }
            Err(e) => return Err(e),
        }
    }
    match last {
        Ok(r) => panic!("still pending after {max_passes} passes: {r:?}"),
        Err(Some(e)) => Err(e),
        Err(None) => panic!("no pass ran"),
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
