//! The reference server in-process on 127.0.0.1 with a temporary data directory: start,
//! restart on the same port, staff and citizen accounts, a small HTTP client, tus uploads,
//! sync push/pull and the reviewer's side of the API. Its database is SQLite in the data
//! directory, or, when `CERIA_TEST_POSTGRES_URL` is set, a fresh PostgreSQL database of its
//! own ([`crate::postgres`]), shared with the instances started beside it and dropped after
//! the last one.

use crate::fixtures::fixture_today;
use crate::postgres::TestDatabase;
use base64::Engine;
use ceria_core::protocol::{Operation, Role};
use ceria_server::Db;
use ceria_server::admin::{self, StaffAccount};
use ceria_server::{Config, DatabaseLocation, RunningServer, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Village of the first test operator (Padang Pariaman).
pub const VILLAGE_X: &str = "13.05.01.2001";
/// Another village.
pub const VILLAGE_Y: &str = "13.05.02.2001";
/// Password of every test account made with [`TestServer::staff`] and [`TestServer::citizen`].
pub const PASSWORD: &str = "rahasia-sekali";
/// The registry officer that [`TestServer::officer`] makes on first use.
pub const OFFICER: (&str, &str) = ("petugas.dukcapil", "Lemari-Arsip-Biru-9");

/// A running server, its data directory and an HTTP agent.
pub struct TestServer {
    dir: tempfile::TempDir,
    config: Config,
    /// The PostgreSQL database (tests on PostgreSQL), dropped after the last instance on it.
    database: Option<Arc<TestDatabase>>,
    running: Option<RunningServer>,
    addr: SocketAddr,
    agent: ureq::Agent,
    officer: OnceLock<()>,
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

/// An HTTP client that returns error statuses as answers (tests look at them).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

impl TestServer {
    /// Starts a server on a free port; form validation's "today" is the fixtures' date.
    pub fn start() -> TestServer {
        TestServer::start_with(|_| {})
    }

    /// Starts a server after adjusting its configuration (on PostgreSQL when the tests run
    /// there).
    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_on(TestDatabase::create(), adjust)
    }

    /// Starts a server on SQLite in its data directory whatever the tests run on (a registry
    /// to migrate, a backup to take), after adjusting its configuration.
    pub fn start_on_sqlite(adjust: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_on(None, adjust)
    }

    /// Starts a server on the PostgreSQL database `database`, or on SQLite in its data
    /// directory for `None`.
    pub fn start_on(
        database: Option<Arc<TestDatabase>>,
        adjust: impl FnOnce(&mut Config),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let listen: SocketAddr = "127.0.0.1:0".parse().expect("address");
        let mut config = Config::new(dir.path().join("server"), listen);
        config.validation_today = Some(fixture_today());
        if let Some(db) = &database {
            config.database = DatabaseLocation::Postgres {
                url: db.url().to_string(),
            };
        }
        adjust(&mut config);
        TestServer::launch(dir, config, database)
    }

    /// A second instance beside `other`: the same database and blob store (and data
    /// directory), its own port, as two instances behind a load balancer.
    pub fn start_sharing(other: &TestServer) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = other.config.clone();
        config.listen = "127.0.0.1:0".parse().expect("address");
        TestServer::launch(dir, config, other.database.clone())
    }

    fn launch(
        dir: tempfile::TempDir,
        config: Config,
        database: Option<Arc<TestDatabase>>,
    ) -> TestServer {
        let running = Server::start(config.clone()).expect("server starts");
        let addr = running.local_addr;
        TestServer {
            dir,
            config,
            database,
            running: Some(running),
            addr,
            agent: agent(),
            officer: OnceLock::new(),
        }
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
        // Pooled connections went to the old server.
        self.agent = agent();
    }

    /// Takes the running server out (to shut it down while a request is in flight).
    pub fn take_running(&mut self) -> RunningServer {
        self.running.take().expect("the server runs")
    }

    /// The server's data directory (`ceria.db`, `blobs/`, `uploads/`).
    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// A scratch directory that lives as long as the server.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(&p).expect("scratch dir");
        p
    }

    /// The server's database, opened beside the running server.
    pub fn db(&self) -> Db {
        match &self.database {
            Some(db) => Db::open_postgres(db.url()).expect("server db"),
            None => Db::open(&self.config.db_path()).expect("server db"),
        }
    }

    /// The server's PostgreSQL database, when the tests run on PostgreSQL.
    pub fn postgres(&self) -> Option<&TestDatabase> {
        self.database.as_deref()
    }

    /// The server's configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// One number from an SQL query on the server's database, whichever it is (checks of
    /// what the API does not show, e.g. how many rows a table holds).
    pub fn count(&self, sql: &str, text_param: &str) -> i64 {
        match &self.database {
            Some(db) => {
                let sql = sql.replace("?1", "$1");
                let row = db
                    .client()
                    .query_one(sql.as_str(), &[&text_param])
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                row.get(0)
            }
            None => {
                let c = rusqlite::Connection::open(self.config.db_path()).expect("sqlite");
                c.query_row(sql, [text_param], |r| r.get(0))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL (`http://127.0.0.1:PORT`), for devices and proxies.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
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

    /// Creates a staff account directly in the database.
    pub fn create_staff(&self, role: Role, username: &str, password: &str, village: Option<&str>) {
        self.try_create_staff(role, username, password, village)
            .expect("staff account");
    }

    fn try_create_staff(
        &self,
        role: Role,
        username: &str,
        password: &str,
        village: Option<&str>,
    ) -> Result<(), admin::AdminError> {
        admin::create_user(
            &self.db(),
            StaffAccount {
                role,
                username: username.into(),
                password: password.into(),
                name: Some(format!("Petugas {username}")),
                village: village.map(String::from),
            },
        )
        .map(|_| ())
    }

    /// Creates a staff account with [`PASSWORD`] and logs it in; returns the token.
    pub fn staff(&self, role: Role, username: &str, village: Option<&str>) -> String {
        self.create_staff(role, username, PASSWORD, village);
        self.login(username)
    }

    /// Logs an account with [`PASSWORD`] in; returns the bearer token.
    pub fn login(&self, username: &str) -> String {
        self.login_with(username, PASSWORD)
    }

    /// Logs an account in over HTTP; returns the bearer token.
    pub fn login_with(&self, username: &str, password: &str) -> String {
        let r = self.call(
            "POST",
            "/v1/sessions",
            None,
            Some(&json!({"username": username, "password": password})),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["token"].as_str().expect("token").to_string()
    }

    /// The token of the registry officer [`OFFICER`] (the account is made on first use).
    pub fn officer(&self) -> String {
        self.officer.get_or_init(|| {
            // A second instance on the same database finds the first one's officer.
            match self.try_create_staff(Role::Officer, OFFICER.0, OFFICER.1, None) {
                Ok(()) | Err(admin::AdminError::Taken(_)) => {}
                Err(e) => panic!("staff account: {e:?}"),
            }
        });
        self.login_with(OFFICER.0, OFFICER.1)
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

    /// Sends a PATCH announcing `announced` bytes but sends only `sent`, then drops the
    /// connection: what a phone losing its signal does.
    pub fn cut_patch(
        &self,
        token: &str,
        location: &str,
        offset: u64,
        announced: &[u8],
        sent: usize,
    ) {
        let addr = self.addr.to_string();
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        let head = format!(
            "PATCH {location} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n\
             Content-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
            announced.len()
        );
        s.write_all(head.as_bytes()).expect("send head");
        s.write_all(&announced[..sent]).expect("send body");
        s.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(200));
        s.shutdown(std::net::Shutdown::Both).expect("shutdown");
    }

    /// Waits until the upload's offset is `want` (a cut patch is recorded); returns the last
    /// offset seen.
    pub fn wait_offset(&self, token: &str, location: &str, want: u64) -> u64 {
        for _ in 0..100 {
            let got = self.offset(token, location);
            if got == want {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.offset(token, location)
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

    /// Every request on the server (as a reviewer sees them), following the pages.
    pub fn requests(&self, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!("/v1/requests?limit=200&after={a}"),
                None => "/v1/requests?limit=200".to_string(),
            };
            let r = self.call("GET", &path, Some(token), None);
            let page = r.json();
            assert_eq!(r.status, 200, "{page}");
            out.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next"].as_str() {
                Some(n) => after = Some(n.to_string()),
                None => return out,
            }
        }
    }

    /// A request's detail (payload, attachments, history).
    pub fn detail(&self, token: &str, id: &str) -> Value {
        let r = self.call("GET", &format!("/v1/requests/{id}"), Some(token), None);
        let v = r.json();
        assert_eq!(r.status, 200, "{v}");
        v
    }

    /// An attached file as the registry stores it.
    pub fn attachment(&self, token: &str, id: &str, sha256: &str) -> Vec<u8> {
        let r = self.call(
            "GET",
            &format!("/v1/requests/{id}/attachments/{sha256}"),
            Some(token),
            None,
        );
        assert_eq!(r.status, 200);
        r.body
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown();
        }
    }
}

/// Base64 of a tus metadata value.
pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}
