//! The fake registry's request handling: routing, accounts and sessions, tus uploads,
//! idempotent push of operations, the status feed and the catalog.

use super::*;

fn next_id(s: &mut State, prefix: &str) -> String {
    s.next_id += 1;
    format!("{prefix}{}", s.next_id)
}

pub(super) fn push_feed(
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

pub(super) fn route(
    s: &mut State,
    req: &HttpRequest,
    path: &str,
    keep: Option<usize>,
) -> HttpResponse {
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
                identity: None,
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
                        .map_or(4_000_000_000_000, |ttl| crate::now_ms() + ttl);
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
        ("GET", "/v1/me") => match s.users.values().find(|(_, info)| info.id == user) {
            Some((_, info)) => json_reply(200, info),
            None => reply(404),
        },
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
        ("DELETE", p) if p.starts_with("/v1/uploads/") => {
            let id = &p["/v1/uploads/".len()..];
            match s.uploads.get(id).filter(|u| u.owner == user) {
                Some(_) => {
                    s.uploads.remove(id);
                    reply(204)
                }
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
            // The checksum extension: a patch that carries one is verified (and dropped whole
            // when it does not match).
            if let Some(declared) = req.header_value("Upload-Checksum") {
                let want = declared.strip_prefix("sha256 ").unwrap();
                if B64.encode(Sha256::digest(&req.body)) != want {
                    return reply(460);
                }
            }
            &req.body[..]
        }
    };
    upload.data.extend_from_slice(body);
    let new_offset = upload.data.len() as u64;
    if new_offset == upload.length {
        // Like the real server: a complete upload stays (HEAD answers its length), one
        // that fails the whole-file hash is discarded.
        let sha = hex::encode(Sha256::digest(&upload.data));
        if sha != upload.sha256 {
            s.uploads.remove(id);
            return reply(460);
        }
        let data = upload.data.clone();
        s.owned.insert((user.to_string(), sha.clone()));
        s.blobs.insert(sha, data);
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
