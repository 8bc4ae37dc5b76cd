//! The server's API as a client calls it: URLs, bearer tokens, JSON bodies, percent-encoding,
//! and the sorting of every failure into classes (retry later, log in again, refused for
//! good). The sync engine and the `ceria operator` staff client both speak HTTP through it.

use crate::device::sync::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::protocol::Problem;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Why a call did not succeed, by what the engine should do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No response: network down, broken connection, timeout. Retry later.
    Network(TransportError),
    /// The server is in trouble or asks to slow down (5xx, 429, 408), or a tus upload is being
    /// written through another connection (423). Retry later.
    Retry {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, in milliseconds.
        retry_after_ms: Option<u64>,
        /// The server's problem body, when it sent one.
        problem: Option<Box<Problem>>,
    },
    /// 401: the session is gone; the person must log in again.
    Unauthorized(Option<Box<Problem>>),
    /// Any other 4xx: this exact call will never succeed.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's problem body, when it sent one.
        problem: Option<Box<Problem>>,
    },
    /// A 2xx answer that does not follow the protocol.
    Protocol(String),
}

impl Failure {
    /// True when the same call may succeed later without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Failure::Network(_) | Failure::Retry { .. })
    }

    /// A short description for the outbox's `last_error` and logs.
    pub fn describe(&self) -> String {
        match self {
            Failure::Network(e) => e.to_string(),
            Failure::Retry {
                status, problem, ..
            }
            | Failure::Refused { status, problem } => match problem {
                Some(p) => format!("HTTP {status} {}", p.code),
                None => format!("HTTP {status}"),
            },
            Failure::Unauthorized(_) => "HTTP 401".to_string(),
            Failure::Protocol(d) => format!("protocol: {d}"),
        }
    }
}

/// The server's base URL and the transport.
#[derive(Clone)]
pub struct Api {
    base: String,
    transport: Arc<dyn Transport>,
}

impl Api {
    /// `base` is the server root, e.g. `https://ceria.example.go.id` (no `/v1`).
    pub fn new(base: &str, transport: Arc<dyn Transport>) -> Api {
        Api {
            base: base.trim_end_matches('/').to_string(),
            transport,
        }
    }

    /// The server root this client talks to (no trailing slash).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The absolute URL of an API path (`/v1/...`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Resolves a `Location` header: absolute URLs as they are, paths against the base.
    pub fn resolve(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else if location.starts_with('/') {
            // Server paths are absolute from the origin, whatever path the base carries.
            let after_scheme = self.base.find("://").map(|i| i + 3).unwrap_or(0);
            let origin_end = self
                .base
                .get(after_scheme..)
                .and_then(|rest| rest.find('/'))
                .map(|p| after_scheme + p)
                .unwrap_or(self.base.len());
            format!(
                "{}{location}",
                self.base.get(..origin_end).unwrap_or(&self.base)
            )
        } else {
            format!("{}/{location}", self.base)
        }
    }

    /// Sends a request; 2xx and 304 are answers, every other status is sorted into a
    /// [`Failure`].
    pub fn call(&self, request: HttpRequest) -> Result<HttpResponse, Failure> {
        let response = self.transport.send(request).map_err(Failure::Network)?;
        match response.status {
            200..=299 | 304 => Ok(response),
            status => Err(classify(status, &response)),
        }
    }

    /// Sends a JSON body (or none) with an optional bearer token and decodes a JSON answer.
    pub fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<T, Failure> {
        let response = self.call(self.json_request(method, path, token, body)?)?;
        decode(&response)
    }

    /// Builds a JSON request.
    pub fn json_request<B: Serialize>(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<HttpRequest, Failure> {
        let mut request =
            HttpRequest::new(method, self.url(path)).header("Accept", "application/json");
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| Failure::Protocol(e.to_string()))?;
            request = request
                .header("Content-Type", "application/json")
                .body(bytes);
        }
        Ok(request)
    }
}

/// Decodes a JSON answer.
pub fn decode<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, Failure> {
    serde_json::from_slice(&response.body)
        .map_err(|e| Failure::Protocol(format!("HTTP {} body: {e}", response.status)))
}

/// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn classify(status: u16, response: &HttpResponse) -> Failure {
    let problem: Option<Box<Problem>> = serde_json::from_slice(&response.body).ok();
    match status {
        401 => Failure::Unauthorized(problem),
        // 423: a tus upload another connection is still writing (`upload.locked`).
        408 | 423 | 429 | 500..=599 => Failure::Retry {
            status,
            retry_after_ms: response.header("Retry-After").and_then(parse_retry_after),
            problem,
        },
        _ => Failure::Refused { status, problem },
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the Ceria server).
fn parse_retry_after(value: &str) -> Option<u64> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .map(|s| s.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Canned(Mutex<Vec<HttpResponse>>);

    impl Transport for Canned {
        fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.0
                .lock()
                .unwrap()
                .pop()
                .ok_or_else(|| TransportError::Connect("none".into()))
        }
    }

    fn api(responses: Vec<HttpResponse>) -> Api {
        Api::new("http://h:1/", Arc::new(Canned(Mutex::new(responses))))
    }

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn statuses_are_classified() {
        let a = api(vec![response(429, &[("Retry-After", "12")], "")]);
        match a.call(HttpRequest::new("GET", "x")).unwrap_err() {
            Failure::Retry {
                status: 429,
                retry_after_ms: Some(12_000),
                ..
            } => {}
            other => panic!("{other:?}"),
        }
        let problem = r#"{"type":"t","title":"t","status":401,"code":"auth.session_expired","message_id":"Sesi habis","message_en":"Session expired"}"#;
        let a = api(vec![response(401, &[], problem)]);
        match a.call(HttpRequest::new("GET", "x")).unwrap_err() {
            Failure::Unauthorized(Some(p)) => assert_eq!(p.code, "auth.session_expired"),
            other => panic!("{other:?}"),
        }
        let a = api(vec![response(413, &[], "not json")]);
        assert!(matches!(
            a.call(HttpRequest::new("GET", "x")).unwrap_err(),
            Failure::Refused {
                status: 413,
                problem: None
            }
        ));
        // 503, and 423 (a tus upload another connection is writing): later, not never.
        for status in [503, 423] {
            let a = api(vec![response(status, &[], "")]);
            assert!(
                a.call(HttpRequest::new("GET", "x"))
                    .unwrap_err()
                    .is_retryable()
            );
        }
        let a = api(vec![]);
        assert!(
            a.call(HttpRequest::new("GET", "x"))
                .unwrap_err()
                .is_retryable()
        );
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(percent_encode("13.05.08.2002"), "13.05.08.2002");
        assert_eq!(percent_encode("a b/c?&="), "a%20b%2Fc%3F%26%3D");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }

    #[test]
    fn bad_json_is_a_protocol_failure() {
        let a = api(vec![response(200, &[], "{oops")]);
        let r: Result<serde_json::Value, _> = a.json::<(), _>("GET", "/v1/me", Some("t"), None);
        assert!(matches!(r, Err(Failure::Protocol(_))));
    }

    #[test]
    fn locations_resolve_against_the_origin() {
        let a = api(vec![]);
        assert_eq!(a.url("/v1/me"), "http://h:1/v1/me");
        assert_eq!(a.resolve("/v1/uploads/abc"), "http://h:1/v1/uploads/abc");
        assert_eq!(a.resolve("https://cdn/x"), "https://cdn/x");
        let b = Api::new(
            "https://s.example/base",
            Arc::new(Canned(Mutex::new(vec![]))),
        );
        assert_eq!(b.resolve("/v1/uploads/1"), "https://s.example/v1/uploads/1");
    }
}
