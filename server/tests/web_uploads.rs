//! The web pages' resumable uploads (`/layanan/unggah` for citizens, `/console/unggah` for
//! staff): the API's tus protocol behind the session cookie and the anti-forgery header; a
//! request without the header (what a hostile page of another origin can send) or without a
//! session is refused; each session reaches only its own uploads; the API's quotas apply.

use ceria_core::protocol::Role;
use ceria_test_support::web::*;
use ceria_test_support::*;
use sha2::{Digest, Sha256};

const TUS: (&str, &str) = ("tus-resumable", "1.0.0");

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 13 % 251) as u8).collect()
}

fn problem_code(page: &Page) -> String {
    let problem: serde_json::Value = serde_json::from_str(&page.body).unwrap_or_default();
    problem["code"].as_str().unwrap_or_default().to_string()
}

/// Creates an upload of `length` bytes with the page token `csrf`; the answer.
fn create(b: &mut Browser, base: &str, csrf: &str, length: usize) -> Page {
    let length = length.to_string();
    b.send_body(
        "POST",
        base,
        None,
        Vec::new(),
        &[
            TUS,
            ("upload-length", &length),
            ("upload-metadata", "filename a2suanBn,requirement a2s="),
            ("x-csrf-token", csrf),
        ],
    )
}

fn patch(b: &mut Browser, location: &str, csrf: &str, offset: usize, bytes: &[u8]) -> Page {
    let offset = offset.to_string();
    b.send_body(
        "PATCH",
        location,
        Some("application/offset+octet-stream"),
        bytes.to_vec(),
        &[TUS, ("upload-offset", &offset), ("x-csrf-token", csrf)],
    )
}

#[test]
fn a_signed_in_citizen_uploads_in_pieces_with_the_page_token() {
    let ts = TestServer::start();
    let citizen = nik(61);
    let token = ts.citizen(&citizen, "Sari Wulandari");
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&citizen, PASSWORD);
    let csrf = b.csrf_of("/layanan/akun");
    let file = data(250_000);

    let created = create(&mut b, "/layanan/unggah", &csrf, file.len());
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.location.clone().unwrap();
    assert!(location.starts_with("/layanan/unggah/"), "{location}");
    assert_eq!(
        created.headers.get("tus-resumable").unwrap(),
        "1.0.0",
        "the tus layer answers"
    );

    let first = patch(&mut b, &location, &csrf, 0, &file[..100_000]);
    assert_eq!(first.status, 204, "{}", first.body);
    let head = b.send_body(
        "HEAD",
        &location,
        None,
        Vec::new(),
        &[TUS, ("x-csrf-token", &csrf)],
    );
    assert_eq!(head.status, 200);
    assert_eq!(head.headers.get("upload-offset").unwrap(), "100000");
    // Out of step: the offset the server holds is told.
    let stale = patch(&mut b, &location, &csrf, 0, &file[..10]);
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(problem_code(&stale), "upload.offset_mismatch");
    let rest = patch(&mut b, &location, &csrf, 100_000, &file[100_000..]);
    assert_eq!(rest.status, 204, "{}", rest.body);
    let sha = hex::encode(Sha256::digest(&file));
    assert_eq!(rest.headers.get("upload-sha256").unwrap(), sha.as_str());
    let blob = std::fs::read(ts.data_dir().join("blobs").join(&sha)).unwrap();
    assert_eq!(blob, file);

    // It is the account's upload, the same one the API shows to the app's token.
    let id = location.rsplit('/').next().unwrap();
    let api = ts.raw(
        "HEAD",
        &format!("/v1/uploads/{id}"),
        Some(&token),
        &[TUS],
        None,
    );
    assert_eq!(api.status, 200);
    assert_eq!(api.header("upload-offset").as_deref(), Some("250000"));
}

