//! Slow and idle clients cannot hold the server (issue 11, finding 5): a half-sent header, a
//! stalled body and an idle socket are closed after the configured timeouts, and the
//! connection cap keeps new connections waiting while the ones being served keep working.

use ceria_test_support::TestServer;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Reads until the peer closes or `limit` passes; the bytes and whether the peer closed.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let start = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return (out, true),
        }
    }
    (out, false)
}

/// Sends a keep-alive `GET /healthz` and reads its answer.
fn healthz_on(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .ok()?;
    read_answer(stream, limit)
}

/// Reads one whole answer (head and `Content-Length` body) to a request already written.
fn read_answer(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let start = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while start.elapsed() < limit {
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&out);
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if out.len() >= head_end + 4 + length {
                        return Some(text.into_owned());
                    }
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    None
}

#[test]
fn a_half_sent_header_and_an_idle_socket_are_closed_after_the_header_timeout() {
    let ts = TestServer::start_with(|c| c.header_read_timeout = Duration::from_millis(500));
    let mut half = TcpStream::connect(ts.addr()).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        .unwrap();
    let mut idle = TcpStream::connect(ts.addr()).unwrap();
    let start = Instant::now();
    let (_, closed) = read_until_closed(&mut half, Duration::from_secs(5));
    assert!(closed, "a half-sent header is still held after 5 s");
    let (_, closed) = read_until_closed(&mut idle, Duration::from_secs(5));
    assert!(closed, "an idle socket is still held after 5 s");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    // A keep-alive connection answers, then is closed once idle for the timeout.
    let mut kept = TcpStream::connect(ts.addr()).unwrap();
    let answer = healthz_on(&mut kept, Duration::from_secs(5)).expect("healthz answers");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (_, closed) = read_until_closed(&mut kept, Duration::from_secs(5));
    assert!(
        closed,
        "an idle keep-alive connection is still held after 5 s"
    );
}

#[test]
fn a_stalled_body_is_answered_after_the_body_timeout() {
    let ts = TestServer::start_with(|c| c.body_read_timeout = Duration::from_millis(500));
    let mut s = TcpStream::connect(ts.addr()).unwrap();
    s.write_all(
        b"POST /v1/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"nik\": \"13",
    )
    .unwrap();
    let start = Instant::now();
    let (answer, closed) = read_until_closed(&mut s, Duration::from_secs(5));
    let text = String::from_utf8_lossy(&answer);
    assert!(closed, "a stalled body is still held after 5 s: {text}");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
}

#[test]
fn a_slow_body_that_keeps_sending_is_not_cut() {
    let ts = TestServer::start_with(|c| c.body_read_timeout = Duration::from_millis(600));
    let body = br#"{"nik": "bukan nik", "name": "A", "phone": "1", "password": "x"}"#;
    let mut s = TcpStream::connect(ts.addr()).unwrap();
    write!(
        s,
        "POST /v1/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The whole body takes ~1.6 s, longer than the timeout, but never pauses that long.
    for chunk in body.chunks(body.len().div_ceil(8)) {
        std::thread::sleep(Duration::from_millis(200));
        s.write_all(chunk).unwrap();
    }
    let (answer, _) = read_until_closed(&mut s, Duration::from_secs(5));
    let text = String::from_utf8_lossy(&answer);
    // The body arrived whole: the NIK is judged, not the transport.
    assert!(text.starts_with("HTTP/1.1 422"), "{text}");
}

#[test]
fn the_connection_cap_holds_new_connections_until_a_slot_frees() {
    let ts = TestServer::start_with(|c| {
        c.max_connections = 3;
        c.header_read_timeout = Duration::from_secs(30);
    });
    let mut working = TcpStream::connect(ts.addr()).unwrap();
    assert!(healthz_on(&mut working, Duration::from_secs(5)).is_some());
    let idle_b = TcpStream::connect(ts.addr()).unwrap();
    let _idle_c = TcpStream::connect(ts.addr()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // The fourth connection is not served while three are open.
    let mut waiting = TcpStream::connect(ts.addr()).unwrap();
    assert!(
        healthz_on(&mut waiting, Duration::from_millis(800)).is_none(),
        "a connection over the cap was served"
    );
    // The connections being served keep working.
    let again = healthz_on(&mut working, Duration::from_secs(5)).expect("existing connection");
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    // Once a slot frees, the waiting connection is served.
    drop(idle_b);
    let late = read_answer(&mut waiting, Duration::from_secs(5)).expect("served once a slot frees");
    assert!(late.starts_with("HTTP/1.1 200"), "{late}");
}
