//! A small blocking HTTP client for the review API (operator and officer commands, the demo),
//! on the core's HTTP API client (status classes, problem bodies, percent-encoding) and the
//! shared protocol types. Every failure becomes a [`Failure`]
//! with the server's own code and wording (its `problem+json`), or the catalog's wording of
//! `sync.server_error` / `sync.protocol` for an answer that is not a problem body; no answer
//! at all is "server unreachable" (code `sync.offline` or `sync.timeout`).

use crate::exit::{self, Failure};
use ceria_core::Catalog;
use ceria_core::device::http_api::{Api, Failure as ApiFailure, percent_encode as encode};
use ceria_core::device::transport::{
    HttpRequest, HttpResponse, Timeouts, TransportError, UreqTransport,
};
use ceria_core::protocol::{
    IdentityEvent, InPersonCheck, LoginRequest, LoginResponse, MAX_QUEUE_PAGE, QueuePage,
    ReclaimRequest, ReclaimResponse, RequestDetail, RequestState, StatusChange, TransitionRequest,
    UserInfo,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// A client of one server, optionally with a session token.
pub struct Client {
    api: Api,
    token: Option<String>,
    catalog: Arc<Catalog>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.api.base())
            .finish_non_exhaustive()
    }
}

/// Filters of the review queue.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    /// Only this state.
    pub state: Option<RequestState>,
    /// Only this village (narrows an operator's queue, never widens it).
    pub village: Option<String>,
    /// Page size (server maximum 200).
    pub limit: Option<usize>,
    /// Continue after this request id (`next` of the previous page).
    pub after: Option<String>,
}

impl Client {
    /// A client of the server at `base_url` (e.g. `http://127.0.0.1:8080`), without a session.
    pub fn new(base_url: &str) -> Client {
        // Staff use the CLI on office networks: notice a dead server within seconds.
        let timeouts = Timeouts {
            connect: Duration::from_secs(5),
            write: Duration::from_secs(30),
            read: Duration::from_secs(30),
        };
        Client {
            api: Api::new(base_url.trim(), Arc::new(UreqTransport::new(timeouts))),
            token: None,
            catalog: Catalog::embedded(),
        }
    }

    /// The same client with a bearer token.
    pub fn with_token(mut self, token: impl Into<String>) -> Client {
        self.token = Some(token.into());
        self
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        self.api.base()
    }

    /// `POST /v1/sessions`.
    pub fn login(&self, username: &str, password: &str) -> Result<LoginResponse, Failure> {
        let body = LoginRequest {
            username: username.trim().to_string(),
            password: password.to_string(),
        };
        self.json("POST", "/v1/sessions", Some(&body))
    }

    /// `DELETE /v1/sessions/current`.
    pub fn logout(&self) -> Result<(), Failure> {
        let request = self.request("DELETE", "/v1/sessions/current", None::<&()>)?;
        self.send(request).map(|_| ())
    }

    /// `GET /v1/me`.
    pub fn me(&self) -> Result<UserInfo, Failure> {
        self.json("GET", "/v1/me", None::<&()>)
    }

