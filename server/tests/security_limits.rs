//! Per-account quotas, attachments checked against the catalog by their content, and the
//! smaller input checks of issue 11 (findings 7, 10 and 11).

use ceria_core::Catalog;
use ceria_core::protocol::{Operation, Role};
use ceria_test_support::{
    TestServer, VILLAGE_X, b64, fixture, jpeg_bytes, nik, op_id, payload, submit,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;

fn tus_create(
    ts: &TestServer,
    token: &str,
    length: u64,
    metadata: &str,
) -> ceria_test_support::Reply {
    let len = length.to_string();
    ts.raw(
        "POST",
        "/v1/uploads",
        Some(token),
        &[
            ("tus-resumable", "1.0.0"),
            ("upload-length", &len),
            ("upload-metadata", metadata),
        ],
        None,
    )
}

#[test]
fn open_uploads_are_capped_per_account() {
    let ts = TestServer::start_with(|c| c.max_open_uploads = 3);
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    for _ in 0..3 {
        assert_eq!(tus_create(&ts, &citizen, 100, "").status, 201);
    }
    let p = tus_create(&ts, &citizen, 100, "").problem(429, "quota.open_uploads");
    assert_eq!(
        p["message_en"].as_str().map(|m| m.contains('3')),
        Some(true),
        "{p}"
    );
    // Another account has its own quota.
    let other = ts.citizen(&nik(2), "Rahmat Hidayat");
    assert_eq!(tus_create(&ts, &other, 100, "").status, 201);
}

#[test]
fn upload_metadata_is_limited() {
    let ts = TestServer::start();
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    let big = format!("filename {}", b64(&"a".repeat(5000)));
    tus_create(&ts, &citizen, 10, &big).problem(400, "upload.metadata_too_large");
    let fine = format!("filename {}", b64("kk.jpg"));
    assert_eq!(tus_create(&ts, &citizen, 10, &fine).status, 201);
}

#[test]
fn unattached_files_are_capped_and_expire() {
    let ts = TestServer::start_with(|c| {
        c.max_unattached_files = 2;
        c.unattached_file_expiry = Duration::from_millis(300);
        c.sweep_interval = Duration::from_millis(200);
    });
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    let a = ts.upload(&citizen, &jpeg_bytes(1, 200));
    ts.upload(&citizen, &jpeg_bytes(2, 200));
    tus_create(&ts, &citizen, 10, "").problem(429, "quota.unattached_files");
    // Swept once expired: the files are gone and the quota is free again.
    std::thread::sleep(Duration::from_millis(1200));
    assert!(!ts.data_dir().join("blobs").join(&a).exists(), "blob kept");
    assert_eq!(tus_create(&ts, &citizen, 10, "").status, 201);
}

#[test]
fn files_a_request_refers_to_do_not_expire() {
    let ts = TestServer::start_with(|c| {
        c.unattached_file_expiry = Duration::from_millis(300);
        c.sweep_interval = Duration::from_millis(200);
    });
    let fx = fixture();
    let citizen_nik = nik(1);
    let citizen = ts.citizen(&citizen_nik, "Siti Aminah");
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    assert_eq!(ts.push(&citizen, &[submit(&p)])[0]["status"], "accepted");
    std::thread::sleep(Duration::from_millis(1000));
    for a in &p.attachments {
        assert!(ts.data_dir().join("blobs").join(&a.sha256).exists());
    }
}

#[test]
fn requests_per_day_per_service_are_capped_and_replays_do_not_count() {
    let ts = TestServer::start_with(|c| c.max_requests_per_day = 2);
    let fx = fixture();
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let first = submit(&p);
    assert_eq!(
        ts.push(&citizen, std::slice::from_ref(&first))[0]["status"],
        "accepted"
    );
    // The same operation again is the same request.
    assert_eq!(
        ts.push(&citizen, std::slice::from_ref(&first))[0]["status"],
        "accepted"
    );
    assert_eq!(ts.push(&citizen, &[submit(&p)])[0]["status"], "accepted");
    let third = &ts.push(&citizen, &[submit(&p)])[0];
    assert_eq!(third["status"], "rejected", "{third}");
    assert_eq!(
        third["issues"][0]["code"], "quota.requests_per_day",
        "{third}"
    );
    assert_eq!(third["issues"][0]["params"]["max"], "2", "{third}");
    assert_eq!(ts.push(&citizen, &[first])[0]["status"], "accepted");
}

/// Uploads `data` and returns an attachment reference for the fixture's first requirement.
fn attach(
    ts: &TestServer,
    token: &str,
    requirement: &str,
    data: &[u8],
    declared: &str,
) -> serde_json::Value {
    let sha256 = ts.upload(token, data);
    json!({"requirement": requirement, "sha256": sha256, "size": data.len(), "media_type": declared})
}

#[test]
fn attachments_are_judged_by_their_content() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    let mut p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let requirement = p.attachments[0].requirement.clone();
    // An HTML page declared as a photo, and as HTML.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    for declared in ["image/jpeg", "text/html"] {
        let mut v = serde_json::to_value(&p).unwrap();
        v["attachments"][0] = attach(&ts, &citizen, &requirement, &html, declared);
        p = serde_json::from_value(v).unwrap();
        let r = &ts.push(&citizen, &[submit(&p)])[0];
        assert_eq!(r["status"], "rejected", "{r}");
        assert_eq!(r["issues"][0]["code"], "attachment.media_type", "{r}");
    }
    // A real JPEG declared as HTML is stored and served as the JPEG it is.
    let photo = jpeg_bytes(9, 300);
    let mut v = serde_json::to_value(&p).unwrap();
    v["attachments"][0] = attach(&ts, &citizen, &requirement, &photo, "text/html");
    p = serde_json::from_value(v).unwrap();
    let r = &ts.push(&citizen, &[submit(&p)])[0];
    assert_eq!(r["status"], "accepted", "{r}");
    let id = r["request_id"].as_str().unwrap();
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let detail = ts.detail(&operator, id);
    let stored = detail["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["sha256"] == hex::encode(Sha256::digest(&photo)))
        .unwrap()
        .clone();
    assert_eq!(stored["media_type"], "image/jpeg", "{detail}");
    let served = ts.call(
        "GET",
        &format!(
            "/v1/requests/{id}/attachments/{}",
            stored["sha256"].as_str().unwrap()
        ),
        Some(&operator),
        None,
    );
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(
        served.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let csp = served.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    let disposition = served.header("content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("inline; filename=\""),
        "{disposition}"
    );
    assert!(disposition.ends_with(".jpg\""), "{disposition}");
}

