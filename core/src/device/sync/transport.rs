//! HTTP as the sync engine sees it: one blocking exchange at a time behind the [`Transport`]
//! trait, so tests can inject faults (and the apps could bring their own stack). The default
//! implementation uses ureq with rustls and explicit connect/read/write timeouts.

use std::time::Duration;

/// An HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PATCH`, `HEAD`, `DELETE`, ...
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Body (empty for none).
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: &str, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: method.to_string(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Vec<u8>) -> HttpRequest {
        self.body = body;
        self
    }

    /// The first value of a header (case-insensitive name).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// An HTTP response, any status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why no response arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Could not connect (no network, host unreachable, refused).
    #[error("connect: {0}")]
    Connect(String),
    /// Connected, but a connect, read or write deadline passed.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The connection broke or the response was cut off or malformed.
    #[error("i/o: {0}")]
    Io(String),
}

/// Sends one HTTP request and waits for the whole response. Implementations must be safe to
/// call from several threads.
pub trait Transport: Send + Sync {
    /// Performs the exchange. Any HTTP status is a response, never an error.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Timeouts of the default transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// Sending the request (headers and body).
    pub write: Duration,
    /// Waiting for and reading the response.
    pub read: Duration,
}

impl Default for Timeouts {
    /// Values for 3G: a slow link is fine, a dead one is noticed within half a minute.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            write: Duration::from_secs(30),
            read: Duration::from_secs(30),
        }
    }
}

/// The largest response body read (the catalog is the largest legitimate one).
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// The default transport: ureq 3 with rustls.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// A transport with the given timeouts.
    pub fn new(timeouts: Timeouts) -> UreqTransport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(timeouts.connect))
            .timeout_send_request(Some(timeouts.write))
            .timeout_send_body(Some(timeouts.write))
            .timeout_recv_response(Some(timeouts.read))
            .timeout_recv_body(Some(timeouts.read))
            .user_agent(concat!("ceria-device/", env!("CARGO_PKG_VERSION")))
            .build();
        UreqTransport {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    fn build<B>(
        &self,
        request: &HttpRequest,
        body: B,
    ) -> Result<ureq::http::Request<B>, TransportError> {
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(body)
            .map_err(|e| TransportError::Io(format!("bad request: {e}")))
    }
}

fn map_error(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::Timeout(t) => TransportError::Timeout(t.to_string()),
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            TransportError::Connect(e.to_string())
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            TransportError::Connect(io.to_string())
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            TransportError::Timeout(io.to_string())
        }
        other => TransportError::Io(other.to_string()),
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let bodiless = request.body.is_empty()
            && matches!(
                request.method.as_str(),
                "GET" | "HEAD" | "DELETE" | "OPTIONS"
            );
        let response = if bodiless {
            let req = self.build(&request, ())?;
            self.agent.run(req)
        } else {
            let req = self.build(&request, request.body.as_slice())?;
            self.agent.run(req)
        }
        .map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| {
                v.to_str()
                    .ok()
                    .map(|v| (n.as_str().to_string(), v.to_string()))
            })
            .collect();
        let mut body = response.into_body();
        let body = if request.method == "HEAD" {
            Vec::new()
        } else {
            body.with_config()
                .limit(MAX_RESPONSE_BYTES)
                .read_to_vec()
                .map_err(map_error)?
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// A one-shot HTTP server that answers with `reply` after reading the request head.
    fn serve_once(reply: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
        });
        format!("http://{addr}/x")
    }

    #[test]
    fn error_statuses_are_responses() {
        let url = serve_once(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\nno",
        );
        let t = UreqTransport::new(Timeouts::default());
        let r = t.send(HttpRequest::new("GET", url)).unwrap();
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after"), Some("7"));
        assert_eq!(r.body, b"no");
    }

    #[test]
    fn truncated_body_is_an_io_error() {
        let url = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
        let t = UreqTransport::new(Timeouts::default());
        let e = t
            .send(HttpRequest::new("POST", url).body(b"{}".to_vec()))
            .unwrap_err();
        assert!(matches!(e, TransportError::Io(_)), "{e:?}");
    }

    #[test]
    fn refused_connection_is_connect_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let t = UreqTransport::new(Timeouts::default());
        let e = t
            .send(HttpRequest::new("GET", format!("http://{addr}/")))
            .unwrap_err();
        assert!(matches!(e, TransportError::Connect(_)), "{e:?}");
    }

    #[test]
    fn stalled_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (s, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(s);
        });
        let t = UreqTransport::new(Timeouts {
            connect: Duration::from_secs(2),
            write: Duration::from_secs(2),
            read: Duration::from_millis(300),
        });
        let e = t
            .send(HttpRequest::new("GET", format!("http://{addr}/")))
            .unwrap_err();
        assert!(matches!(e, TransportError::Timeout(_)), "{e:?}");
    }
}
