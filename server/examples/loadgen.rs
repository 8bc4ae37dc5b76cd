//! Load generator for `POST /v1/sync/push`: accepted submissions per second, one submission
//! per request and in batches of 50, on loopback; then the time to pull 10,000 changes in
//! pages of 200 (`GET /v1/sync/pull`).
//!
//! ```sh
//! cargo run --release -p ceria-server --example loadgen                 # in-process server
//! cargo run --release -p ceria-server --example loadgen -- --url http://127.0.0.1:8080
//! cargo run --release -p ceria-server --example loadgen -- --database postgres://… --instances 2
//! ```
//!
//! Options: `--url URL` (repeat it for several instances of one registry: the clients take
//! them in turn; default: start a server in this process on a temporary data directory),
//! `--database URL` (the in-process server on this empty PostgreSQL database instead of
//! SQLite), `--instances N` (in-process servers on the one database and data directory, 1),
//! `--seconds N` per mode (10), `--clients N` concurrent connections (8), `--pull N` changes
//! to pull afterwards (10000; 0: none), `--service ID` (akta_kelahiran: the biggest form),
//! `--operator USER:PASSWORD` (with `--url`: a nagari operator account of village
//! 13.05.01.2001 to file with; repeat it for more, the clients take them in turn; an
//! in-process server gets one per client created). Each client is a nagari operator's
//! device: one account, one push at a time (a registry applies one account's pushes one
//! after the other). Each submission is a full, valid form from the catalog's fixtures,
//! validated by the server with the core rules, filed for a different resident each time
//! (the heaviest filers of the real service, under the registry's default daily quota per
//! person); its attachments were uploaded once beforehand by that operator (tus) and every
//! submission references those completed uploads, so no file bytes travel during the
//! measurement ("without attachments"). The pull is the first operator's: their village's
//! feed.

use ceria_core::protocol::{AttachmentRef, Operation, RequestPayload};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    urls: Vec<String>,
    database: Option<String>,
    instances: usize,
    seconds: u64,
    clients: usize,
    pull: usize,
    service: String,
    operators: Vec<(String, String)>,
}

/// The operators an in-process server gets (`beban.uji.N`), and their village (the
/// payload's).
const OPERATOR: &str = "beban.uji";
const VILLAGE: &str = "13.05.01.2001";
const PASSWORD: &str = "Beban-Uji-Kelapa-Tinggi-2026";

/// A valid NIK of a resident of 13.05.01, different for every `n` below 13 million: born
/// on day 1-28 of a month of 1960-1999, serial 0001-0999.
fn resident_nik(n: u64) -> String {
    let (day, month) = (1 + n % 28, 1 + (n / 28) % 12);
    let (year, serial) = (60 + (n / 336) % 40, 1 + (n / 13_440) % 999);
    format!("130501{day:02}{month:02}{year:02}{serial:04}")
}

fn args() -> Args {
    let mut a = Args {
        urls: Vec::new(),
        database: None,
        instances: 1,
        seconds: 10,
        clients: 8,
        pull: 10_000,
        service: "akta_kelahiran".into(),
        operators: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--url" => a.urls.push(value.trim_end_matches('/').to_string()),
            "--database" => a.database = Some(value),
            "--operator" => {
                if let Some((u, p)) = value.split_once(':') {
                    a.operators.push((u.to_string(), p.to_string()));
                }
            }
            "--instances" => a.instances = value.parse().unwrap_or(1).max(1),
            "--seconds" => a.seconds = value.parse().unwrap_or(10),
            "--clients" => a.clients = value.parse().unwrap_or(8),
            "--pull" => a.pull = value.parse().unwrap_or(10_000),
            "--service" => a.service = value,
            other => eprintln!("ignoring unknown option {other}"),
        }
    }
    a
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut req = agent.post(url);
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    match req.send_json(body) {
        Ok(mut r) => {
            let status = r.status().as_u16();
            (status, r.body_mut().read_json().unwrap_or(Value::Null))
        }
        Err(e) => {
            eprintln!("request failed: {e}");
            (0, Value::Null)
        }
    }
}