    /// `GET /v1/requests?...`: one page of the review queue.
    pub fn queue(&self, query: &QueueQuery) -> Result<QueuePage, Failure> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(s) = query.state {
            params.push(("state", s.code().to_string()));
        }
        if let Some(v) = &query.village {
            params.push(("village", v.clone()));
        }
        if let Some(l) = query.limit {
            params.push(("limit", l.to_string()));
        }
        if let Some(a) = &query.after {
            params.push(("after", a.clone()));
        }
        let qs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        let path = if qs.is_empty() {
            "/v1/requests".to_string()
        } else {
            format!("/v1/requests?{}", qs.join("&"))
        };
        self.json("GET", &path, None::<&()>)
    }

    /// `GET /v1/requests/{id}`: the form, files and audit log.
    pub fn detail(&self, id: &str) -> Result<RequestDetail, Failure> {
        self.json("GET", &format!("/v1/requests/{}", encode(id)), None::<&()>)
    }

    /// `POST /v1/requests/{id}/transitions`.
    pub fn transition(&self, id: &str, body: &TransitionRequest) -> Result<StatusChange, Failure> {
        let path = format!("/v1/requests/{}/transitions", encode(id));
        self.json("POST", &path, Some(body))
    }

    /// `POST /v1/identity/verifications`: the KTP-el or KK was checked in person.
    pub fn verify_identity(&self, body: &InPersonCheck) -> Result<UserInfo, Failure> {
        self.json("POST", "/v1/identity/verifications", Some(body))
    }

    /// `POST /v1/identity/reclaims`: the owner of a NIK gets a new verified account.
    pub fn reclaim_nik(&self, body: &ReclaimRequest) -> Result<ReclaimResponse, Failure> {
        self.json("POST", "/v1/identity/reclaims", Some(body))
    }

    /// `GET /v1/identity/events?nik=`: the identity audit log of a NIK (officers).
    pub fn identity_events(&self, nik: &str) -> Result<Vec<IdentityEvent>, Failure> {
        let path = format!("/v1/identity/events?nik={}", encode(nik));
        self.json("GET", &path, None::<&()>)
    }

    /// Finds a request's server id from its tracking code (`CR-XXXX-XXXX`) by paging the
    /// queue; anything else is taken as the id itself.
    pub fn resolve(&self, id_or_code: &str) -> Result<String, Failure> {
        let wanted = id_or_code.trim();
        if !wanted.to_ascii_uppercase().starts_with("CR-") {
            return Ok(wanted.to_string());
        }
        let mut query = QueueQuery {
            limit: Some(MAX_QUEUE_PAGE),
            ..QueueQuery::default()
        };
        loop {
            let page = self.queue(&query)?;
            if let Some(found) = page
                .items
                .iter()
                .find(|r| r.tracking_code.eq_ignore_ascii_case(wanted))
            {
                return Ok(found.id.clone());
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => {
                    return Err(Failure::coded(
                        exit::NOT_FOUND,
                        &self.catalog,
                        "request.not_found",
                        &[],
                    )
                    .context(wanted));
                }
            }
        }
    }

    fn request<B: Serialize>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<HttpRequest, Failure> {
        self.api
            .json_request(method, path, self.token.as_deref(), body)
            .map_err(|e| Failure::new(exit::INTERNAL, format!("JSON: {}", e.describe())))
    }

    fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Failure> {
        let response = self.send(self.request(method, path, body)?)?;
        serde_json::from_slice(&response.body).map_err(|e| {
            Failure::coded(exit::UNAVAILABLE, &self.catalog, "sync.protocol", &[])
                .context(format!("{method} {path}: {e}"))
        })
    }

    fn send(&self, request: HttpRequest) -> Result<HttpResponse, Failure> {
        let target = format!("{} {}", request.method, request.url);
        self.api
            .call(request)
            .map_err(|failure| self.failure(failure, &target))
    }

    /// Words a failed call for staff: the server's problem body when there is one, with the
    /// exit status its class calls for.
    fn failure(&self, failure: ApiFailure, target: &str) -> Failure {
        let (status, http, problem) = match failure {
            ApiFailure::Network(e) => {
                let code = match e {
                    TransportError::Timeout(_) => "sync.timeout",
                    TransportError::Connect(_) | TransportError::Io(_) => "sync.offline",
                };
                // The catalog words these codes for a phone's sync queue ("saved, sent
                // later"), which is not what happened to a staff command: say what did happen.
                let mut f = Failure::new(
                    exit::UNAVAILABLE,
                    format!(
                        "server tidak dapat dihubungi / cannot reach the server {}\n{target}: {e}",
                        self.api.base()
                    ),
                );
                f.code = Some(code.to_string());
                return f;
            }
            ApiFailure::Protocol(detail) => {
                return Failure::coded(exit::UNAVAILABLE, &self.catalog, "sync.protocol", &[])
                    .context(format!("{target}: {detail}"));
            }
            ApiFailure::Unauthorized(problem) => (exit::AUTH, 401, problem),
            ApiFailure::Retry {
                status, problem, ..
            } => (exit::UNAVAILABLE, status, problem),
            ApiFailure::Refused { status, problem } => {
                let exit_status = match status {
                    403 => exit::AUTH,
                    404 => exit::NOT_FOUND,
                    _ => exit::INVALID,
                };
                (exit_status, status, problem)
            }
        };
        match problem {
            Some(p) => {
                let p = *p;
                let f = Failure::worded(status, &p.code, &p.message_id, &p.message_en)
                    .with_issues(p.issues);
                match p.detail {
                    Some(detail) => f.context(format!("({detail})")),
                    None => f,
                }
            }
            None => Failure::coded(
                exit::UNAVAILABLE,
                &self.catalog,
                "sync.server_error",
                &[("status", http.to_string())],
            )
            .context(format!("HTTP {http}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_port_is_unavailable() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let e = Client::new(&format!("http://{addr}/")).me().unwrap_err();
        assert_eq!(e.status, exit::UNAVAILABLE);
        assert_eq!(e.code.as_deref(), Some("sync.offline"));
    }
}