#[test]
fn attachment_counts_and_sizes_follow_the_catalog() {
    let ts = TestServer::start_with(|c| c.max_upload_bytes = 11 * 1024 * 1024);
    let fx = fixture();
    let catalog = Catalog::embedded();
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let requirement = p.attachments[0].requirement.clone();
    let max = catalog.max_files(catalog.attachment(&fx.service, &requirement).unwrap());
    let mut v = serde_json::to_value(&p).unwrap();
    let mut files = v["attachments"].as_array().unwrap().clone();
    for seed in 0..max {
        files.push(attach(
            &ts,
            &citizen,
            &requirement,
            &jpeg_bytes(100 + u64::from(seed), 100),
            "image/jpeg",
        ));
    }
    v["attachments"] = files.into();
    let too_many: ceria_core::protocol::RequestPayload = serde_json::from_value(v).unwrap();
    let r = &ts.push(&citizen, &[submit(&too_many)])[0];
    assert_eq!(r["status"], "rejected", "{r}");
    assert_eq!(r["issues"][0]["code"], "attachment.too_many", "{r}");
    assert_eq!(r["issues"][0]["params"]["max"], max.to_string(), "{r}");
    // A file over the catalog's size limit, measured on the stored blob.
    let big = jpeg_bytes(7, catalog.max_attachment_bytes() as usize + 1);
    let mut v = serde_json::to_value(&p).unwrap();
    v["attachments"][0] = attach(&ts, &citizen, &requirement, &big, "image/jpeg");
    let too_big: ceria_core::protocol::RequestPayload = serde_json::from_value(v).unwrap();
    let r = &ts.push(&citizen, &[submit(&too_big)])[0];
    assert_eq!(r["status"], "rejected", "{r}");
    assert_eq!(r["issues"][0]["code"], "attachment.too_large", "{r}");
}

#[test]
fn the_village_must_be_a_known_village_code() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    for village in ["99.99.99.9999", "13.05.01", "desa kami"] {
        let p = payload(&ts, &citizen, &fx, village, None);
        let r = &ts.push(&citizen, &[submit(&p)])[0];
        assert_eq!(r["status"], "rejected", "{village}: {r}");
        assert_eq!(r["issues"][0]["field"], "village", "{r}");
    }
}

