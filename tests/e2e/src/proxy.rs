//! A fault-injecting TCP proxy between the device and the server, for the end-to-end suites:
//! it reads HTTP/1.1 requests (head and `Content-Length` body) from the device and forwards
//! them, and can drop the connection after N bytes, stall, truncate a response, answer with a
//! status of its own (500, 429) or refuse connections (offline). Random drops follow a seeded
//! exponential distribution over the bytes the device sends, so every strategy measured
//! against it meets the same sequence of breaks.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A fault for the next request whose request line (`METHOD /path`) contains `matches`.
#[derive(Debug, Clone)]
pub enum Rule {
    /// Answer with this status (and `Retry-After`) instead of forwarding.
    Status {
        /// Substring of the request line.
        matches: String,
        /// HTTP status to answer.
        status: u16,
        /// `Retry-After` seconds, if any.
        retry_after: Option<u32>,
    },
    /// Forward only the first `after` body bytes, then break the connection.
    DropRequest {
        /// Substring of the request line.
        matches: String,
        /// Body bytes forwarded before the break.
        after: usize,
    },
    /// Forward the request, then cut the response after `after` bytes.
    TruncateResponse {
        /// Substring of the request line.
        matches: String,
        /// Response bytes delivered before the break.
        after: usize,
    },
    /// Hold the request for `millis` before forwarding it.
    Stall {
        /// Substring of the request line.
        matches: String,
        /// How long.
        millis: u64,
    },
}

impl Rule {
    fn matches(&self, line: &str) -> bool {
        let m = match self {
            Rule::Status { matches, .. }
            | Rule::DropRequest { matches, .. }
            | Rule::TruncateResponse { matches, .. }
            | Rule::Stall { matches, .. } => matches,
        };
        line.contains(m.as_str())
    }
}

struct RandomDrops {
    rng: StdRng,
    mean: f64,
    next_at: u64,
}

impl RandomDrops {
    fn draw(&mut self, from: u64) {
        let u: f64 = self.rng.random::<f64>().max(1e-12);
        self.next_at = from + (-self.mean * u.ln()).max(1.0) as u64;
    }
}

#[derive(Default)]
struct Plan {
    rules: VecDeque<Rule>,
    random: Option<RandomDrops>,
    offline: bool,
}

struct Shared {
    plan: Mutex<Plan>,
    up: AtomicU64,
    down: AtomicU64,
    drops: AtomicU64,
    requests: AtomicU64,
    /// Request lines (`METHOD /path HTTP/1.1`) in the order seen.
    lines: Mutex<Vec<String>>,
    stop: AtomicBool,
    upstream: SocketAddr,
}