#[test]
fn without_the_page_token_or_a_session_nothing_is_uploaded() {
    let ts = TestServer::start();
    let citizen = nik(62);
    ts.citizen(&citizen, "Dewi Lestari");
    let mut b = Browser::new(&ts);
    b.citizen_sign_in(&citizen, PASSWORD);
    let csrf = b.csrf_of("/layanan/akun");

    // What a page of another origin can make the browser send: the cookie, no header.
    let forged = b.send_body(
        "POST",
        "/layanan/unggah",
        None,
        Vec::new(),
        &[TUS, ("upload-length", "10")],
    );
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(problem_code(&forged), "web.forged");
    let wrong = create(&mut b, "/layanan/unggah", &"0".repeat(64), 10);
    assert_eq!(wrong.status, 403);
    assert_eq!(problem_code(&wrong), "web.forged");

    // A real upload, then another browser (no cookie) with the stolen token and location.
    let location = create(&mut b, "/layanan/unggah", &csrf, 10)
        .location
        .unwrap();
    let forged_patch = b.send_body(
        "PATCH",
        &location,
        Some("application/offset+octet-stream"),
        b"0123456789".to_vec(),
        &[TUS, ("upload-offset", "0")],
    );
    assert_eq!(forged_patch.status, 403);
    let mut stranger = Browser::new(&ts);
    let anonymous = create(&mut stranger, "/layanan/unggah", &csrf, 10);
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    assert_eq!(problem_code(&anonymous), "auth.session_expired");
    let anonymous_patch = patch(&mut stranger, &location, &csrf, 0, b"0123456789");
    assert_eq!(anonymous_patch.status, 401);

    // A citizen's session is no staff session.
    let console = create(&mut b, "/console/unggah", &csrf, 10);
    assert_eq!(console.status, 401, "{}", console.body);

    // Another citizen does not see the upload.
    let other = nik(63);
    ts.citizen(&other, "Rahmat Hidayat");
    let mut o = Browser::new(&ts);
    o.citizen_sign_in(&other, PASSWORD);
    let other_csrf = o.csrf_of("/layanan/akun");
    let theirs = patch(&mut o, &location, &other_csrf, 0, b"0123456789");
    assert_eq!(theirs.status, 404, "{}", theirs.body);
}

#[test]
fn staff_upload_from_the_console_and_the_quotas_apply() {
    let ts = TestServer::start_with(|c| c.max_open_uploads = 1);
    ts.create_staff(Role::Operator, "op.unggah", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    b.sign_in("op.unggah", PASSWORD);
    let csrf = b.csrf();
    let file = data(5_000);
    let created = create(&mut b, "/console/unggah", &csrf, file.len());
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.location.unwrap();
    assert!(location.starts_with("/console/unggah/"), "{location}");
    let second = create(&mut b, "/console/unggah", &csrf, 10);
    assert_eq!(second.status, 429, "{}", second.body);
    assert_eq!(problem_code(&second), "quota.open_uploads");
    let done = patch(&mut b, &location, &csrf, 0, &file);
    assert_eq!(done.status, 204, "{}", done.body);
    let sha = hex::encode(Sha256::digest(&file));
    assert_eq!(done.headers.get("upload-sha256").unwrap(), sha.as_str());
    // The same size limit as the API's.
    let max = (10 * 1024 * 1024 + 1).to_string();
    let big = b.send_body(
        "POST",
        "/console/unggah",
        None,
        Vec::new(),
        &[TUS, ("upload-length", &max), ("x-csrf-token", &csrf)],
    );
    assert_eq!(big.status, 413);
    assert_eq!(problem_code(&big), "upload.too_large");
    let gone = b.send_body(
        "DELETE",
        &location,
        None,
        Vec::new(),
        &[TUS, ("x-csrf-token", &csrf)],
    );
    assert_eq!(gone.status, 204);
}

#[test]
fn the_pages_load_the_upload_script_with_their_texts() {
    let ts = TestServer::start();
    let mut b = Browser::new(&ts);
    let page = b.get("/layanan/");
    let marker = "/console/assets/upload.";
    let at = page.body.find(marker).expect("upload.js is linked");
    let url: String = page.body[at..].split('"').next().unwrap().to_string();
    assert!(page.body.contains("data-texts=\""), "{}", page.body);
    assert!(
        page.body.contains("Mengunggah {name}"),
        "texts in Indonesian"
    );
    let script = b.get(&url);
    assert_eq!(script.status, 200);
    assert_eq!(
        script.headers.get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert!(script.body.contains("Tus-Resumable"));
}
