//! On-device store speed: listing 10,000 requests, opening one request's detail, and an
//! autosave with live validation. Offline (a stub transport only answers the login).
//! Run: `cargo bench -p ceria-core --features device --bench store`.

use ceria_core::device::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use ceria_core::{Device, DeviceConfig};
use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;

/// Answers the login; every other call finds no network.
struct LoginOnly;

impl Transport for LoginOnly {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.method == "POST" && request.url.ends_with("/v1/sessions") {
            let body = serde_json::json!({
                "token": "bench",
                "expires_at_ms": 4_000_000_000_000i64,
                "user": {"id": "u1", "username": "1305021005090003", "name": "Andika Pratama",
                         "role": "citizen", "village": null}
            });
            return Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body: body.to_string().into_bytes(),
            });
        }
        Err(TransportError::Connect("offline".into()))
    }
}

#[path = "../tests/fixtures/example_form.rs"]
mod example_form;

/// The valid example form of `ktp_baru` from the catalog fixtures.
fn ktp_form() -> (HashMap<String, String>, Vec<String>) {
    example_form::example_form("ktp_baru")
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = DeviceConfig::new(
        dir.path().join("data").to_string_lossy(),
        "http://offline.invalid",
    );
    let device =
        Device::open_with_transport(config, Arc::new(LoginOnly)).unwrap_or_else(|e| panic!("{e}"));
    device
        .login("1305021005090003", "x")
        .unwrap_or_else(|e| panic!("{e}"));
    let (values, attachments) = ktp_form();
    let photo = dir.path().join("kk.jpg");
    std::fs::write(&photo, vec![0xFFu8; 50_000]).unwrap_or_else(|e| panic!("{e}"));

    let started = std::time::Instant::now();
    let mut last = String::new();
    for _ in 0..10_000 {
        let draft = device
            .create_draft("ktp_baru")
            .unwrap_or_else(|e| panic!("{e}"));
        device
            .set_values(&draft.id, values.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        for a in &attachments {
            device
                .attach(&draft.id, a, &photo.to_string_lossy(), "image/jpeg")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        last = device
            .finalise(&draft.id)
            .unwrap_or_else(|e| panic!("{e}"))
            .id;
    }
    eprintln!(
        "created 10,000 finalised requests in {:.1} s ({:.0} finalise/s including draft, autosave and attach)",
        started.elapsed().as_secs_f64(),
        10_000.0 / started.elapsed().as_secs_f64()
    );

    c.bench_function("store/list_10000_requests", |b| {
        b.iter(|| black_box(device.requests().unwrap_or_default().len()))
    });
    c.bench_function("store/request_detail", |b| {
        b.iter(|| black_box(device.request(&last).map(|r| r.timeline.len()).unwrap_or(0)))
    });
    let draft = device
        .create_draft("ktp_baru")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut n = 0u32;
    c.bench_function("store/set_values_autosave_and_validate", |b| {
        b.iter(|| {
            n += 1;
            let mut change = values.clone();
            change.insert("telepon".into(), format!("0812345{:05}", n % 100_000));
            black_box(
                device
                    .set_values(&draft.id, change)
                    .map(|r| r.valid)
                    .unwrap_or(false),
            )
        })
    });
}

criterion_group!(benches, store);
criterion_main!(benches);
