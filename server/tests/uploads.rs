//! tus uploads on a real server: resume after a cut connection, checksums, limits, restart.

use base64::Engine;
use ceria_test_support::*;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::net::TcpStream;

const TUS: (&str, &str) = ("tus-resumable", "1.0.0");

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn options_advertise_the_protocol() {
    let ts = TestServer::start();
    let r = ts.raw("OPTIONS", "/v1/uploads", None, &[], None);
    assert_eq!(r.status, 204);
    assert_eq!(r.header("tus-version").as_deref(), Some("1.0.0"));
    assert_eq!(r.header("tus-resumable").as_deref(), Some("1.0.0"));
    let ext = r.header("tus-extension").unwrap();
    for e in [
        "creation",
        "creation-with-upload",
        "termination",
        "checksum",
        "expiration",
    ] {
        assert!(ext.split(',').any(|x| x == e), "{ext}");
    }
    assert_eq!(
        r.header("tus-checksum-algorithm").as_deref(),
        Some("sha1,sha256")
    );
    assert_eq!(r.header("tus-max-size").as_deref(), Some("10485760"));
}

#[test]
fn an_interrupted_upload_resumes_from_the_last_confirmed_byte() {
    let ts = TestServer::start();
    let token = ts.citizen(&nik(31), "Gita Anggraini");
    let file = data(300_000);
    let sha = hex::encode(Sha256::digest(&file));
    let location = ts.create_upload(&token, file.len() as u64, Some(&sha));
    let head = ts.raw("HEAD", &location, Some(&token), &[TUS], None);
    assert_eq!(head.header("cache-control").as_deref(), Some("no-store"));
    assert!(head.header("upload-expires").unwrap().ends_with(" GMT"));
    assert_eq!(head.header("upload-length").as_deref(), Some("300000"));

    ts.cut_patch(&token, &location, 0, &file, 120_000);
    let offset = ts.wait_offset(&token, &location, 120_000);
    assert_eq!(offset, 120_000, "bytes received before the cut are kept");

    // A stale offset is refused. The server answers from the headers without reading the body
    // and closes; a small body fits the socket buffers, so the client is not cut mid-write
    // (a 300 KB one sometimes was, a flaky transport error instead of the 409).
    ts.patch(&token, &location, 0, &file[..1_000], None)
        .problem(409, "upload.offset_mismatch");
    let r = ts.patch(&token, &location, offset, &file[offset as usize..], None);
    assert_eq!(r.status, 204);
    assert_eq!(r.header("upload-offset").as_deref(), Some("300000"));
    assert!(
        r.header("upload-expires").is_none(),
        "complete uploads do not expire"
    );
    let blob = std::fs::read(ts.data_dir().join("blobs").join(&sha)).unwrap();
    assert_eq!(blob, file);
}

#[test]
fn a_head_right_after_a_cut_answers_where_to_go_on() {
    let ts = TestServer::start();
    let token = ts.citizen(&nik(34), "Joko Saputra");
    let file = data(200_000);
    let location = ts.create_upload(&token, file.len() as u64, None);
    for (offset, sent) in [(0u64, 50_000usize), (50_000, 70_000)] {
        ts.cut_patch(&token, &location, offset, &file[offset as usize..], sent);
        // No waiting: the HEAD waits for the cut PATCH to record what arrived.
        assert_eq!(ts.offset(&token, &location), offset + sent as u64);
    }
}

#[test]
fn a_server_restart_mid_upload_loses_nothing() {
    let mut ts = TestServer::start();
    let token = ts.citizen(&nik(32), "Hendra Wijaya");
    let file = data(500_000);
    let location = ts.create_upload(&token, file.len() as u64, None);
    assert_eq!(
        ts.patch(&token, &location, 0, &file[..100_000], None)
            .status,
        204
    );
    ts.cut_patch(&token, &location, 100_000, &file[100_000..], 150_000);
    assert_eq!(ts.wait_offset(&token, &location, 250_000), 250_000);

    ts.restart();
    // Same data directory, new process state: the session and the upload survive.
    let offset = ts.offset(&token, &location);
    assert_eq!(offset, 250_000);
    let r = ts.patch(&token, &location, offset, &file[offset as usize..], None);
    assert_eq!(r.status, 204);
    let sha = hex::encode(Sha256::digest(&file));
    assert_eq!(r.header("upload-sha256").as_deref(), Some(sha.as_str()));
    assert_eq!(
        std::fs::read(ts.data_dir().join("blobs").join(&sha)).unwrap(),
        file
    );
}

#[test]
fn checksums_are_verified_per_patch_and_per_file() {
    let ts = TestServer::start();
    let token = ts.citizen(&nik(33), "Indah Permata");
    let file = data(1000);
    let location = ts.create_upload(&token, 1000, None);
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);

    // A patch whose bytes do not match its checksum: 460 and nothing kept.
    let wrong = format!("sha256 {}", b64(&Sha256::digest(b"something else")));
    ts.patch(&token, &location, 0, &file[..400], Some(&wrong))
        .problem(460, "upload.checksum_mismatch");
    assert_eq!(ts.offset(&token, &location), 0);
    // Right checksums, sha256 then sha1.
    let right = format!("sha256 {}", b64(&Sha256::digest(&file[..400])));
    assert_eq!(
        ts.patch(&token, &location, 0, &file[..400], Some(&right))
            .status,
        204
    );
    let sha1 = format!(
        "sha1 {}",
        b64(&<sha1::Sha1 as sha1::Digest>::digest(&file[400..]))
    );
    assert_eq!(
        ts.patch(&token, &location, 400, &file[400..], Some(&sha1))
            .status,
        204
    );
    // Unsupported algorithm.
    let other = ts.create_upload(&token, 10, None);
    ts.patch(&token, &other, 0, b"0123456789", Some("md5 AAAA"))
        .problem(400, "request.malformed");

    // The whole file against metadata sha256: 460 and the upload is discarded.
    let claimed = hex::encode(Sha256::digest(b"not this file"));
    let location = ts.create_upload(&token, 1000, Some(&claimed));
    ts.patch(&token, &location, 0, &file, None)
        .problem(460, "upload.checksum_mismatch");
    assert_eq!(
        ts.raw("HEAD", &location, Some(&token), &[TUS], None).status,
        404
    );
}

