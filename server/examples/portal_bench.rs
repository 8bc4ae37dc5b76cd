//! Citizens' desktop link benchmark (issue 13 "Numbers"): server time and weight of a public
//! service page, and the round trip of one field's live check of the request form. Release
//! build, in-process server on loopback, SQLite. The times are client round trips on loopback
//! (HTTP included, so upper bounds of the server's time).
//!
//! ```sh
//! cargo run --release -p ceria-server --example portal_bench [-- --rounds 1000]
//! ```

mod common;

use ceria_core::Catalog;
use ceria_test_support::web::{Browser, csrf_in};
use ceria_test_support::{PASSWORD, TestServer, nik};
use common::{arg, quantile_ms};
use std::time::{Duration, Instant};

/// p50 and p99 of `times`, in milliseconds.
fn p50_p99(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    (quantile_ms(&times, 0.50), quantile_ms(&times, 0.99))
}

/// The KTP-el form of a 2008-born citizen, as the form's script posts it (every value).
const KTP_VALUES: &[(&str, &str)] = &[
    ("v.nama", "Yuliana Putri"),
    ("v.tempat_lahir", "Padang Pariaman"),
    ("v.tanggal_lahir", "2008-06-21"),
    ("v.jenis_kelamin", "P"),
    ("v.nomor_kk", "1305080302110005"),
    ("v.status_kawin", "1"),
    ("v.sudah_rekam", "true"),
    ("v.pengambilan", "nagari"),
    ("v.telepon", "081234567890"),
];

fn main() {
    let rounds = arg("--rounds", 1000);
    let ts = TestServer::start();
    let mut b = Browser::new(&ts);
    let catalog = Catalog::embedded();

    // Public service pages: the heaviest of the catalog's services, then its timings.
    let mut heaviest = (String::new(), 0usize);
    for s in catalog.services() {
        let page = b.get(&format!("/layanan/standar/{}", s.id));
        assert_eq!(page.status, 200, "{}", s.id);
        if page.body.len() > heaviest.1 {
            heaviest = (s.id.clone(), page.body.len());
        }
    }
    let path = format!("/layanan/standar/{}", heaviest.0);
    let page = b.get(&path);
    let assets: usize = page
        .body
        .split("\"/console/assets/")
        .skip(1)
        .map(|rest| {
            let name = rest.split('"').next().unwrap_or_default();
            b.get(&format!("/console/assets/{name}")).body.len()
        })
        .sum();
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let r = b.get(&path);
        times.push(t.elapsed());
        assert_eq!(r.status, 200);
    }
    let (p50, p99) = p50_p99(times);
    println!(
        "public service page {path} (heaviest of {}): p50 {p50:.2} ms, p99 {p99:.2} ms",
        catalog.services().len()
    );
    println!(
        "its weight: HTML {} B + CSS/JS {assets} B = {:.1} KB (uncompressed)",
        heaviest.1,
        (heaviest.1 + assets) as f64 / 1024.0
    );

    // One field's live check: a signed-in citizen's KTP-el draft, the NIK typed.
    let citizen = nik(7);
    ts.citizen(&citizen, "Yuliana Putri");
    b.citizen_sign_in(&citizen, PASSWORD);
    let csrf = csrf_in(&b.get("/layanan/akun").body);
    let started = b.post(
        "/layanan/permohonan/baru",
        &[("_csrf", &csrf), ("service", "ktp_baru")],
    );
    let draft = started.location.expect("the new draft's page");
    let check = format!("{draft}/cek");
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        // The NIK as typed so far: a different value each time (the draft is saved each time).
        let typed = &citizen[..8 + i % 9];
        let mut form = vec![("_csrf", csrf.as_str()), ("v.nik", typed)];
        form.extend_from_slice(KTP_VALUES);
        let t = Instant::now();
        let r = b.post(&check, &form);
        times.push(t.elapsed());
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let (p50, p99) = p50_p99(times);
    println!("live check of one field (NIK) on {check}: p50 {p50:.2} ms, p99 {p99:.2} ms");
}
