//! Web form benchmark: the round trip of one live check (`POST /layanan/draf/{id}/cek`: the
//! form's values saved into the server draft, checked with the core's validation and the
//! push's rules, answered as JSON) on loopback, as the form's script makes it when a field is
//! left. In-process server, SQLite, a KTP-el Baru form with a KK photo attached.
//!
//! ```sh
//! cargo run --release -p ceria-server --example form_bench [-- --rounds 1000]
//! ```

use ceria_test_support::web::{Browser, csrf_in};
use ceria_test_support::{PASSWORD, TestServer, example_form, jpeg_bytes, nik};
use std::time::Instant;

fn main() {
    let rounds = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000usize);
    let ts = TestServer::start();
    ts.citizen(&nik(1), "Beban Uji");
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&nik(1), PASSWORD);
    let csrf = csrf_in(&b.get("/layanan/permohonan/baru").body);
    let draft = b
        .post(
            "/layanan/permohonan/baru",
            &[("_csrf", &csrf), ("service", "ktp_baru")],
        )
        .location
        .expect("a draft");
    let values: Vec<(String, String)> = example_form("ktp_baru")
        .0
        .into_iter()
        .map(|(k, v)| (format!("v.{k}"), v))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("_csrf", &csrf), ("action", "save")];
    fields.extend(values.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // A KK photo posted without the script, as most drafts will carry one.
    let photo = jpeg_bytes(3, 200_000);
    let boundary = "bench-boundary-7Qk";
    let mut body = Vec::new();
    for (k, v) in &fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .into_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file.kk\"; filename=\"kk.jpg\"\r\n\r\n").into_bytes(),
    );
    body.extend_from_slice(&photo);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let kind = format!("multipart/form-data; boundary={boundary}");
    let saved = b.send_body("POST", &draft, Some(&kind), body, &[]);
    assert_eq!(saved.status, 303, "{}", saved.body);

    let check = format!("{draft}/cek");
    let mut times = Vec::with_capacity(rounds);
    for i in 0..rounds {
        // Alternate a mistake and its fix, as a person typing.
        let name = if i % 2 == 0 {
            "Andika Pratama, S.Kom"
        } else {
            "Andika Pratama"
        };
        let mut live = fields.clone();
        live.retain(|(k, _)| *k != "v.nama");
        live.push(("v.nama", name));
        let t = Instant::now();
        let answer = b.post(&check, &live);
        times.push(t.elapsed());
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(
            answer.body.contains("\"nama\":{"),
            i % 2 == 0,
            "{}",
            answer.body
        );
    }
    times.sort();
    let ms = |p: f64| {
        times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "live check of one field ({rounds} rounds, draft saved each time): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(0.50),
        ms(0.99),
        ms(1.0)
    );
}