/// The running proxy; stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Starts a proxy on 127.0.0.1 (random port) in front of `upstream`.
    pub fn start(upstream: SocketAddr) -> io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            plan: Mutex::new(Plan::default()),
            up: AtomicU64::new(0),
            down: AtomicU64::new(0),
            drops: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            lines: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            upstream,
        });
        let s = Arc::clone(&shared);
        thread::spawn(move || {
            for client in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let s = Arc::clone(&s);
                thread::spawn(move || serve(client, s));
            }
        });
        Ok(Proxy { addr, shared })
    }

    /// The base URL the device should use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Arms a one-shot fault.
    pub fn push(&self, rule: Rule) {
        lock(&self.shared.plan).rules.push_back(rule);
    }

    /// Drops connections at random points: on average once per `mean_bytes` bytes sent by the
    /// device, from a seeded generator. `None` turns random drops off.
    pub fn random_drops(&self, seed: u64, mean_bytes: Option<u64>) {
        let mut plan = lock(&self.shared.plan);
        plan.random = mean_bytes.map(|mean| {
            let mut r = RandomDrops {
                rng: StdRng::seed_from_u64(seed),
                mean: mean as f64,
                next_at: 0,
            };
            r.draw(self.shared.up.load(Ordering::SeqCst));
            r
        });
    }

    /// Refuses every connection (closes it at once) while true.
    pub fn set_offline(&self, offline: bool) {
        lock(&self.shared.plan).offline = offline;
    }

    /// Bytes the device sent through the proxy (request heads and bodies).
    pub fn bytes_up(&self) -> u64 {
        self.shared.up.load(Ordering::SeqCst)
    }

    /// Bytes delivered to the device.
    pub fn bytes_down(&self) -> u64 {
        self.shared.down.load(Ordering::SeqCst)
    }

    /// Connections broken on purpose so far.
    pub fn drops(&self) -> u64 {
        self.shared.drops.load(Ordering::SeqCst)
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The request lines seen so far (`METHOD /path HTTP/1.1`), oldest first.
    pub fn request_lines(&self) -> Vec<String> {
        lock(&self.shared.lines).clone()
    }

    /// Rules armed but not used yet.
    pub fn pending_rules(&self) -> usize {
        lock(&self.shared.plan).rules.len()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What to do with one request.
enum Action {
    Forward,
    Answer(u16, Option<u32>),
    DropAfter(usize),
    Truncate(usize),
    Stall(u64),
}

fn serve(client: TcpStream, shared: Arc<Shared>) {
    if lock(&shared.plan).offline || shared.stop.load(Ordering::SeqCst) {
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let Ok(upstream) = TcpStream::connect(shared.upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    // Response bytes still allowed on this connection (u64::MAX: unlimited).
    let budget = Arc::new(AtomicU64::new(u64::MAX));
    let (Ok(client_r), Ok(upstream_w)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let s = Arc::clone(&shared);
    let b = Arc::clone(&budget);
    let down = thread::spawn(move || pump_down(upstream, client, s, b));
    let _ = pump_up(client_r, upstream_w, &shared, &budget);
    let _ = down.join();
}

/// Device -> server: one request at a time, applying the plan.
fn pump_up(
    mut client: TcpStream,
    mut upstream: TcpStream,
    shared: &Shared,
    budget: &AtomicU64,
) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    while let Some(head_end) = read_head(&mut client, &mut pending)? {
        if lock(&shared.plan).offline {
            // Kept-alive connections go down with the network too.
            break;
        }
        let head: Vec<u8> = pending.drain(..head_end).collect();
        let text = String::from_utf8_lossy(&head).into_owned();
        let line = text.lines().next().unwrap_or_default().to_string();
        let length = content_length(&text);
        shared.requests.fetch_add(1, Ordering::SeqCst);
        lock(&shared.lines).push(line.clone());
        let action = {
            let mut plan = lock(&shared.plan);
            match plan.rules.iter().position(|r| r.matches(&line)) {
                Some(i) => match plan.rules.remove(i) {
                    Some(Rule::Status {
                        status,
                        retry_after,
                        ..
                    }) => Action::Answer(status, retry_after),
                    Some(Rule::DropRequest { after, .. }) => Action::DropAfter(after),
                    Some(Rule::TruncateResponse { after, .. }) => Action::Truncate(after),
                    Some(Rule::Stall { millis, .. }) => Action::Stall(millis),
                    None => Action::Forward,
                },
                None => Action::Forward,
            }
        };
        if let Action::Answer(status, retry_after) = action {
            // Read the body so the device sees an answer, not a broken pipe.
            read_body(&mut client, &mut pending, length, shared)?;
            shared.up.fetch_add(head.len() as u64, Ordering::SeqCst);
            let retry = retry_after
                .map(|s| format!("Retry-After: {s}\r\n"))
                .unwrap_or_default();
            let body = format!(
                "{{\"type\":\"about:blank\",\"title\":\"injected\",\"status\":{status},\"code\":\"internal\",\"message_id\":\"Gangguan\",\"message_en\":\"Injected\"}}"
            );
            let reply = format!(
                "HTTP/1.1 {status} Injected\r\nContent-Type: application/problem+json\r\n{retry}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            client.write_all(reply.as_bytes())?;
            break;
        }
        if let Action::Stall(ms) = action {
            thread::sleep(Duration::from_millis(ms));
        }
        if let Action::Truncate(after) = action {
            budget.store(after as u64, Ordering::SeqCst);
        }
        let limit = match action {
            Action::DropAfter(after) => Some(after),
            _ => None,
        };
        if !forward(&head, &mut upstream, shared)? {
            break;
        }
        if !forward_body(
            &mut client,
            &mut upstream,
            &mut pending,
            length,
            limit,
            shared,
        )? {
            break;
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    Ok(())
}

/// Forwards bytes unless the random drop point falls inside them; returns false after a drop.
fn forward(bytes: &[u8], upstream: &mut TcpStream, shared: &Shared) -> io::Result<bool> {
    let sent_before = shared.up.load(Ordering::SeqCst);
    let cut = {
        let mut plan = lock(&shared.plan);
        match plan.random.as_mut() {
            Some(r) if r.next_at < sent_before + bytes.len() as u64 => {
                let keep = r.next_at.saturating_sub(sent_before) as usize;
                r.draw(sent_before + keep as u64);
                Some(keep)
            }
            _ => None,
        }
    };
    match cut {
        Some(keep) => {
            upstream.write_all(&bytes[..keep])?;
            shared.up.fetch_add(keep as u64, Ordering::SeqCst);
            shared.drops.fetch_add(1, Ordering::SeqCst);
            Ok(false)
        }
        None => {
            upstream.write_all(bytes)?;
            shared.up.fetch_add(bytes.len() as u64, Ordering::SeqCst);
            Ok(true)
        }
    }
}

fn forward_body(
    client: &mut TcpStream,
    upstream: &mut TcpStream,
    pending: &mut Vec<u8>,
    length: usize,
    limit: Option<usize>,
    shared: &Shared,
) -> io::Result<bool> {
    let mut left = length;
    let mut allowed = limit.unwrap_or(usize::MAX);
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let chunk: Vec<u8> = if pending.is_empty() {
            let n = client.read(&mut buf[..left.min(64 * 1024)])?;
            if n == 0 {
                return Ok(false);
            }
            buf[..n].to_vec()
        } else {
            let n = pending.len().min(left);
            pending.drain(..n).collect()
        };
        left -= chunk.len();
        if chunk.len() >= allowed {
            forward(&chunk[..allowed], upstream, shared)?;
            shared.drops.fetch_add(1, Ordering::SeqCst);
            return Ok(false);
        }
        allowed -= chunk.len();
        if !forward(&chunk, upstream, shared)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn read_body(
    client: &mut TcpStream,
    pending: &mut Vec<u8>,
    length: usize,
    shared: &Shared,
) -> io::Result<()> {
    let mut left = length;
    let from_pending = pending.len().min(left);
    pending.drain(..from_pending);
    left -= from_pending;
    shared.up.fetch_add(from_pending as u64, Ordering::SeqCst);
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let n = client.read(&mut buf[..left.min(64 * 1024)])?;
        if n == 0 {
            break;
        }
        left -= n;
        shared.up.fetch_add(n as u64, Ordering::SeqCst);
    }
    Ok(())
}

/// Reads until the end of a request head; returns its length (with the blank line), or
/// `None` when the device closed the connection.
fn read_head(client: &mut TcpStream, pending: &mut Vec<u8>) -> io::Result<Option<usize>> {
    let mut buf = [0u8; 8192];
    loop {
        if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some(i + 4));
        }
        let n = match client.read(&mut buf) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return Ok(None),
        };
        pending.extend_from_slice(&buf[..n]);
    }
}

fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Server -> device, honouring a response budget set by `TruncateResponse`.
fn pump_down(
    mut upstream: TcpStream,
    mut client: TcpStream,
    shared: Arc<Shared>,
    budget: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match upstream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let allowed = budget.load(Ordering::SeqCst);
        let n_ok = (n as u64).min(allowed) as usize;
        if client.write_all(&buf[..n_ok]).is_err() {
            break;
        }
        shared.down.fetch_add(n_ok as u64, Ordering::SeqCst);
        if allowed != u64::MAX {
            budget.store(allowed - n_ok as u64, Ordering::SeqCst);
            if (n_ok as u64) < n as u64 || allowed == n_ok as u64 {
                shared.drops.fetch_add(1, Ordering::SeqCst);
                break;
            }
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that answers every request with `200 OK` and echoes the body length.
    fn echo_server() -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        thread::spawn(move || {
            for c in l.incoming() {
                let mut c = c.unwrap();
                thread::spawn(move || {
                    let mut pending = Vec::new();
                    while let Ok(Some(end)) = read_head(&mut c, &mut pending) {
                        let head: Vec<u8> = pending.drain(..end).collect();
                        let len = content_length(&String::from_utf8_lossy(&head));
                        while pending.len() < len {
                            let mut b = [0u8; 4096];
                            let n = c.read(&mut b).unwrap();
                            if n == 0 {
                                return;
                            }
                            pending.extend_from_slice(&b[..n]);
                        }
                        pending.drain(..len);
                        let body = len.to_string();
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if c.write_all(reply.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    fn post(url: &str, body: Vec<u8>) -> Result<(u16, String), ureq::Error> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent.post(url).send(&body[..])?;
        Ok((r.status().as_u16(), r.body_mut().read_to_string()?))
    }

    #[test]
    fn forwards_and_counts() {
        let p = Proxy::start(echo_server()).unwrap();
        let (status, body) = post(&format!("{}/x", p.url()), vec![1; 1000]).unwrap();
        assert_eq!((status, body.as_str()), (200, "1000"));
        assert!(p.bytes_up() > 1000 && p.bytes_up() < 1300);
    }

    #[test]
    fn injects_status_drop_and_truncation() {
        let p = Proxy::start(echo_server()).unwrap();
        p.push(Rule::Status {
            matches: "/busy".into(),
            status: 429,
            retry_after: Some(3),
        });
        assert_eq!(
            post(&format!("{}/busy", p.url()), vec![0; 10]).unwrap().0,
            429
        );
        assert_eq!(
            post(&format!("{}/busy", p.url()), vec![0; 10]).unwrap().0,
            200,
            "one-shot"
        );

        p.push(Rule::DropRequest {
            matches: "/up".into(),
            after: 100,
        });
        assert!(post(&format!("{}/up", p.url()), vec![0; 5000]).is_err());
        p.push(Rule::TruncateResponse {
            matches: "/down".into(),
            after: 20,
        });
        assert!(post(&format!("{}/down", p.url()), vec![0; 10]).is_err());
        assert_eq!(p.drops(), 2);
        p.set_offline(true);
        assert!(post(&format!("{}/x", p.url()), vec![]).is_err());
        p.set_offline(false);
        assert_eq!(post(&format!("{}/x", p.url()), vec![]).unwrap().0, 200);
    }

    #[test]
    fn random_drops_are_seeded() {
        let points = |seed| {
            let mut r = RandomDrops {
                rng: StdRng::seed_from_u64(seed),
                mean: 4e6,
                next_at: 0,
            };
            (0..50)
                .map(|_| {
                    let at = r.next_at;
                    r.draw(at);
                    r.next_at - at
                })
                .collect::<Vec<u64>>()
        };
        assert_eq!(points(7), points(7));
        assert_ne!(points(7), points(8));
        let mean = points(7).iter().sum::<u64>() as f64 / 50.0;
        assert!(mean > 2e6 && mean < 7e6, "{mean}");
    }
}
