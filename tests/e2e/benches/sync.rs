//! Sync benchmarks against the real server on loopback (run once, in release:
//! `cargo bench -p ceria-e2e --bench sync`):
//!
//! 1. Wire efficiency: 20 requests x 3 attachments of 2 MiB through the proxy, which drops the
//!    connection at random points, on average once per 4 MiB the device sends (seeded: the
//!    same break points for both strategies). Bytes the device sent / payload bytes and wall
//!    time, for this engine (tus, resume from the server's offset) and for a whole-resend
//!    baseline (what OpenRosa clients do: any break sends the whole submission again).
//! 2. Bad networks (the table of issue 14): 24 queued `ktp_baru` requests, each with one
//!    distinct 2 MiB PDF, sent by a device with the default configuration (as `ceria device
//!    sync` and the apps use it) through the proxy cutting the connection on average every
//!    4 MiB and every 1 MiB the device sends (seeded), and on a clean network in the same
//!    run. Every row checks that each request arrived exactly once with byte-identical files.
//! 3. Throughput: 1,000 small queued requests (one shared 10 KB file) synced directly.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ceria_core::protocol::{AttachmentRef, Operation, PushRequest, PushResponse, RequestPayload};
use ceria_core::{Catalog, Device, DeviceConfig};
use ceria_e2e::proxy::Proxy;
use ceria_test_support::{
    TestServer, device_config, example_form, nik as citizen_nik, queue_ktp, sync_until_done,
};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const REQUESTS: usize = 20;
const FILES: usize = 3;
const SIZE: usize = 2 * 1024 * 1024;
const MEAN_BREAK: u64 = 4 * 1024 * 1024;
const SEED: u64 = 4_242;
const PASSWORD: &str = "Pohon-Kelapa-Tinggi-3";

struct Outcome {
    sent: u64,
    breaks: u64,
    seconds: f64,
}

fn engine(server: &TestServer, proxy: &Proxy) -> Outcome {
    let dir = server.scratch("engine");
    let mut config = device_config(&dir.join("data"), &proxy.url());
    config.backoff_base_ms = 1;
    config.backoff_max_ms = 10;
    config.retry_pause_ms = 0;
    config.network_retries = 20;
    let device = Device::open_with(config).expect("device");
    device
        .register(
            &citizen_nik(100),
            "Siti Rahmawati",
            "081234567890",
            PASSWORD,
        )
        .expect("register");
    for r in 0..REQUESTS {
        queue_ktp(&device, &dir, FILES, SIZE, 1_000 + r as u64);
    }
    proxy.random_drops(SEED, Some(MEAN_BREAK));
    let (up, drops, started) = (proxy.bytes_up(), proxy.drops(), Instant::now());
    sync_until_done(&device, 10_000).expect("engine delivers");
    let outcome = Outcome {
        sent: proxy.bytes_up() - up,
        breaks: proxy.drops() - drops,
        seconds: started.elapsed().as_secs_f64(),
    };
    proxy.random_drops(SEED, None);
    let accepted = device
        .requests()
        .expect("requests")
        .iter()
        .filter(|r| r.tracking_code.is_some())
        .count();
    assert_eq!(accepted, REQUESTS);
    outcome
}