#[test]
fn a_nik_with_a_no_break_space_is_stored_as_digits() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen_nik = nik(1);
    let citizen = ts.citizen(&citizen_nik, "Siti Aminah");
    let spaced = format!("{}\u{a0}{}", &citizen_nik[..6], &citizen_nik[6..]);
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, Some(&spaced));
    let r = &ts.push(&citizen, &[submit(&p)])[0];
    assert_eq!(r["status"], "accepted", "{r}");
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let detail = ts.detail(&operator, r["request_id"].as_str().unwrap());
    assert_eq!(
        detail["payload"]["on_behalf_of"],
        citizen_nik.as_str(),
        "{detail}"
    );
    // An operator typing it the same way files for the same person.
    let p = payload(&ts, &operator, &fx, VILLAGE_X, Some(&spaced));
    let r = &ts.push(&operator, &[submit(&p)])[0];
    assert_eq!(r["status"], "accepted", "{r}");
    let detail = ts.detail(&operator, r["request_id"].as_str().unwrap());
    assert_eq!(
        detail["payload"]["on_behalf_of"],
        citizen_nik.as_str(),
        "{detail}"
    );
}

#[test]
fn a_revision_cannot_change_the_person() {
    let ts = TestServer::start();
    let fx = fixture();
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let p = payload(&ts, &operator, &fx, VILLAGE_X, Some(&nik(1)));
    let r = &ts.push(&operator, &[submit(&p)])[0];
    let id = r["request_id"].as_str().unwrap().to_string();
    let back = ts.transition(
        &operator,
        &id,
        json!({"to": "returned", "reasons": [{"target": null, "message": "Foto buram"}]}),
    );
    assert_eq!(back.status, 200, "{}", String::from_utf8_lossy(&back.body));
    let mut other = p.clone();
    other.on_behalf_of = Some(nik(2));
    let revise = Operation::Revise {
        op_id: op_id(),
        request_id: id.clone(),
        request: other,
    };
    let r = &ts.push(&operator, &[revise])[0];
    assert_eq!(r["status"], "rejected", "{r}");
    assert_eq!(r["issues"][0]["field"], "on_behalf_of", "{r}");
    // The same person, typed with spaces, is fine.
    let mut same = p.clone();
    let n = nik(1);
    same.on_behalf_of = Some(format!("{} {}", &n[..6], &n[6..]));
    let revise = Operation::Revise {
        op_id: op_id(),
        request_id: id,
        request: same,
    };
    assert_eq!(ts.push(&operator, &[revise])[0]["status"], "accepted");
}

#[test]
fn creation_with_upload_past_the_length_leaves_nothing() {
    let ts = TestServer::start_with(|c| c.max_open_uploads = 1);
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    let r = ts.raw(
        "POST",
        "/v1/uploads",
        Some(&citizen),
        &[
            ("tus-resumable", "1.0.0"),
            ("upload-length", "5"),
            ("content-type", "application/offset+octet-stream"),
        ],
        Some(b"0123456789"),
    );
    r.problem(400, "request.malformed");
    let parts = std::fs::read_dir(ts.data_dir().join("uploads"))
        .unwrap()
        .count();
    assert_eq!(parts, 0, "a partial file was left");
    // No row either: the one open upload allowed is still free.
    assert_eq!(
        tus_create(&ts, &citizen, 10, "").status,
        201,
        "an upload row was left"
    );
}

#[test]
fn undecodable_paths_answer_problem_json() {
    let ts = TestServer::start();
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let citizen = ts.citizen(&nik(1), "Siti Aminah");
    ts.call("GET", "/v1/requests/%FF%FE", Some(&operator), None)
        .problem(400, "request.malformed");
    ts.call(
        "GET",
        "/v1/requests/%FF/attachments/%FE",
        Some(&operator),
        None,
    )
    .problem(400, "request.malformed");
    ts.raw(
        "HEAD",
        "/v1/uploads/%FF%FE",
        Some(&citizen),
        &[("tus-resumable", "1.0.0")],
        None,
    );
    let r = ts.raw(
        "DELETE",
        "/v1/uploads/%FF%FE",
        Some(&citizen),
        &[("tus-resumable", "1.0.0")],
        None,
    );
    r.problem(400, "request.malformed");
}
