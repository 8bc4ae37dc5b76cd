//! Test support for the device: an in-process fake registry server behind the [`Transport`]
//! trait (accounts, tus uploads with checksums, idempotent push, status feed, catalog with
//! ETag) with scripted faults, and a catalog with a small test service.

use crate::catalog::Catalog;
use crate::catalog_source::CatalogSource;
use crate::protocol::{
    DocumentInfo, LoginRequest, LoginResponse, Operation, OperationOutcome, OperationResult,
    PullResponse, PushRequest, PushResponse, RegisterRequest, RequestState, ReturnReason, Role,
    StatusChange, UserInfo,
};
use crate::report::Issue;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
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
        };
        s.users
            .insert(username.to_string(), (password.to_string(), info));
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

fn next_id(s: &mut State, prefix: &str) -> String {
    s.next_id += 1;
    format!("{prefix}{}", s.next_id)
}

fn push_feed(
    s: &mut State,
    r: &SrvRequest,
    reasons: Vec<ReturnReason>,
    document: Option<DocumentInfo>,
) {
    let seq = s.feed.len() as i64 + 1;
    let change = StatusChange {
        seq,
        request_id: r.id.clone(),
        local_id: r.local_id.clone(),
        tracking_code: r.tracking_code.clone(),
        service: r.service.clone(),
        state: r.state,
        at_ms: 1_700_000_000_000 + seq,
        note: None,
        reasons,
        document,
    };
    s.feed.push((r.owner.clone(), change));
}

fn caller(s: &State, req: &HttpRequest) -> Option<String> {
    let token = req.header_value("Authorization")?.strip_prefix("Bearer ")?;
    s.tokens.get(token).cloned()
}

fn route(s: &mut State, req: &HttpRequest, path: &str, keep: Option<usize>) -> HttpResponse {
    let (route_path, query) = path.split_once('?').unwrap_or((path, ""));
    match (req.method.as_str(), route_path) {
        ("GET", "/v1/catalog") => {
            let etag = format!(
                "\"{}\"",
                hex::encode(Sha256::digest(s.catalog_json.as_bytes()))
            );
            if req.header_value("If-None-Match") == Some(etag.as_str()) {
                return with_header(reply(304), "ETag", etag);
            }
            let mut r = reply(200);
            r.body = s.catalog_json.clone().into_bytes();
            with_header(r, "ETag", etag)
        }
        ("POST", "/v1/accounts") => {
            let body: RegisterRequest = serde_json::from_slice(&req.body).unwrap();
            if s.users.contains_key(&body.nik) {
                return json_reply(
                    409,
                    &serde_json::json!({"type": "t", "title": "t", "status": 409,
                    "code": "auth.nik_taken", "message_id": "NIK sudah terdaftar", "message_en": "NIK taken"}),
                );
            }
            let id = format!("user-{}", s.users.len() + 1);
            let info = UserInfo {
                id,
                username: body.nik.clone(),
                name: body.name,
                role: Role::Citizen,
                village: None,
            };
            s.users.insert(body.nik, (body.password, info.clone()));
            json_reply(201, &info)
        }
        ("POST", "/v1/sessions") => {
            let body: LoginRequest = serde_json::from_slice(&req.body).unwrap();
            match s.users.get(&body.username) {
                Some((pw, info)) if *pw == body.password => {
                    let info = info.clone();
                    let token = next_id(s, "tok-");
                    s.tokens.insert(token.clone(), info.id.clone());
                    let expires_at_ms = s
                        .session_ttl_ms
                        .map_or(4_000_000_000_000, |ttl| crate::db::now_ms() + ttl);
                    json_reply(
                        200,
                        &LoginResponse {
                            token,
                            expires_at_ms,
                            user: info,
                        },
                    )
                }
                _ => reply(401),
            }
        }
        _ => {
            let Some(user) = caller(s, req) else {
                return reply(401);
            };
            authed(s, req, route_path, query, &user, keep)
        }
    }
}