#[test]
fn limits_versions_and_termination() {
    let ts = TestServer::start();
    let token = ts.citizen(&nik(34), "Joko Susilo");
    // Over the per-file limit.
    let r = ts.raw(
        "POST",
        "/v1/uploads",
        Some(&token),
        &[TUS, ("upload-length", "10485761")],
        None,
    );
    let p = r.problem(413, "upload.too_large");
    assert!(p["message_en"].as_str().unwrap().len() > 3);
    // More bytes than announced.
    let location = ts.create_upload(&token, 10, None);
    ts.patch(&token, &location, 0, &[1u8; 11], None)
        .problem(400, "request.malformed");
    assert_eq!(ts.offset(&token, &location), 0);
    // Missing Upload-Length, wrong version, wrong content type.
    ts.raw("POST", "/v1/uploads", Some(&token), &[TUS], None)
        .problem(400, "request.malformed");
    let r = ts.raw(
        "POST",
        "/v1/uploads",
        Some(&token),
        &[("tus-resumable", "0.2.2"), ("upload-length", "5")],
        None,
    );
    assert_eq!(r.status, 412);
    assert_eq!(r.header("tus-version").as_deref(), Some("1.0.0"));
    let r = ts.raw(
        "PATCH",
        &location,
        Some(&token),
        &[TUS, ("upload-offset", "0")],
        Some(b"x"),
    );
    r.problem(415, "request.malformed");
    // Creation with upload.
    let file = data(64);
    let r = ts.raw(
        "POST",
        "/v1/uploads",
        Some(&token),
        &[
            TUS,
            ("upload-length", "64"),
            ("content-type", "application/offset+octet-stream"),
        ],
        Some(&file),
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.header("upload-offset").as_deref(), Some("64"));
    // An empty file is complete at creation.
    let r = ts.raw(
        "POST",
        "/v1/uploads",
        Some(&token),
        &[TUS, ("upload-length", "0")],
        None,
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.header("upload-offset").as_deref(), Some("0"));
    let empty_sha = hex::encode(Sha256::digest(b""));
    assert!(ts.data_dir().join("blobs").join(empty_sha).exists());
    // Identical content is stored once.
    let count = || {
        std::fs::read_dir(ts.data_dir().join("blobs"))
            .unwrap()
            .count()
    };
    assert_eq!(count(), 2);
    ts.upload(&token, &file);
    assert_eq!(count(), 2);
    // Termination.
    let tus = [TUS];
    assert_eq!(
        ts.raw("DELETE", &location, Some(&token), &tus, None).status,
        204
    );
    assert_eq!(
        ts.raw("HEAD", &location, Some(&token), &tus, None).status,
        404
    );
    assert_eq!(
        ts.raw("HEAD", "/v1/uploads/../../etc", Some(&token), &tus, None)
            .status,
        404
    );
}

#[test]
fn unfinished_uploads_expire() {
    let ts = TestServer::start_with(|c| c.upload_expiry = std::time::Duration::from_millis(300));
    let token = ts.citizen(&nik(35), "Kartika Sari");
    let location = ts.create_upload(&token, 10, None);
    assert_eq!(ts.patch(&token, &location, 0, b"01234", None).status, 204);
    std::thread::sleep(std::time::Duration::from_millis(400));
    ts.patch(&token, &location, 5, b"56789", None)
        .problem(410, "upload.expired");
    assert_eq!(
        ts.raw("HEAD", &location, Some(&token), &[TUS], None).status,
        404,
        "and it is gone"
    );
    let parts = std::fs::read_dir(ts.data_dir().join("uploads"))
        .unwrap()
        .count();
    assert_eq!(parts, 0);
}

#[test]
fn shutdown_lets_an_in_flight_patch_finish() {
    let mut ts = TestServer::start();
    let token = ts.citizen(&nik(36), "Lestari Ayu");
    let file = data(200_000);
    let location = ts.create_upload(&token, file.len() as u64, None);
    let addr = ts.addr().to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n\
         Content-Type: application/offset+octet-stream\r\nContent-Length: {}\r\n\r\n",
        file.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&file[..50_000]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    // Shut down while the request is in flight; it must still complete.
    let server = ts.take_running();
    let stopper = std::thread::spawn(move || server.shutdown());
    std::thread::sleep(std::time::Duration::from_millis(200));
    s.write_all(&file[50_000..]).unwrap();
    let mut answer = Vec::new();
    std::io::Read::read_to_end(&mut s, &mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    stopper.join().unwrap();
    ts.restart();
    assert_eq!(ts.offset(&token, &location), file.len() as u64);
}
