//! Helpers shared by the integration tests: a real server on 127.0.0.1:0 with a temporary
//! data directory, accounts, a small HTTP client, tus uploads, and valid forms taken from the
//! catalog's own service fixtures.
#![allow(dead_code)]

use base64::Engine;
use ceria_core::protocol::{AttachmentRef, Operation, RequestPayload, Role};
use ceria_server::Db;
use ceria_server::admin::{self, StaffAccount};
use ceria_server::{Config, RunningServer, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Village of the first test operator (Padang Pariaman).
pub const VILLAGE_X: &str = "13.05.01.2001";
/// Another village.
pub const VILLAGE_Y: &str = "13.05.02.2001";
/// Password of every test account.
pub const PASSWORD: &str = "rahasia-sekali";

/// A running server and its data directory.
pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub agent: ureq::Agent,
    pub config: Config,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Asserts an error answer: the status, problem+json, and the code.
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let p = self.json();
        assert_eq!(p["code"], code, "{p}");
        assert_eq!(p["status"], status);
        assert!(
            p["message_id"].as_str().is_some_and(|m| !m.is_empty()),
            "{p}"
        );
        assert!(
            p["message_en"].as_str().is_some_and(|m| !m.is_empty()),
            "{p}"
        );
        p
    }
}

pub fn test_config(dir: &Path) -> Config {
    let mut config = Config::new(dir, "127.0.0.1:0".parse().unwrap());
    config.validation_today = Some(fixture_today());
    config
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl TestServer {
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let config = test_config(dir.path());
        TestServer::start_with(dir, config)
    }

    pub fn start_with(dir: tempfile::TempDir, config: Config) -> TestServer {
        let server = Server::start(config.clone()).unwrap();
        let base = format!("http://{}", server.local_addr);
        TestServer {
            server: Some(server),
            dir,
            base,
            agent: agent(),
            config,
        }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub fn restart(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown();
        }
        let server = Server::start(self.config.clone()).unwrap();
        self.base = format!("http://{}", server.local_addr);
        self.server = Some(server);
    }

    pub fn db(&self) -> Db {
        Db::open(&self.dir.path().join("ceria.db")).unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request; `body` is JSON when given.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        self.raw(
            method,
            path,
            token,
            &[("content-type", "application/json")],
            bytes.as_deref(),
        )
    }

    /// Sends a request with raw headers and body.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Reply {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .unwrap();
        let resp = self.agent.run(req).unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn staff(&self, role: Role, username: &str, village: Option<&str>) -> String {
        admin::create_user(
            &self.db(),
            StaffAccount {
                role,
                username: username.into(),
                password: PASSWORD.into(),
                name: Some(format!("Petugas {username}")),
                village: village.map(String::from),
            },
        )
        .unwrap();
        self.login(username)
    }

    pub fn login(&self, username: &str) -> String {
        let r = self.call(
            "POST",
            "/v1/sessions",
            None,
            Some(&json!({"username": username, "password": PASSWORD})),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// Registers a citizen and logs in.
    pub fn citizen(&self, nik: &str, name: &str) -> String {
        let r = self.call(
            "POST",
            "/v1/accounts",
            None,
            Some(&json!({"nik": nik, "name": name, "phone": "081234567890", "password": PASSWORD})),
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        self.login(nik)
    }

    /// Uploads `data` through tus in one PATCH; returns the hex SHA-256.
    pub fn upload(&self, token: &str, data: &[u8]) -> String {
        let location = self.create_upload(token, data.len() as u64, None);
        let r = self.patch(token, &location, 0, data, None);
        assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
        hex::encode(Sha256::digest(data))
    }

    pub fn create_upload(&self, token: &str, length: u64, sha256: Option<&str>) -> String {
        let mut meta = format!(
            "filename {},filetype {}",
            b64("halaman.jpg"),
            b64("image/jpeg")
        );
        if let Some(sha) = sha256 {
            meta.push_str(&format!(",sha256 {}", b64(sha)));
        }
        let len = length.to_string();
        let r = self.raw(
            "POST",
            "/v1/uploads",
            Some(token),
            &[
                ("tus-resumable", "1.0.0"),
                ("upload-length", &len),
                ("upload-metadata", &meta),
            ],
            None,
        );
        assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
        r.header("location").unwrap()
    }

    pub fn patch(
        &self,
        token: &str,
        location: &str,
        offset: u64,
        data: &[u8],
        checksum: Option<&str>,
    ) -> Reply {
        let off = offset.to_string();
        let mut headers = vec![
            ("tus-resumable", "1.0.0"),
            ("upload-offset", off.as_str()),
            ("content-type", "application/offset+octet-stream"),
        ];
        if let Some(c) = checksum {
            headers.push(("upload-checksum", c));
        }
        self.raw("PATCH", location, Some(token), &headers, Some(data))
    }

    pub fn offset(&self, token: &str, location: &str) -> u64 {
        let r = self.raw(
            "HEAD",
            location,
            Some(token),
            &[("tus-resumable", "1.0.0")],
            None,
        );
        assert_eq!(r.status, 200);
        r.header("upload-offset").unwrap().parse().unwrap()
    }

    pub fn push(&self, token: &str, ops: &[Operation]) -> Vec<Value> {
        let r = self.call(
            "POST",
            "/v1/sync/push",
            Some(token),
            Some(&json!({"operations": ops})),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["results"].as_array().unwrap().clone()
    }

    pub fn transition(&self, token: &str, id: &str, body: Value) -> Reply {
        self.call(
            "POST",
            &format!("/v1/requests/{id}/transitions"),
            Some(token),
            Some(&body),
        )
    }

    pub fn pull_all(&self, token: &str) -> Vec<Value> {
        let r = self.call("GET", "/v1/sync/pull", Some(token), None);
        assert_eq!(r.status, 200);
        r.json()["changes"].as_array().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown();
        }
    }
}

pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh op id.
pub fn op_id() -> String {
    format!(
        "op-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A citizen NIK for tests: region 13.05.01, a real date (male, 1 Jan 1990) and a serial.
pub fn nik(serial: u32) -> String {
    format!("130501010190{serial:04}")
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/services"
    ))
}

/// A service fixture written by the catalog authors: a valid form and typical mistakes.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub service: String,
    pub values: BTreeMap<String, String>,
    pub attachments: Vec<String>,
    pub mistake: Option<BTreeMap<String, String>>,
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("core/tests/fixtures/services exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The date the fixtures were written for.
pub fn fixture_today() -> ceria_core::Date {
    let file = fixture_files()
        .into_iter()
        .next()
        .expect("a service fixture");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    ceria_core::Date::parse_iso(v["today"].as_str().unwrap()).unwrap()
}

/// The fixture of the first service (by file name) that needs at least one attachment.
pub fn fixture() -> Fixture {
    for file in fixture_files() {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let attachments: Vec<String> = v["valid"]["attachments"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if attachments.is_empty() {
            continue;
        }
        let to_map = |o: &Value| -> BTreeMap<String, String> {
            o.as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let service = file.file_stem().unwrap().to_string_lossy().to_string();
        return Fixture {
            service,
            values: to_map(&v["valid"]["values"]),
            attachments,
            mistake: v["mistakes"]
                .as_array()
                .and_then(|m| m.first())
                .map(|m| to_map(&m["values"])),
        };
    }
    panic!("no service fixture with attachments");
}

/// Uploads one small page per requirement of `fx` and builds a payload for `village`.
pub fn payload(
    ts: &TestServer,
    token: &str,
    fx: &Fixture,
    village: &str,
    on_behalf_of: Option<&str>,
) -> RequestPayload {
    let catalog_version = ts.call("GET", "/v1/catalog", None, None).json()["version"]
        .as_str()
        .unwrap()
        .to_string();
    let attachments = fx
        .attachments
        .iter()
        .enumerate()
        .map(|(i, requirement)| {
            let data = format!("JPEG page {i} of {requirement} for {token}").into_bytes();
            let sha256 = ts.upload(token, &data);
            AttachmentRef {
                requirement: requirement.clone(),
                sha256,
                size: data.len() as u64,
                media_type: "image/jpeg".into(),
            }
        })
        .collect();
    RequestPayload {
        service: fx.service.clone(),
        catalog_version,
        values: fx.values.clone(),
        attachments,
        village: village.into(),
        on_behalf_of: on_behalf_of.map(String::from),
    }
}

pub fn submit(payload: &RequestPayload) -> Operation {
    Operation::Submit {
        op_id: op_id(),
        local_id: uuid::Uuid::now_v7().to_string(),
        request: payload.clone(),
    }
}