fn authed(
    s: &mut State,
    req: &HttpRequest,
    path: &str,
    query: &str,
    user: &str,
    keep: Option<usize>,
) -> HttpResponse {
    match (req.method.as_str(), path) {
        ("DELETE", "/v1/sessions/current") => {
            s.tokens.retain(|_, u| u != user);
            reply(204)
        }
        ("POST", "/v1/uploads") => {
            let length: u64 = req.header_value("Upload-Length").unwrap().parse().unwrap();
            let meta = req.header_value("Upload-Metadata").unwrap_or_default();
            let sha = meta
                .split(',')
                .find_map(|kv| kv.strip_prefix("sha256 "))
                .map(|v| String::from_utf8(B64.decode(v).unwrap()).unwrap())
                .unwrap_or_default();
            let id = next_id(s, "up");
            s.uploads.insert(
                id.clone(),
                Upload {
                    owner: user.to_string(),
                    length,
                    sha256: sha,
                    data: vec![],
                },
            );
            with_header(reply(201), "Location", format!("/v1/uploads/{id}"))
        }
        ("HEAD", p) if p.starts_with("/v1/uploads/") => {
            let id = &p["/v1/uploads/".len()..];
            match s.uploads.get(id).filter(|u| u.owner == user) {
                Some(u) => with_header(reply(200), "Upload-Offset", u.data.len().to_string()),
                None => reply(404),
            }
        }
        ("PATCH", p) if p.starts_with("/v1/uploads/") => {
            patch(s, req, &p["/v1/uploads/".len()..], user, keep)
        }
        ("POST", "/v1/sync/push") => {
            let body: PushRequest = serde_json::from_slice(&req.body).unwrap();
            let results = body
                .operations
                .iter()
                .map(|op| apply_op(s, user, op))
                .collect();
            json_reply(200, &PushResponse { results })
        }
        ("GET", "/v1/sync/pull") => {
            let since: i64 = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("since="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let limit = 2usize;
            let mine: Vec<StatusChange> = s
                .feed
                .iter()
                .filter(|(owner, c)| owner == user && c.seq > since)
                .map(|(_, c)| c.clone())
                .collect();
            let more = mine.len() > limit;
            let changes: Vec<StatusChange> = mine.into_iter().take(limit).collect();
            let next = changes.last().map_or(since, |c| c.seq);
            json_reply(
                200,
                &PullResponse {
                    changes,
                    next_cursor: next.to_string(),
                    more,
                },
            )
        }
        _ => reply(404),
    }
}

fn patch(
    s: &mut State,
    req: &HttpRequest,
    id: &str,
    user: &str,
    keep: Option<usize>,
) -> HttpResponse {
    let Some(upload) = s.uploads.get_mut(id).filter(|u| u.owner == user) else {
        return reply(404);
    };
    let offset: u64 = req.header_value("Upload-Offset").unwrap().parse().unwrap();
    if offset != upload.data.len() as u64 {
        return reply(409);
    }
    let body = match keep {
        Some(n) => &req.body[..n.min(req.body.len())],
        None => {
            let declared = req.header_value("Upload-Checksum").unwrap();
            let want = declared.strip_prefix("sha256 ").unwrap();
            if B64.encode(Sha256::digest(&req.body)) != want {
                return reply(460);
            }
            &req.body[..]
        }
    };
    upload.data.extend_from_slice(body);
    let new_offset = upload.data.len() as u64;
    if new_offset == upload.length {
        let upload = s.uploads.remove(id).unwrap();
        let sha = hex::encode(Sha256::digest(&upload.data));
        if sha != upload.sha256 {
            return reply(460);
        }
        s.owned.insert((user.to_string(), sha.clone()));
        s.blobs.insert(sha, upload.data);
    }
    with_header(reply(204), "Upload-Offset", new_offset.to_string())
}

fn apply_op(s: &mut State, user: &str, op: &Operation) -> OperationResult {
    let key = serde_json::to_string(op).unwrap();
    if let Some((stored, result)) = s.ops.get(op.op_id()) {
        if *stored == key {
            return result.clone();
        }
        return OperationResult {
            op_id: op.op_id().to_string(),
            outcome: OperationOutcome::Conflict {
                code: "idempotency.key_reused".into(),
                state: None,
                message_id: "Kunci dipakai ulang".into(),
                message_en: "Key reused".into(),
            },
        };
    }
    let outcome = match op {
        Operation::Submit {
            local_id, request, ..
        }
        | Operation::Revise {
            request_id: local_id,
            request,
            ..
        } => {
            let missing: Vec<&str> = request
                .attachments
                .iter()
                .filter(|a| !s.owned.contains(&(user.to_string(), a.sha256.clone())))
                .map(|a| a.requirement.as_str())
                .collect();
            if let Some(m) = missing.first() {
                OperationOutcome::Rejected {
                    issues: vec![Issue {
                        field: None,
                        code: "attachment.not_uploaded".into(),
                        severity: crate::report::Severity::Error,
                        message_id: "Berkas belum terunggah".into(),
                        message_en: "File not uploaded".into(),
                        params: [("attachment".to_string(), m.to_string())]
                            .into_iter()
                            .collect(),
                    }],
                }
            } else if let Some(issues) = s.reject_next.take() {
                OperationOutcome::Rejected { issues }
            } else if std::mem::take(&mut s.outdated_next) {
                OperationOutcome::CatalogOutdated {
                    current_version: "9999.1.1".into(),
                }
            } else if matches!(op, Operation::Submit { .. }) {
                let id = next_id(s, "req-");
                let r = SrvRequest {
                    tracking_code: format!("CR-{}", id.to_uppercase()),
                    id,
                    owner: user.to_string(),
                    local_id: Some(local_id.clone()),
                    service: request.service.clone(),
                    state: RequestState::Submitted,
                    payload: request.clone(),
                    revisions: 0,
                };
                s.requests.push(r.clone());
                push_feed(s, &r, vec![], None);
                OperationOutcome::Accepted {
                    request_id: r.id,
                    tracking_code: r.tracking_code,
                    state: r.state,
                }
            } else {
                transition_by_op(
                    s,
                    local_id,
                    RequestState::Returned,
                    RequestState::Submitted,
                    "state.not_returned",
                    Some(request),
                )
            }
        }
        Operation::Cancel { request_id, .. } => {
            let state = s
                .requests
                .iter()
                .find(|r| r.id == *request_id)
                .map(|r| r.state);
            match state {
                Some(RequestState::Submitted) => transition_by_op(
                    s,
                    request_id,
                    RequestState::Submitted,
                    RequestState::Cancelled,
                    "state.illegal_transition",
                    None,
                ),
                _ => transition_by_op(
                    s,
                    request_id,
                    RequestState::Returned,
                    RequestState::Cancelled,
                    "state.illegal_transition",
                    None,
                ),
            }
        }
    };
    let result = OperationResult {
        op_id: op.op_id().to_string(),
        outcome,
    };
    s.ops.insert(op.op_id().to_string(), (key, result.clone()));
    result
}

fn transition_by_op(
    s: &mut State,
    request_id: &str,
    from: RequestState,
    to: RequestState,
    code: &str,
    payload: Option<&crate::protocol::RequestPayload>,
) -> OperationOutcome {
    let Some(r) = s.requests.iter_mut().find(|r| r.id == request_id) else {
        return OperationOutcome::Conflict {
            code: "request.not_found".into(),
            state: None,
            message_id: "Tidak ada".into(),
            message_en: "Not found".into(),
        };
    };
    if r.state != from {
        return OperationOutcome::Conflict {
            code: code.into(),
            state: Some(r.state),
            message_id: "Status tidak sesuai".into(),
            message_en: "Wrong state".into(),
        };
    }
    r.state = to;
    if let Some(p) = payload {
        r.payload = p.clone();
        r.revisions += 1;
    }
    let r = r.clone();
    push_feed(s, &r, vec![], None);
    OperationOutcome::Accepted {
        request_id: r.id,
        tracking_code: r.tracking_code,
        state: r.state,
    }
}
