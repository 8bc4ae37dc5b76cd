//! Test support for the device: an in-process fake registry server behind the [`Transport`]
//! trait (accounts, tus uploads with checksums, idempotent push, status feed, catalog with
//! ETag) with scripted faults, and a catalog with a small test service.

mod routes;

use crate::catalog::Catalog;
use crate::catalog::source::CatalogSource;
use crate::device::sync::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::protocol::{
    DocumentInfo, LoginRequest, LoginResponse, Operation, OperationOutcome, OperationResult,
    PullResponse, PushRequest, PushResponse, RegisterRequest, RequestState, ReturnReason, Role,
    StatusChange, UserInfo,
};
use crate::report::Issue;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use routes::{push_feed, route};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// The test service added to the embedded catalog.
pub(crate) const TEST_SERVICE: &str = "uji_perangkat";
/// Largest attachment in the test catalog.
pub(crate) const TEST_MAX_BYTES: u64 = 1024 * 1024;

/// The embedded catalog plus a small service with a text field, a village field and two
/// attachment requirements; `version` replaces the version.
pub(crate) fn test_catalog(version: &str) -> Arc<Catalog> {
    Arc::new(Catalog::from_json(&test_catalog_json(version)).unwrap())
}

/// The JSON of [`test_catalog`].
pub(crate) fn test_catalog_json(version: &str) -> String {
    let mut src: CatalogSource = serde_json::from_str(Catalog::embedded().json()).unwrap();
    src.version = version.to_string();
    src.limits.max_attachment_bytes = TEST_MAX_BYTES;
    src.limits.max_files_per_requirement = 3;
    let group = src.groups[0].id.clone();
    let service = serde_json::json!({
        "id": TEST_SERVICE,
        "group": group,
        "name": {"id": "Layanan uji", "en": "Test service"},
        "description": {"id": "Untuk pengujian.", "en": "For tests."},
        "eligibility": {"id": "Semua.", "en": "Everyone."},
        "output": {"id": "Tidak ada.", "en": "Nothing."},
        "service_days": 3,
        "fee": 0,
        "fields": [
            {"id": "keterangan", "kind": "text", "label": {"id": "Keterangan", "en": "Remarks"}, "required": true},
            {"id": "desa", "kind": "region", "region_level": "village", "label": {"id": "Nagari", "en": "Village"}, "required": true}
        ],
        "attachments": [
            {"id": "kk", "label": {"id": "Kartu Keluarga", "en": "Family card"}, "required": true, "max_files": 2,
             "media_types": ["image/jpeg", "application/pdf"]},
            {"id": "foto", "label": {"id": "Foto", "en": "Photo"}}
        ]
    });
    src.services.push(serde_json::from_value(service).unwrap());
    serde_json::to_string(&src).unwrap()
}

/// A scripted fault, used by the next request it matches.
#[derive(Debug, Clone)]
pub(crate) enum Fault {
    /// The next PATCH keeps its first `n` bytes, then the connection breaks.
    DropPatchAfter(usize),
    /// The next request whose `METHOD path` starts with `prefix` gets `status`.
    Status {
        prefix: String,
        status: u16,
        retry_after: Option<u64>,
    },
    /// The next request matching `prefix` is processed, but its answer is lost.
    LoseAnswer { prefix: String },
    /// The next request matching `prefix` never reaches the server (no network).
    Offline { prefix: String },
}

#[derive(Debug)]
struct Upload {
    owner: String,
    length: u64,
    sha256: String,
    data: Vec<u8>,
}

/// A request as the fake registry stores it.
#[derive(Debug, Clone)]
pub(crate) struct SrvRequest {
    pub(crate) id: String,
    pub(crate) owner: String,
    pub(crate) local_id: Option<String>,
    pub(crate) tracking_code: String,
    pub(crate) service: String,
    pub(crate) state: RequestState,
    pub(crate) payload: crate::protocol::RequestPayload,
    pub(crate) revisions: u32,
}

#[derive(Default)]
struct State {
    users: HashMap<String, (String, UserInfo)>,
    tokens: HashMap<String, String>,
    uploads: HashMap<String, Upload>,
    blobs: HashMap<String, Vec<u8>>,
    owned: HashSet<(String, String)>,
    ops: HashMap<String, (String, OperationResult)>,
    requests: Vec<SrvRequest>,
    feed: Vec<(String, StatusChange)>,
    catalog_json: String,
    faults: VecDeque<Fault>,
    reject_next: Option<Vec<Issue>>,
    outdated_next: bool,
    /// Lifetime of new sessions; `None`: practically forever.
    session_ttl_ms: Option<i64>,
    next_id: u64,
    /// Bytes of request bodies that reached the server.
    pub bytes_in: u64,
    /// `METHOD path` of every request received.
    log: Vec<String>,
}

/// The fake registry server.
#[derive(Clone)]
pub(crate) struct FakeServer {
    state: Arc<Mutex<State>>,
}

fn reply(status: u16) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Tus-Resumable".into(), "1.0.0".into())],
        body: vec![],
    }
}

fn json_reply(status: u16, body: &impl serde::Serialize) -> HttpResponse {
    let mut r = reply(status);
    r.headers
        .push(("Content-Type".into(), "application/json".into()));
    r.body = serde_json::to_vec(body).unwrap();
    r
}

fn with_header(mut r: HttpResponse, name: &str, value: String) -> HttpResponse {
    r.headers.push((name.to_string(), value));
    r
}

