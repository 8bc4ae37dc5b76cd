//! Crash test: a child process (`crashsync`) syncing through a proxy that drops connections is
//! killed with SIGKILL at random moments, at least 200 times, while the parent keeps adding
//! work between runs (new requests, cancellations, revisions of returned requests, reviewer
//! decisions). Afterwards the server holds every finalised request exactly once, every file
//! is byte-identical, and device and server agree on every state. Seeded and bounded.

use ceria_core::protocol::Role;
use ceria_core::{Device, LocalState};
use ceria_e2e::crash::crash_config;
use ceria_e2e::proxy::Proxy;
use ceria_test_support::{TestServer, nik as citizen_nik, queue_ktp, write_file};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const SEED: u64 = 20_261_129;
const KILLS: usize = 200;
const PASSWORD: &str = "Pohon-Kelapa-Tinggi-3";

fn spawn(data: &Path, url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_crashsync"))
        .arg(data)
        .arg(url)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("child starts")
}

/// Work added while no child runs: new requests, a cancellation, revisions of returned
/// requests, and a reviewer deciding on a few submitted ones.
fn add_work(
    device: &Device,
    server: &TestServer,
    officer: &str,
    scratch: &Path,
    rng: &mut StdRng,
    round: u64,
) {
    for i in 0..2 {
        // Every third request reuses an earlier file: stored and uploaded once.
        let seed = if i == 1 && round.is_multiple_of(3) {
            1
        } else {
            round * 10 + i
        };
        queue_ktp(
            device,
            scratch,
            1 + (seed % 2) as usize,
            30_000 + (seed % 5) as usize * 12_000,
            seed,
        );
    }
    let requests = device.requests().expect("requests");
    let cancel_one = rng.random_bool(0.3);
    if let Some(r) = requests
        .iter()
        .find(|r| device.request(&r.id).map(|i| i.can_cancel).unwrap_or(false))
        && cancel_one
    {
        device.cancel(&r.id).expect("cancel");
    }
    for r in requests.iter().filter(|r| r.state == LocalState::Returned) {
        let draft = device.revise(&r.id).expect("revise");
        let mut values = HashMap::new();
        values.insert("telepon".to_string(), format!("08123{:07}", round));
        device.set_values(&draft.id, values).expect("values");
        if draft.attachments.len() < 4 {
            let extra = scratch.join(format!("extra-{round}-{}.jpg", r.id));
            write_file(&extra, 12_000, round * 1000 + 7);
            device
                .attach(&draft.id, "kk", &extra.to_string_lossy(), "image/jpeg")
                .expect("attach");
        }
        device.finalise(&draft.id).expect("finalise revision");
    }
    let on_server = server.requests(officer);
    for r in on_server
        .iter()
        .filter(|r| r["state"] == "submitted")
        .take(2)
    {
        let id = r["id"].as_str().unwrap();
        let body = if rng.random_bool(0.5) {
            json!({"to": "verified"})
        } else {
            json!({"to": "returned", "reasons": [{"target": "kk", "message": "Foto kurang jelas"}]})
        };
        assert_eq!(server.transition(officer, id, body).status, 200);
    }
}

#[test]
fn sigkill_during_sync_loses_and_duplicates_nothing() {
    // One citizen files dozens of requests of one service, and each kill may leave an upload
    // behind: lift the per-account quotas (this test is about crash safety).
    let server = TestServer::start_with(|c| {
        c.max_requests_per_day = 10_000;
        c.max_open_uploads = 10_000;
        c.max_unattached_files = 10_000;
    });
    server.create_staff(Role::Officer, "petugas.kedua", "Lemari-Arsip-Hijau-4", None);
    let officer = server.login_with("petugas.kedua", "Lemari-Arsip-Hijau-4");
    let proxy = Proxy::start(server.addr()).unwrap();
    proxy.random_drops(SEED, Some(100_000));
    let scratch = server.scratch("files");
    let data = server.scratch("device").join("data");
    let mut rng = StdRng::seed_from_u64(SEED);

    {
        let device = Device::open_with(crash_config(&data, &proxy.url())).unwrap();
        device
            .register(&citizen_nik(42), "Nurul Aini", "081377788899", PASSWORD)
            .unwrap();
        for seed in 1..=12 {
            queue_ktp(&device, &scratch, 1 + (seed % 3) as usize, 30_000, seed);
        }
    }

    let started = Instant::now();
    let (mut kills, mut finished, mut round) = (0usize, 0usize, 0u64);
    while kills < KILLS {
        round += 1;
        if round % 10 == 0 {
            let device = Device::open_with(crash_config(&data, &proxy.url())).unwrap();
            add_work(&device, &server, &officer, &scratch, &mut rng, round);
        }
        let mut child = spawn(&data, &proxy.url());
        std::thread::sleep(Duration::from_millis(rng.random_range(1..70)));
        match child.try_wait().expect("child status") {
            Some(status) => {
                assert!(status.success(), "child failed: {status}");
                finished += 1;
            }
            None => {
                child.kill().expect("SIGKILL");
                child.wait().expect("reaped");
                kills += 1;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "crash test over budget"
        );
    }
    // Let it finish in peace (the proxy still drops connections).
    let status = spawn(&data, &proxy.url()).wait().expect("final run");
    assert!(status.success(), "final sync: {status}");
    eprintln!(
        "crash test: {kills} kills, {finished} runs finished on their own, {round} rounds, {} proxy drops, {:.1} s",
        proxy.drops(),
        started.elapsed().as_secs_f64()
    );

    let device = Device::open_with(crash_config(&data, &proxy.url())).unwrap();
    let local = device.requests().unwrap();
    let on_server = server.requests(&officer);
    let mut by_code: HashMap<String, serde_json::Value> = HashMap::new();
    for r in &on_server {
        let code = r["tracking_code"].as_str().unwrap().to_string();
        assert!(
            by_code.insert(code, r.clone()).is_none(),
            "a request stored twice"
        );
    }
    let sent: Vec<_> = local.iter().filter(|r| r.tracking_code.is_some()).collect();
    assert_eq!(
        sent.len(),
        on_server.len(),
        "every finalised request exactly once"
    );
    for r in &local {
        let info = device.request(&r.id).unwrap();
        let Some(code) = &info.tracking_code else {
            // Never reached the server: only a local cancellation may leave it so.
            assert_eq!(info.state, LocalState::Cancelled, "{info:?}");
            continue;
        };
        let srv = &by_code[code];
        assert_eq!(
            srv["state"].as_str().unwrap(),
            info.state.code(),
            "{code} disagrees"
        );
        let id = srv["id"].as_str().unwrap();
        let detail = server.detail(&officer, id);
        let mut server_shas: Vec<String> = detail["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["sha256"].as_str().unwrap().to_string())
            .collect();
        let mut local_shas: Vec<String> =
            info.attachments.iter().map(|a| a.sha256.clone()).collect();
        server_shas.sort();
        local_shas.sort();
        assert_eq!(server_shas, local_shas, "{code}: attachments differ");
        for sha in &server_shas {
            let bytes = server.attachment(&officer, id, sha);
            assert_eq!(&hex::encode(Sha256::digest(&bytes)), sha);
        }
    }
    assert!(local.len() >= 12 + 2 * (round as usize / 10));
}
