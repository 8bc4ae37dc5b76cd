//! Web console benchmark: server time of the queue page with 10,000 requests in one village,
//! and of the request page; the queue page's weight (HTML + CSS + JS). Release build,
//! in-process server on loopback, SQLite. The times are client round trips on loopback (an
//! upper bound of the server's time).
//!
//! ```sh
//! cargo run --release -p ceria-server --example console_bench [-- --requests 10000 --rounds 300]
//! ```

mod common;

use ceria_core::protocol::Role;
use ceria_test_support::{PASSWORD, TestServer, VILLAGE_X, fixture, nik, payload, submit};
use common::{arg, quantile_ms};
use std::time::{Duration, Instant};

/// A signed-in console session: its cookie.
fn sign_in(agent: &ureq::Agent, base: &str, username: &str) -> String {
    let form = agent.get(&format!("{base}/console/signin")).call().unwrap();
    let cookie = form.headers().get("set-cookie").unwrap().to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = form.into_body().read_to_string().unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    let token = html[start..].split('"').next().unwrap();
    let signed = agent
        .post(&format!("{base}/console/signin"))
        .header("cookie", &cookie)
        .content_type("application/x-www-form-urlencoded")
        .send(format!(
            "_csrf={token}&username={username}&password={PASSWORD}"
        ))
        .unwrap();
    let session = signed
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    session.split(';').next().unwrap().to_string()
}

/// `rounds` GETs of `path`; (p50, p99, bytes of the last answer, its body).
fn measure(
    agent: &ureq::Agent,
    base: &str,
    cookie: &str,
    path: &str,
    rounds: usize,
) -> (f64, f64, usize, String) {
    let mut times = Vec::with_capacity(rounds);
    let mut body = String::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = agent
            .get(&format!("{base}{path}"))
            .header("cookie", cookie)
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        body = r
            .into_body()
            .with_config()
            .limit(16 << 20)
            .read_to_string()
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    (
        quantile_ms(&times, 0.50),
        quantile_ms(&times, 0.99),
        body.len(),
        body,
    )
}

fn main() {
    let requests = arg("--requests", 10_000);
    let rounds = arg("--rounds", 300);
    let ts = TestServer::start_with(|c| c.max_requests_per_day = u32::MAX);
    let base = ts.base_url();
    let fx = fixture();
    let citizen = ts.citizen(&nik(1), "Beban Uji");
    ts.create_staff(Role::Operator, "op.bench", PASSWORD, Some(VILLAGE_X));
    let one = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let started = Instant::now();
    let mut left = requests;
    while left > 0 {
        let n = left.min(100);
        let ops: Vec<_> = (0..n).map(|_| submit(&one)).collect();
        let results = ts.push(&citizen, &ops);
        assert!(
            results.iter().all(|r| r["status"] == "accepted"),
            "{results:?}"
        );
        left -= n;
    }
    println!(
        "{requests} requests of `{}` in {VILLAGE_X} pushed in {:.1} s",
        fx.service,
        started.elapsed().as_secs_f64()
    );

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let cookie = sign_in(&agent, &base, "op.bench");
    let (p50, p99, html_bytes, html) = measure(&agent, &base, &cookie, "/console/requests", rounds);
    println!(
        "queue page (first 50 of {requests}, counts per state): p50 {p50:.2} ms, p99 {p99:.2} ms"
    );
    let asset_bytes: usize = html
        .split("\"/console/assets/")
        .skip(1)
        .map(|rest| {
            let name = rest.split('"').next().unwrap();
            let r = agent
                .get(&format!("{base}/console/assets/{name}"))
                .call()
                .unwrap();
            r.into_body().read_to_vec().unwrap().len()
        })
        .sum();
    println!(
        "queue page weight: HTML {html_bytes} B + CSS/JS {asset_bytes} B = {:.1} KB",
        (html_bytes + asset_bytes) as f64 / 1024.0
    );
    let (p50, p99, ..) = measure(
        &agent,
        &base,
        &cookie,
        "/console/requests?state=submitted&late=1&age=3",
        rounds,
    );
    println!("queue page, filtered (state, late, age): p50 {p50:.2} ms, p99 {p99:.2} ms");
    let start = html.find("href=\"/console/requests/").unwrap() + "href=\"".len();
    let request = html[start..].split('"').next().unwrap().to_string();
    let (p50, p99, bytes, _) = measure(&agent, &base, &cookie, &request, rounds);
    println!(
        "request page ({} fields, {} attachments): p50 {p50:.2} ms, p99 {p99:.2} ms, {bytes} B",
        fx.values.len(),
        fx.attachments.len()
    );
}