fn upload(agent: &ureq::Agent, base: &str, token: &str, data: &[u8]) -> String {
    let auth = format!("Bearer {token}");
    let r = agent
        .post(&format!("{base}/v1/uploads"))
        .header("authorization", &auth)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", &data.len().to_string())
        .header("content-type", "application/offset+octet-stream")
        .send(data)
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201, "creation-with-upload");
    hex::encode(Sha256::digest(data))
}

/// One measurement: `clients` threads pushing batches of `batch` for `seconds`, client `i`
/// to instance `i % bases.len()` with the account of `tokens[i % tokens.len()]`.
fn measure(
    bases: &[String],
    tokens: &[String],
    payload: &RequestPayload,
    batch: usize,
    args: &Args,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let seq = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..args.clients)
        .map(|client| {
            let (stop, accepted, other, seq) =
                (stop.clone(), accepted.clone(), other.clone(), seq.clone());
            let (url, token, payload) = (
                format!("{}/v1/sync/push", bases[client % bases.len()]),
                tokens[client % tokens.len()].clone(),
                payload.clone(),
            );
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let ops: Vec<Operation> = (0..batch)
                        .map(|_| {
                            let n = seq.fetch_add(1, Ordering::Relaxed);
                            let mut request = payload.clone();
                            // Both modes of one run file for different residents.
                            request.on_behalf_of = Some(resident_nik(n * 2 + (batch > 1) as u64));
                            Operation::Submit {
                                op_id: format!("bench-{batch}-{client}-{n}"),
                                local_id: uuid::Uuid::now_v7().to_string(),
                                request,
                            }
                        })
                        .collect();
                    let t = Instant::now();
                    let (status, body) =
                        post(&agent, &url, Some(&token), &json!({"operations": ops}));
                    latencies.push(t.elapsed());
                    if status != 200 {
                        other.fetch_add(batch as u64, Ordering::Relaxed);
                        continue;
                    }
                    for r in body["results"].as_array().into_iter().flatten() {
                        if r["status"] == "accepted" {
                            accepted.fetch_add(1, Ordering::Relaxed);
                        } else {
                            if other.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("not accepted: {r}");
                            }
                        }
                    }
                }
                latencies
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(args.seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap_or_default())
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let n = accepted.load(Ordering::Relaxed);
    println!(
        "batch {batch:>2}: {:>7.0} accepted submissions/s ({n} in {elapsed:.1} s, {} not accepted), \
         {:.0} requests/s, latency p50 {:.1} ms p99 {:.1} ms, {} clients",
        n as f64 / elapsed,
        other.load(Ordering::Relaxed),
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        args.clients
    );
}