/// One whole-submission attempt: every file uploaded from byte 0 in one request, then the
/// submission. Any error means the whole submission is sent again.
fn whole_submission(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    files: &[(PathBuf, String)],
    op: &Operation,
) -> Result<(), String> {
    for (path, sha) in files {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let meta = format!("sha256 {}", B64.encode(sha.as_bytes()));
        let created = agent
            .post(format!("{url}/v1/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Authorization", format!("Bearer {token}"))
            .header("Upload-Length", bytes.len().to_string())
            .header("Upload-Metadata", meta)
            .send_empty()
            .map_err(|e| e.to_string())?;
        let location = created
            .headers()
            .get("Location")
            .and_then(|v| v.to_str().ok())
            .ok_or("no Location")?
            .to_string();
        let target = if location.starts_with("http") {
            location
        } else {
            format!("{url}{location}")
        };
        let r = agent
            .patch(target)
            .header("Tus-Resumable", "1.0.0")
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", "0")
            .send(&bytes[..])
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() != 204 {
            return Err(format!("PATCH {}", r.status()));
        }
    }
    let body = serde_json::to_vec(&PushRequest {
        operations: vec![op.clone()],
    })
    .map_err(|e| e.to_string())?;
    let mut r = agent
        .post(format!("{url}/v1/sync/push"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(&body[..])
        .map_err(|e| e.to_string())?;
    let answer: PushResponse =
        serde_json::from_slice(&r.body_mut().read_to_vec().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    match answer.results.first().map(|r| &r.outcome) {
        Some(ceria_core::protocol::OperationOutcome::Accepted { .. }) => Ok(()),
        other => Err(format!("not accepted: {other:?}")),
    }
}

fn whole_resend(server: &TestServer, proxy: &Proxy) -> Outcome {
    let dir = server.scratch("baseline");
    let nik = citizen_nik(101);
    let body = serde_json::json!({"nik": nik, "name": "Rahmat Hidayat", "phone": "081298765432", "password": PASSWORD});
    assert_eq!(
        server
            .call("POST", "/v1/accounts", None, Some(&body))
            .status,
        201
    );
    let token = server.login_with(&nik, PASSWORD);
    let (values, _) = example_form("ktp_baru");
    let catalog = Catalog::embedded();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let submissions: Vec<(Vec<(PathBuf, String)>, Operation)> = (0..REQUESTS)
        .map(|r| {
            let files: Vec<(PathBuf, String)> = (0..FILES)
                .map(|f| {
                    let path = dir.join(format!("b-{r}-{f}.jpg"));
                    ceria_test_support::write_file(&path, SIZE, 5_000 + (r * 10 + f) as u64);
                    let sha = hex::encode(Sha256::digest(std::fs::read(&path).expect("file")));
                    (path, sha)
                })
                .collect();
            let payload = RequestPayload {
                service: "ktp_baru".into(),
                catalog_version: catalog.version().to_string(),
                values: values.clone().into_iter().collect(),
                attachments: files
                    .iter()
                    .map(|(_, sha)| AttachmentRef {
                        requirement: "kk".into(),
                        sha256: sha.clone(),
                        size: SIZE as u64,
                        media_type: "image/jpeg".into(),
                    })
                    .collect(),
                village: values.get("desa").cloned().unwrap_or_default(),
                on_behalf_of: None,
            };
            let op = Operation::Submit {
                op_id: format!("baseline-{r}"),
                local_id: format!("baseline-local-{r}"),
                request: payload,
            };
            (files, op)
        })
        .collect();
    proxy.random_drops(SEED, Some(MEAN_BREAK));
    let (up, drops, started) = (proxy.bytes_up(), proxy.drops(), Instant::now());
    for (files, op) in &submissions {
        let mut attempts = 0;
        while let Err(e) = whole_submission(&agent, &proxy.url(), &token, files, op) {
            attempts += 1;
            assert!(attempts < 1_000, "baseline never got through: {e}");
        }
    }
    let outcome = Outcome {
        sent: proxy.bytes_up() - up,
        breaks: proxy.drops() - drops,
        seconds: started.elapsed().as_secs_f64(),
    };
    proxy.random_drops(SEED, None);
    outcome
}

const BAD_REQUESTS: usize = 24;
const PDF_SIZE: usize = 2 * 1024 * 1024;
const BAD_SEED: u64 = 1_414;

/// One row of the bad-network table.
struct BadRow {
    sent: u64,
    cuts: u64,
    seconds: f64,
}

/// A PDF-looking file of exactly `size` bytes, distinct per `seed`.
fn write_pdf(path: &Path, size: usize, seed: u64) {
    ceria_test_support::write_file(path, size, seed);
    let mut bytes = std::fs::read(path).expect("pdf");
    let head = b"%PDF-1.7\n";
    let tail = b"\n%%EOF\n";
    bytes[..head.len()].copy_from_slice(head);
    let end = bytes.len() - tail.len();
    bytes[end..].copy_from_slice(tail);
    std::fs::write(path, bytes).expect("pdf");
}

/// 24 requests with one 2 MiB PDF each, delivered by a device with the default configuration
/// through the proxy cutting on average every `mean` bytes (`None`: a clean network). Checks
/// that every request arrived once, with byte-identical files.
fn bad_network(server: &TestServer, proxy: &Proxy, row: u64, mean: Option<u64>) -> BadRow {
    let dir = server.scratch(&format!("bad-{row}"));
    let config = DeviceConfig::new(dir.join("data").to_string_lossy(), proxy.url());
    let device = Device::open_with(config).expect("device");
    let nik = citizen_nik(200 + row as u32);
    device
        .register(&nik, "Yusnita Dewi", "081233344455", PASSWORD)
        .expect("register");
    let (values, _) = example_form("ktp_baru");
    for r in 0..BAD_REQUESTS {
        let draft = device.create_draft("ktp_baru").expect("draft");
        device
            .set_values(&draft.id, values.clone())
            .expect("values");
        let pdf = dir.join(format!("kk-{r}.pdf"));
        write_pdf(&pdf, PDF_SIZE, 90_000 + row * 1_000 + r as u64);
        device
            .attach(&draft.id, "kk", &pdf.to_string_lossy(), "application/pdf")
            .expect("attach");
        device.finalise(&draft.id).expect("finalise");
    }
    let officer = server.officer();
    let already = server.requests(&officer).len();
    proxy.random_drops(BAD_SEED, mean);
    let (up, drops, started) = (proxy.bytes_up(), proxy.drops(), Instant::now());
    sync_until_done(&device, 10_000).expect("delivered");
    let outcome = BadRow {
        sent: proxy.bytes_up() - up,
        cuts: proxy.drops() - drops,
        seconds: started.elapsed().as_secs_f64(),
    };
    proxy.random_drops(BAD_SEED, None);

    // Exactly once, byte-identical.
    let on_server = server.requests(&officer);
    assert_eq!(
        on_server.len() - already,
        BAD_REQUESTS,
        "lost or duplicated"
    );
    let local = device.requests().expect("requests");
    assert_eq!(local.len(), BAD_REQUESTS);
    for summary in &local {
        let code = summary.tracking_code.as_deref().expect("accepted");
        let matching: Vec<_> = on_server
            .iter()
            .filter(|r| r["tracking_code"] == code)
            .collect();
        assert_eq!(matching.len(), 1, "{code} on the server once");
        let id = matching[0]["id"].as_str().expect("id");
        let info = device.request(&summary.id).expect("request");
        assert_eq!(info.attachments.len(), 1);
        for a in &info.attachments {
            let bytes = server.attachment(&officer, id, &a.sha256);
            assert!(
                bytes == device.attachment_content(&a.id).expect("local file"),
                "{code}: file differs"
            );
        }
    }
    outcome
}

fn thousand_small(server: &TestServer) -> (f64, usize) {
    let dir = server.scratch("small");
    let device =
        Device::open_with(device_config(&dir.join("data"), &server.base_url())).expect("device");
    device
        .register(&citizen_nik(102), "Nurul Aini", "081377788899", PASSWORD)
        .expect("register");
    let (values, _) = example_form("ktp_baru");
    let photo: &Path = &dir.join("kk.jpg");
    ceria_test_support::write_file(photo, 10_000, 7);
    for _ in 0..1_000 {
        let draft = device.create_draft("ktp_baru").expect("draft");
        device
            .set_values(&draft.id, values.clone())
            .expect("values");
        device
            .attach(&draft.id, "kk", &photo.to_string_lossy(), "image/jpeg")
            .expect("attach");
        device.finalise(&draft.id).expect("finalise");
    }
    let started = Instant::now();
    sync_until_done(&device, 100).expect("sync");
    let seconds = started.elapsed().as_secs_f64();
    let delivered = device
        .requests()
        .expect("requests")
        .iter()
        .filter(|r| r.tracking_code.is_some())
        .count();
    (seconds, delivered)
}

fn main() {
    // Hundreds of requests from one account: lift the per-account quotas.
    let server = TestServer::start_with(|c| {
        c.max_requests_per_day = 100_000;
        c.max_unattached_files = 100_000;
        // The whole-resend baseline opens a new upload on every attempt.
        c.max_open_uploads = 100_000;
    });
    let proxy = Proxy::start(server.addr()).expect("proxy");
    let payload = (REQUESTS * FILES * SIZE) as f64;

    let ours = engine(&server, &proxy);
    let base = whole_resend(&server, &proxy);
    println!(
        "## Wire efficiency ({REQUESTS} requests x {FILES} x 2 MiB, breaks on average every 4 MiB, seed {SEED})"
    );
    println!();
    println!("| strategy | device bytes sent | sent / payload | breaks | wall time |");
    println!("|---|---:|---:|---:|---:|");
    for (name, o) in [
        ("Ceria engine (tus, 256 KiB chunks, resume)", &ours),
        ("whole-resend baseline (OpenRosa-style)", &base),
    ] {
        println!(
            "| {name} | {:.1} MiB | {:.3} | {} | {:.1} s |",
            o.sent as f64 / 1048576.0,
            o.sent as f64 / payload,
            o.breaks,
            o.seconds
        );
    }
    let file_bytes = (BAD_REQUESTS * PDF_SIZE) as f64;
    let clean = bad_network(&server, &proxy, 0, None);
    let rows = [
        (
            4u64,
            1.02,
            2.0,
            bad_network(&server, &proxy, 1, Some(4 * 1024 * 1024)),
        ),
        (
            1u64,
            1.05,
            3.0,
            bad_network(&server, &proxy, 2, Some(1024 * 1024)),
        ),
    ];
    println!();
    println!(
        "## Bad networks ({BAD_REQUESTS} requests x one distinct 2 MiB PDF, default device configuration, seed {BAD_SEED})"
    );
    println!();
    println!(
        "| cuts on average every | bytes sent / file bytes | cuts | wall time | clean network, same run | time / clean | targets |"
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    println!(
        "| never (clean) | {:.3} | {} | {:.1} s | {:.1} s | 1.0x | |",
        clean.sent as f64 / file_bytes,
        clean.cuts,
        clean.seconds,
        clean.seconds
    );
    for (mib, max_ratio, max_factor, row) in &rows {
        let ratio = row.sent as f64 / file_bytes;
        let factor = row.seconds / clean.seconds;
        let met = ratio <= *max_ratio && factor <= *max_factor;
        println!(
            "| {mib} MiB | {ratio:.3} | {} | {:.1} s | {:.1} s | {factor:.1}x | <= {max_ratio}, <= {max_factor}x: {} |",
            row.cuts,
            row.seconds,
            clean.seconds,
            if met { "met" } else { "MISSED" }
        );
    }
    println!(
        "All {BAD_REQUESTS} requests arrived exactly once with byte-identical files in every row."
    );

    let (seconds, delivered) = thousand_small(&server);
    println!();
    println!("## 1,000 small queued requests (loopback, no faults)");
    println!();
    println!(
        "{delivered} delivered in {seconds:.2} s = {:.0} requests/s",
        delivered as f64 / seconds
    );
}