impl FakeServer {
    /// A server with one citizen (`1305014101900001` / `rahasia123`) serving `catalog_json`.
    pub(crate) fn new(catalog_json: String) -> FakeServer {
        let server = FakeServer {
            state: Arc::new(Mutex::new(State {
                catalog_json,
                ..State::default()
            })),
        };
        server.add_user("1305014101900001", "rahasia123", Role::Citizen, None);
        server
    }

    /// Adds an account.
    pub(crate) fn add_user(
        &self,
        username: &str,
        password: &str,
        role: Role,
        village: Option<&str>,
    ) {
        let mut s = self.state.lock().unwrap();
        let id = format!("user-{}", s.users.len() + 1);
        let info = UserInfo {
            id,
            username: username.to_string(),
            name: format!("Pengguna {username}"),
            role,
            village: village.map(str::to_string),
            identity: None,
        };
        s.users
            .insert(username.to_string(), (password.to_string(), info));
    }

    /// Sets the identity state the registry reports for an account (`None`: a server that
    /// predates identity checks).
    pub(crate) fn set_identity(
        &self,
        username: &str,
        state: Option<crate::protocol::IdentityState>,
    ) {
        let mut s = self.state.lock().unwrap();
        if let Some((_, info)) = s.users.get_mut(username) {
            info.identity = state;
        }
    }

    /// Queues a fault.
    pub(crate) fn fault(&self, f: Fault) {
        self.state.lock().unwrap().faults.push_back(f);
    }

    /// The next submission is rejected with these issues.
    pub(crate) fn reject_next(&self, issues: Vec<Issue>) {
        self.state.lock().unwrap().reject_next = Some(issues);
    }

    /// The next submission is refused as made with an outdated catalog.
    pub(crate) fn outdated_next(&self) {
        self.state.lock().unwrap().outdated_next = true;
    }

    /// Replaces the published catalog.
    pub(crate) fn publish_catalog(&self, json: String) {
        self.state.lock().unwrap().catalog_json = json;
    }

    /// New sessions last `ttl_ms` (the fake has no renewal, like an older server).
    pub(crate) fn short_sessions(&self, ttl_ms: i64) {
        self.state.lock().unwrap().session_ttl_ms = Some(ttl_ms);
    }

    /// Revokes every session (as after a server-side logout).
    pub(crate) fn revoke_sessions(&self) {
        self.state.lock().unwrap().tokens.clear();
    }

    /// The stored requests.
    pub(crate) fn requests(&self) -> Vec<SrvRequest> {
        self.state.lock().unwrap().requests.clone()
    }

    /// A completed blob.
    pub(crate) fn blob(&self, sha256: &str) -> Option<Vec<u8>> {
        self.state.lock().unwrap().blobs.get(sha256).cloned()
    }

    /// Bytes of request bodies received.
    pub(crate) fn bytes_in(&self) -> u64 {
        self.state.lock().unwrap().bytes_in
    }

    /// How many requests started with `prefix` (`METHOD path`).
    pub(crate) fn count(&self, prefix: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }

    /// Every request received, as `METHOD path`.
    pub(crate) fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    /// Forgets every unfinished upload (as after expiry).
    pub(crate) fn expire_uploads(&self) {
        self.state.lock().unwrap().uploads.clear();
    }

    /// A reviewer moves a request on.
    pub(crate) fn transition(
        &self,
        request_id: &str,
        to: RequestState,
        reasons: Vec<ReturnReason>,
        document: Option<DocumentInfo>,
    ) {
        let mut s = self.state.lock().unwrap();
        let r = s.requests.iter_mut().find(|r| r.id == request_id).unwrap();
        r.state = to;
        let r = r.clone();
        push_feed(&mut s, &r, reasons, document);
    }

    fn handle(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = req
            .url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(&req.url);
        let path = path
            .find('/')
            .map(|i| &path[i..])
            .unwrap_or("/")
            .to_string();
        let line = format!("{} {}", req.method, path);
        let mut s = self.state.lock().unwrap();
        s.log.push(line.clone());
        // Scripted faults.
        let fault = s.faults.iter().position(|f| match f {
            Fault::DropPatchAfter(_) => req.method == "PATCH",
            Fault::Status { prefix, .. }
            | Fault::LoseAnswer { prefix }
            | Fault::Offline { prefix } => line.starts_with(prefix.as_str()),
        });
        let fault = fault.and_then(|i| s.faults.remove(i));
        match &fault {
            Some(Fault::Offline { .. }) => return Err(TransportError::Connect("no route".into())),
            Some(Fault::Status {
                status,
                retry_after,
                ..
            }) => {
                let mut r = reply(*status);
                if let Some(ra) = retry_after {
                    r.headers.push(("Retry-After".into(), ra.to_string()));
                }
                return Ok(r);
            }
            _ => {}
        }
        let keep = match fault {
            Some(Fault::DropPatchAfter(n)) => Some(n),
            _ => None,
        };
        s.bytes_in += keep.map_or(req.body.len(), |n| n.min(req.body.len())) as u64;
        let response = route(&mut s, req, &path, keep);
        match fault {
            Some(Fault::LoseAnswer { .. }) => Err(TransportError::Io("connection reset".into())),
            _ if keep.is_some() => Err(TransportError::Io("connection reset mid-body".into())),
            _ => Ok(response),
        }
    }
}

impl Transport for FakeServer {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.handle(&request)
    }
}