/// Pulls `total` changes in pages of 200 from the start of the caller's feed; prints the
/// time taken.
fn measure_pull(base: &str, token: &str, total: usize) {
    const PAGE: usize = 200;
    let agent = agent();
    let started = Instant::now();
    let (mut got, mut pages, mut cursor) = (0usize, 0usize, String::new());
    while got < total {
        let mut r = agent
            .get(&format!("{base}/v1/sync/pull?since={cursor}&limit={PAGE}"))
            .header("authorization", &format!("Bearer {token}"))
            .call()
            .expect("pull");
        let page: Value = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_json()
            .expect("pull JSON");
        let n = page["changes"].as_array().map_or(0, Vec::len);
        got += n;
        pages += 1;
        cursor = page["next_cursor"].as_str().unwrap_or_default().to_string();
        if n == 0 || page["more"] != true {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "pull: {got} changes in {pages} pages of {PAGE} in {seconds:.3} s ({:.0} changes/s){}",
        got as f64 / seconds,
        if got < total {
            format!(" (only {got} of {total} in the feed)")
        } else {
            String::new()
        }
    );
}

fn main() {
    let mut args = args();
    let (values, requirements) = ceria_test_support::example_form(&args.service);
    let values: BTreeMap<String, String> = values.into_iter().collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut servers = Vec::new();
    let bases: Vec<String> = if args.urls.is_empty() {
        let mut config =
            ceria_server::Config::new(dir.path(), "127.0.0.1:0".parse().expect("addr"));
        config.validation_today = Some(ceria_test_support::fixture_today());
        if let Some(url) = &args.database {
            config.database = ceria_server::DatabaseLocation::Postgres { url: url.clone() };
        }
        let bases = (0..args.instances)
            .map(|_| {
                let server = ceria_server::Server::start(config.clone()).expect("server");
                let base = format!("http://{}", server.local_addr);
                servers.push(server);
                base
            })
            .collect();
        let db = match &args.database {
            Some(url) => ceria_server::Db::open_postgres(url),
            None => ceria_server::Db::open(&config.db_path()),
        }
        .expect("database");
        for i in 1..=args.clients {
            let username = format!("{OPERATOR}.{i}");
            ceria_server::admin::create_user(
                &db,
                ceria_server::admin::StaffAccount {
                    role: ceria_core::protocol::Role::Operator,
                    username: username.clone(),
                    password: PASSWORD.into(),
                    name: Some(format!("Operator Beban Uji {i}")),
                    village: Some(VILLAGE.into()),
                },
            )
            .expect("operator");
            args.operators.push((username, PASSWORD.into()));
        }
        bases
    } else {
        args.urls.clone()
    };
    assert!(
        !args.operators.is_empty(),
        "with --url: --operator USER:PASSWORD (a nagari operator of {VILLAGE})"
    );
    let base = bases[0].clone();
    let agent = agent();
    let tokens: Vec<String> = args
        .operators
        .iter()
        .map(|(username, password)| {
            let (status, login) = post(
                &agent,
                &format!("{base}/v1/sessions"),
                None,
                &json!({"username": username, "password": password}),
            );
            assert_eq!(status, 200, "login of operator {username}");
            login["token"].as_str().expect("token").to_string()
        })
        .collect();
    let mut catalog = agent
        .get(&format!("{base}/v1/catalog"))
        .call()
        .expect("catalog");
    let catalog: Value = catalog
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_json()
        .expect("catalog JSON");
    // Attachments are checked by content: a small JPEG (its magic bytes), one per
    // requirement, uploaded by every operator (a push may only refer to its own uploads).
    let attachments = requirements
        .iter()
        .enumerate()
        .map(|(i, requirement)| {
            let data = ceria_test_support::jpeg_bytes(i as u64 + 1, 2_000);
            let mut sha256 = String::new();
            for token in &tokens {
                sha256 = upload(&agent, &base, token, &data);
            }
            AttachmentRef {
                requirement: requirement.clone(),
                sha256,
                size: data.len() as u64,
                media_type: "image/jpeg".into(),
            }
        })
        .collect();
    let payload = RequestPayload {
        service: args.service.clone(),
        catalog_version: catalog["version"].as_str().unwrap_or_default().to_string(),
        values,
        attachments,
        village: VILLAGE.into(),
        on_behalf_of: None,
    };
    println!(
        "ceria-server push load test: {}, {}, service {}, {} fields, {} attachments referenced, {} cores",
        bases.join(" + "),
        match (&args.database, args.urls.is_empty()) {
            (Some(_), true) => "PostgreSQL",
            (None, true) => "SQLite",
            (_, false) => "external server",
        },
        args.service,
        payload.values.len(),
        payload.attachments.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    measure(&bases, &tokens, &payload, 1, &args);
    measure(&bases, &tokens, &payload, 50, &args);
    if args.pull > 0 {
        measure_pull(&base, &tokens[0], args.pull);
    }
}
