//! tus requests on raw connections, for what an HTTP client library does not do: a body that
//! comes slowly, so that two requests to two instances overlap.

use crate::server::{Reply, TestServer};
use std::io::{Read, Write};
use std::time::Duration;

impl TestServer {
    /// Sends a PATCH whose body comes slowly, on a connection of its own: the first half, a
    /// pause, then the rest unless the server answered meanwhile (as it does when it refuses
    /// at once). Two of these sent to two instances at the same moment overlap.
    pub fn slow_patch(
        &self,
        token: &str,
        location: &str,
        offset: u64,
        data: &[u8],
        pause: Duration,
    ) -> Reply {
        let addr = self.addr().to_string();
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        let head = format!(
            "PATCH {location} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n\
             Content-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            data.len()
        );
        let half = data.len() / 2;
        s.write_all(head.as_bytes()).expect("send head");
        s.write_all(&data[..half]).expect("send the first half");
        let mut response = Vec::new();
        let mut buf = [0u8; 8192];
        s.set_read_timeout(Some(pause)).expect("read timeout");
        match s.read(&mut buf) {
            Ok(n) if n > 0 => response.extend_from_slice(&buf[..n]),
            // Not answered yet: the rest of the body (a server that answered and closed
            // meanwhile makes this fail, which is fine: its answer is read below).
            _ => {
                let _ = s.write_all(&data[half..]);
            }
        }
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("read timeout");
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
        }
        parse_reply(&response)
    }
}

/// An HTTP/1.1 answer read off a raw connection (`Content-Length` bodies, as this server
/// sends its tus answers).
fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete answer: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    let mut headers = ureq::http::HeaderMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && let (Ok(name), Ok(value)) = (
                ureq::http::HeaderName::from_bytes(name.trim().as_bytes()),
                ureq::http::HeaderValue::from_str(value.trim()),
            )
        {
            headers.append(name, value);
        }
    }
    Reply {
        status,
        headers,
        body: body.as_bytes().to_vec(),
    }
}
