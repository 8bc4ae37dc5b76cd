//! The citizens' desktop link over HTTP (`/layanan/`): the public catalog and service
//! standards (every requirement of every service, ETag and 304), the status check (right
//! pair, wrong pair answered as an unknown code, its limits), registration with the API's
//! checks, sign-in with the NIK and sign-out, CSRF refusals, a citizen kept out of the
//! staff console (404), the citizen's requests (reasons next to what they name, escaped;
//! cancel; document and pickup when completed).

use ceria_core::Catalog;
use ceria_core::protocol::Role;
use ceria_test_support::web::*;
use ceria_test_support::*;
use serde_json::json;

/// A request of the citizen `token` in VILLAGE_X: (server id, receipt code, NIK it is for).
fn request_of(ts: &TestServer, token: &str) -> (String, String, String) {
    let fx = fixture();
    let results = ts.push(token, &[submit(&payload(ts, token, &fx, VILLAGE_X, None))]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let id = results[0]["request_id"].as_str().unwrap().to_string();
    let code = results[0]["tracking_code"].as_str().unwrap().to_string();
    let detail = ts.detail(&ts.officer(), &id);
    let nik = detail["request"]["citizen_nik"]
        .as_str()
        .unwrap()
        .to_string();
    (id, code, nik)
}

#[test]
fn the_catalog_and_every_service_standard_are_public_and_cacheable() {
    let ts = TestServer::start();
    let mut b = Browser::new(&ts);
    let catalog = Catalog::embedded();
    let index = b.get("/layanan/");
    assert_eq!(index.status, 200);
    assert!(
        index
            .body
            .starts_with("<!doctype html>\n<html lang=\"id\">"),
        "{}",
        index.body
    );
    assert!(
        index.body.contains("<title>Layanan Adminduk Daring"),
        "{}",
        index.body
    );
    for g in catalog.groups() {
        assert!(index.body.contains(&escaped(&g.name.id)), "group {}", g.id);
    }
    assert_eq!(catalog.services().len(), 17);
    for s in catalog.services() {
        assert!(
            index.body.contains(&format!("/layanan/standar/{}", s.id)),
            "{}",
            s.id
        );
        let page = b.get(&format!("/layanan/standar/{}", s.id));
        assert_eq!(page.status, 200, "{}", s.id);
        assert!(
            page.body
                .contains(&format!("<title>{} · ", escaped(&s.name.id))),
            "{}",
            s.id
        );
        let expected = s
            .attachments
            .iter()
            .flat_map(|a| [Some(&a.label.id), a.hint.as_ref().map(|h| &h.id)])
            .chain(
                s.fields
                    .iter()
                    .filter(|f| f.calculate.is_none())
                    .map(|f| Some(&f.label.id)),
            )
            .flatten()
            .chain([&s.eligibility.id, &s.output.id])
            .chain(s.legal_basis.iter());
        for text in expected {
            assert!(page.body.contains(&escaped(text)), "{}: {text}", s.id);
        }
        assert!(
            page.body
                .contains(&format!("{} hari sejak", s.service_days)),
            "{}",
            s.id
        );
        assert!(page.body.contains("Gratis") || s.fee > 0, "{}", s.id);
    }
    // Cacheable: an ETag from the catalog's hash and the language, a 304 when unchanged.
    let page = b.get("/layanan/standar/ktp_baru");
    let etag = page
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(etag.contains(catalog.hash()), "{etag}");
    assert!(
        page.headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("public")
    );
    let again = b.get_with("/layanan/standar/ktp_baru", &[("if-none-match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // English is another page with another tag.
    let switched = b.get("/layanan/bahasa/en?back=/layanan/standar/ktp_baru");
    assert_eq!(
        switched.location.as_deref(),
        Some("/layanan/standar/ktp_baru")
    );
    assert!(
        switched.cookies[0].contains("Path=/layanan"),
        "{:?}",
        switched.cookies
    );
    let en = b.get_with("/layanan/standar/ktp_baru", &[("if-none-match", &etag)]);
    assert_eq!(en.status, 200);
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Who may apply"));
    // No open redirect through the switch; an unknown service is a 404.
    let away = b.get("/layanan/bahasa/id?back=//evil.example/");
    assert_eq!(away.location.as_deref(), Some("/layanan/"));
    let missing = b.get("/layanan/standar/tidak_ada");
    assert_eq!(missing.status, 404);
    // In the citizens' layout, with their navigation: no link into the console.
    assert!(
        missing.body.contains("<a href=\"/layanan/cek\">")
            && missing.body.contains("/layanan/bahasa/")
            && !missing.body.contains("href=\"/console/\"")
            && !missing.body.contains("<a href=\"/console"),
        "{}",
        missing.body
    );
    // So is a path no page takes.
    let nowhere = b.get("/layanan/tidak/ada");
    assert_eq!(nowhere.status, 404);
    assert!(
        nowhere.body.contains("<a href=\"/layanan/cek\">"),
        "{}",
        nowhere.body
    );
    let services = b.get("/layanan/standar/ktp_baru");
    assert!(
        services
            .body
            .contains("<a href=\"/layanan/\" aria-current=\"page\">")
    );
    assert_eq!(b.get("/layanan/aplikasi").status, 200);
}

#[test]
fn the_status_check_needs_the_nik_digits_and_is_limited() {
    let ts = TestServer::start();
    let citizen = ts.citizen(&nik(1), "Siti Rahma");
    let (_, code, person) = request_of(&ts, &citizen);
    let last4 = &person[person.len() - 4..];
    let wrong4 = if last4 == "0000" { "1111" } else { "0000" };
    let mut b = Browser::new(&ts);
    assert_eq!(b.get("/layanan/cek").status, 200);
    let right = b.post(
        "/layanan/cek",
        &[("kode", &code.to_lowercase()), ("nik4", last4)],
    );
    assert_eq!(right.status, 200, "{}", right.body);
    let service = Catalog::embedded()
        .service(&fixture().service)
        .unwrap()
        .name
        .id
        .clone();
    assert!(
        right.body.contains("Diajukan") && right.body.contains(&escaped(&service)),
        "{}",
        right.body
    );
    assert!(!right.body.contains(&person) && !right.body.contains("Siti"));
    // A wrong pair is answered exactly as an unknown code.
    let wrong = b.post("/layanan/cek", &[("kode", &code), ("nik4", wrong4)]);
    let unknown = b.post("/layanan/cek", &[("kode", "CR-2222-2222"), ("nik4", last4)]);
    assert_eq!((wrong.status, unknown.status), (404, 404));
    let strip = |p: &Page| p.body.replace(&code, "").replace("CR-2222-2222", "");
    assert_eq!(strip(&wrong), strip(&unknown));
    assert!(!wrong.body.contains("Diajukan"));
    // Ten tries on one code in a minute, from anywhere, and it waits.
    for _ in 0..8 {
        assert_eq!(
            b.post("/layanan/cek", &[("kode", &code), ("nik4", wrong4)])
                .status,
            404
        );
    }
    let limited = b.post("/layanan/cek", &[("kode", &code), ("nik4", last4)]);
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(limited.headers.get("retry-after").is_some());
    assert!(limited.body.contains("Terlalu banyak pemeriksaan"));
    // Twenty tries per address in a minute, whatever the codes.
    let ts = TestServer::start();
    let mut b = Browser::new(&ts);
    for i in 0..20 {
        let code = format!(
            "CR-3333-{:0>4}",
            ["2345", "6789", "ABCD", "EFGH", "JKMN"][i % 5]
        );
        let p = b.post(
            "/layanan/cek",
            &[("kode", &format!("{code}{i}")), ("nik4", "1234")],
        );
        assert_eq!(p.status, 404, "try {i}");
    }
    assert_eq!(
        b.post(
            "/layanan/cek",
            &[("kode", "CR-4444-4444"), ("nik4", "1234")]
        )
        .status,
        429
    );
}

#[test]
fn register_sign_in_and_out_with_the_apis_checks() {
    let ts = TestServer::start();
    let mut b = Browser::new(&ts);
    // The API's checks, worded next to the fields; what was typed comes back escaped.
    let bad = b.post_form(
        "/layanan/daftar",
        &[
            ("nik", "1234"),
            ("name", "Dr. <b>Siti</b>"),
            ("phone", "0812"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body
            .contains("aria-invalid=\"true\" aria-describedby=\"nik-error\""),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("value=\"Dr. &#60;b&#62;Siti&#60;/b&#62;\""),
        "{}",
        bad.body
    );
    assert!(
        !bad.body.contains("<b>Siti") && !bad.body.contains("{label}"),
        "{}",
        bad.body
    );
    let weak = b.post_form(
        "/layanan/daftar",
        &[
            ("nik", &nik(2)),
            ("name", "Siti Rahma"),
            ("phone", "0812 3456 7890"),
            ("password", "siti1234"),
        ],
    );
    assert_eq!(weak.status, 422, "{}", weak.body);
    assert!(weak.body.contains("password-error"), "{}", weak.body);
    // Without the form's token: refused.
    let mut c = Browser::new(&ts);
    let forged = c.post(
        "/layanan/daftar",
        &[
            ("nik", &nik(2)),
            ("name", "Siti Rahma"),
            ("phone", "081234567890"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(forged.status, 403);
    // Registered, signed in, and the account is the API's.
    let ok = b.post_form(
        "/layanan/daftar",
        &[
            ("nik", &nik(2)),
            ("name", "Siti Rahma"),
            ("phone", "0812 3456 7890"),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (303, Some("/layanan/akun")),
        "{}",
        ok.body
    );
    let session = ok
        .cookies
        .iter()
        .find(|c| c.starts_with("ceria_citizen="))
        .unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/layanan"] {
        assert!(session.contains(attr), "{session}");
    }
    let account = b.get("/layanan/akun");
    assert_eq!(account.status, 200);
    assert!(account.body.contains("Siti Rahma") && account.body.contains(&nik(2)));
    assert_eq!(account.headers.get("cache-control").unwrap(), "no-store");
    ts.login(&nik(2));
    let again = b.get("/layanan/daftar");
    assert_eq!(
        again.location.as_deref(),
        Some("/layanan/permohonan"),
        "signed in already"
    );
    // Sign out needs the session's token, then ends the session on the server.
    let stolen = b.cookies.clone();
    assert_eq!(b.post("/layanan/keluar", &[("_csrf", "salah")]).status, 403);
    let token = csrf_in(&b.get("/layanan/akun").body);
    let out = b.post("/layanan/keluar", &[("_csrf", &token)]);
    assert_eq!(out.location.as_deref(), Some("/layanan/"));
    b.cookies = stolen;
    assert_eq!(
        b.get("/layanan/akun").location.as_deref(),
        Some("/layanan/masuk")
    );
    // Sign in with the NIK, typed in groups.
    let mut d = Browser::new(&ts);
    let spaced = format!(
        "{} {} {} {}",
        &nik(2)[..4],
        &nik(2)[4..8],
        &nik(2)[8..12],
        &nik(2)[12..]
    );
    let p = d.citizen_sign_in(&spaced, PASSWORD);
    assert_eq!(
        (p.status, p.location.as_deref()),
        (303, Some("/layanan/permohonan"))
    );
    let wrong = Browser::new(&ts).post_form(
        "/layanan/masuk",
        &[("nik", &nik(2)), ("password", "salah-sekali-1")],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("role=\"alert\""));
}

#[test]
fn citizens_never_reach_the_console_and_staff_not_the_portal() {
    let ts = TestServer::start();
    ts.citizen(&nik(3), "Siti Rahma");
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&nik(3), PASSWORD);
    let token = b.cookie("ceria_citizen").unwrap();
    // The citizen's token, even put into the console's cookie, reaches no staff page.
    let mut console = Browser::new(&ts);
    console.cookies.push(("ceria_session".into(), token));
    for path in ["/console/", "/console/requests", "/console/admin/"] {
        assert_eq!(console.get(path).status, 404, "{path}");
    }
    // Staff sign in at the console, not here; a staff token is no citizen session.
    let mut staff = Browser::new(&ts);
    let p = staff.post_form("/layanan/masuk", &[("nik", "op.x"), ("password", PASSWORD)]);
    assert_eq!(p.status, 403);
    staff
        .cookies
        .push(("ceria_citizen".into(), ts.login("op.x")));
    assert_eq!(
        staff.get("/layanan/permohonan").location.as_deref(),
        Some("/layanan/masuk")
    );
}

#[test]
fn my_requests_show_reasons_cancel_and_the_document() {
    let ts = TestServer::start();
    let citizen = ts.citizen(&nik(4), "Siti Rahma");
    let (returned, returned_code, _) = request_of(&ts, &citizen);
    let (completed, _, _) = request_of(&ts, &citizen);
    let other = ts.citizen(&nik(5), "Rina Putri");
    let (others, _, _) = request_of(&ts, &other);
    let operator = ts.staff(Role::Operator, "op.x", Some(VILLAGE_X));
    let officer = ts.officer();
    let requirement = fixture().attachments[0].clone();
    let script = "<script>alert(1)</script> foto KK buram";
    let r = ts.transition(
        &operator,
        &returned,
        json!({"to": "returned", "reasons": [{"target": requirement, "message": script}]}),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    for body in [
        json!({"to": "verified"}),
        json!({"to": "processing"}),
        json!({"to": "completed", "document": {"number": "1305-KTP-0001", "pickup": "Kantor <i>nagari</i>"}}),
    ] {
        let who = if body["to"] == "verified" {
            &operator
        } else {
            &officer
        };
        assert_eq!(ts.transition(who, &completed, body).status, 200);
    }
    let mut b = Browser::new(&ts);
    assert_eq!(
        b.get("/layanan/permohonan").location.as_deref(),
        Some("/layanan/masuk")
    );
    b.citizen_sign_in(&nik(4), PASSWORD);
    let list = b.get("/layanan/permohonan");
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains(&returned_code) && list.body.contains("Dikembalikan"),
        "{}",
        list.body
    );
    // The reason next to its attachment, escaped.
    let page = b.get(&format!("/layanan/permohonan/{returned}"));
    assert_eq!(page.status, 200);
    let shown = escaped(script);
    let label = Catalog::embedded()
        .attachment(&fixture().service, &requirement)
        .unwrap()
        .label
        .id
        .clone();
    let next_to = format!(
        "{}: 1 berkas<span class=\"field-error\">{shown}</span>",
        escaped(&label)
    );
    assert!(page.body.contains(&next_to), "{next_to}\n{}", page.body);
    assert!(!page.body.contains("<script>alert"));
    // Another citizen's request does not exist for this one.
    assert_eq!(b.get(&format!("/layanan/permohonan/{others}")).status, 404);
    // Cancel: the session's token, then through the workflow (a completed one stays).
    let cancel = format!("/layanan/permohonan/{returned}/batal");
    assert_eq!(b.post(&cancel, &[]).status, 403);
    let token = csrf_in(&page.body);
    assert_eq!(b.post(&cancel, &[("_csrf", &token)]).status, 303);
    assert_eq!(
        ts.detail(&officer, &returned)["request"]["state"],
        "cancelled"
    );
    assert_eq!(
        b.post(
            &format!("/layanan/permohonan/{others}/batal"),
            &[("_csrf", &token)]
        )
        .status,
        404
    );
    let done = b.get(&format!("/layanan/permohonan/{completed}"));
    assert!(
        done.body.contains("Selesai") && done.body.contains("1305-KTP-0001"),
        "{}",
        done.body
    );
    assert!(done.body.contains("Kantor &#60;i&#62;nagari&#60;/i&#62;"));
    assert!(!done.body.contains("batal\""), "no cancel once completed");
    // The app's account sees the web's cancel.
    let pulled = ts.pull_all(&citizen);
    assert!(
        pulled.iter().any(|c| c["state"] == "cancelled"),
        "{pulled:?}"
    );
}

#[test]
fn the_account_page_shows_the_identity_state_and_verifies_with_the_register_extract() {
    let ts = TestServer::start();
    let catalog = Catalog::embedded();
    let resident = nik(21);
    let kk = "1305012003150004";
    ts.citizen(&resident, "Budi Santoso");
    let mut b = Browser::new(&ts);
    let signed = b.citizen_sign_in(&resident, PASSWORD);
    assert_eq!(signed.status, 303, "{}", signed.body);

    // Unverified: the state in words, what to do, and the register check form.
    let page = b.get("/layanan/akun");
    assert_eq!(page.status, 200);
    let unverified = catalog.message("identity.unverified", &[]).id;
    assert!(page.body.contains(&escaped(&unverified)), "{}", page.body);
    assert!(page.body.contains("action=\"/layanan/akun/verifikasi\""));

    // A post without the session's token is refused and checks nothing.
    let forged = b.post(
        "/layanan/akun/verifikasi",
        &[
            ("nomor_kk", kk),
            ("birth_date", "1990-01-01"),
            ("mother_name", "Siti"),
        ],
    );
    assert_eq!(forged.status, 403);
    let token = b.csrf_of("/layanan/akun");

    // No extract imported yet: the page says so (409) and shows what was typed, escaped.
    let hostile = "\"><img src=x onerror=alert(1)>";
    let none = b.post(
        "/layanan/akun/verifikasi",
        &[
            ("_csrf", &token),
            ("nomor_kk", kk),
            ("birth_date", "1990-01-01"),
            ("mother_name", hostile),
        ],
    );
    assert_eq!(none.status, 409, "{}", none.body);
    let no_register = catalog.message("identity.no_register", &[]).id;
    assert!(none.body.contains(&escaped(&no_register)), "{}", none.body);
    assert!(!none.body.contains(hostile) && none.body.contains(&escaped(hostile)));

    // With the extract: a wrong fact is a miss, the right ones verify the account.
    let path = ts.scratch("register").join("extract.csv");
    std::fs::write(
        &path,
        format!(
            "NIK;No KK;Tanggal Lahir;Nama Ibu Kandung\n{resident};{kk};01-01-1990;SITI AMINAH\n"
        ),
    )
    .unwrap();
    ceria_server::population::import(&ts.db(), ts.data_dir(), &path).unwrap();
    let miss = b.post(
        "/layanan/akun/verifikasi",
        &[
            ("_csrf", &token),
            ("nomor_kk", kk),
            ("birth_date", "1990-01-01"),
            ("mother_name", "Rahmi"),
        ],
    );
    assert_eq!(miss.status, 422, "{}", miss.body);
    assert!(miss.body.contains("Sisa percobaan: 4"), "{}", miss.body);
    let ok = b.post(
        "/layanan/akun/verifikasi",
        &[
            ("_csrf", &token),
            ("nomor_kk", "1305 0120 0315 0004"),
            ("birth_date", "1990-01-01"),
            ("mother_name", "Siti Aminah"),
        ],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/layanan/akun"));
    let page = b.get("/layanan/akun");
    let verified = catalog.message("identity.verified", &[]).id;
    assert!(page.body.contains(&escaped(&verified)), "{}", page.body);
    assert!(!page.body.contains("/layanan/akun/verifikasi"));
}
