//! Hostile and broken input gets a 4xx problem+json, never a 500; accounts, login limits,
//! catalog ETags and publication, regions and health.

use ceria_core::protocol::Role;
use ceria_test_support::*;
use serde_json::json;

#[test]
fn malformed_and_oversized_bodies_are_4xx_problems() {
    let ts = TestServer::start();
    let token = ts.citizen(&nik(41), "Lina Marlina");
    let json_ct = [("content-type", "application/json")];
    let push = |body: &[u8]| ts.raw("POST", "/v1/sync/push", Some(&token), &json_ct, Some(body));

    push(b"{\"operations\": [").problem(400, "request.malformed");
    push(b"not json at all").problem(400, "request.malformed");
    push(b"").problem(400, "request.malformed");
    push(br#"{"operations": "many"}"#).problem(422, "request.malformed");
    push(br#"{"operations": [{"type": "teleport", "op_id": "x"}]}"#)
        .problem(422, "request.malformed");
    push(br#"{"operations": [{"type": "cancel", "op_id": 5, "request_id": "r"}]}"#)
        .problem(422, "request.malformed");

    let big = vec![b' '; 2 * 1024 * 1024];
    let p = push(&big).problem(413, "request.body_too_large");
    assert_eq!(p["status"], 413);

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    push(deep.as_bytes()).problem(400, "request.malformed");
    let deep_object = format!("{}1{}", "{\"a\":".repeat(40), "}".repeat(40));
    push(deep_object.as_bytes()).problem(400, "request.malformed");

    let long = format!(r#"{{"operations": [], "x": "{}"}}"#, "a".repeat(1_000_000));
    push(long.as_bytes()).problem(400, "request.malformed");

    let r = ts.raw(
        "POST",
        "/v1/sync/push",
        Some(&token),
        &[("content-type", "text/plain")],
        Some(b"{}"),
    );
    r.problem(415, "request.malformed");
    let r = ts.raw("POST", "/v1/accounts", None, &json_ct, Some(b"\xff\xfe{"));
    r.problem(400, "request.malformed");

    // Queries.
    ts.call("GET", "/v1/sync/pull?since=-4", Some(&token), None)
        .problem(400, "request.malformed");
    ts.call("GET", "/v1/sync/pull?limit=abc", Some(&token), None)
        .problem(400, "request.malformed");
    ts.call("GET", "/v1/regions?parent=13;drop", None, None)
        .problem(400, "request.malformed");

    // Unknown routes and methods.
    ts.call("GET", "/v1/nothing-here", None, None)
        .problem(404, "request.not_found");
    let r = ts.call("DELETE", "/v1/catalog", None, None);
    r.problem(405, "request.malformed");
    assert!(r.header("allow").is_some());
}

#[test]
fn registration_and_login() {
    let ts = TestServer::start();
    let register = |body: serde_json::Value| ts.call("POST", "/v1/accounts", None, Some(&body));
    let ok = json!({"nik": nik(42), "name": "Maya Sari", "phone": "0812-3456-7890", "password": PASSWORD});
    let r = register(ok.clone());
    assert_eq!(r.status, 201);
    let user = r.json();
    assert_eq!(user["role"], "citizen");
    assert_eq!(user["username"], nik(42).as_str());
    register(ok).problem(409, "auth.nik_taken");

    let bad = json!({"nik": "12345", "name": "", "phone": "hello", "password": PASSWORD});
    let p = register(bad).problem(422, "request.malformed");
    let fields: Vec<&str> = p["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["field"].as_str())
        .collect();
    for f in ["nik", "name", "phone"] {
        assert!(fields.contains(&f), "{p}");
    }
    let weak = json!({"nik": nik(43), "name": "Nina Zahra", "phone": "081234567890", "password": "pendek"});
    let p = register(weak).problem(422, "auth.weak_password");
    assert!(p["message_en"].as_str().unwrap().contains('8'), "{p}");

    // A NIK typed in groups logs in too.
    let spaced = format!(
        "{} {} {} {}",
        &nik(42)[..4],
        &nik(42)[4..8],
        &nik(42)[8..12],
        &nik(42)[12..]
    );
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let r = ts.call(
        "POST",
        "/v1/sessions",
        None,
        Some(&json!({"username": spaced, "password": PASSWORD})),
    );
    assert_eq!(r.status, 200);
    let login = r.json();
    let thirty_days_less_one = std::time::Duration::from_secs(29 * 86_400);
    assert!(
        login["expires_at_ms"].as_u64().unwrap()
            > (before + thirty_days_less_one).as_millis() as u64
    );

    // Wrong passwords: 401 ten times, then 429 with Retry-After, even with the right one.
    let wrong = json!({"username": nik(42), "password": "salah-salah"});
    for _ in 0..10 {
        ts.call("POST", "/v1/sessions", None, Some(&wrong))
            .problem(401, "auth.invalid_credentials");
    }
    let r = ts.call(
        "POST",
        "/v1/sessions",
        None,
        Some(&json!({"username": nik(42), "password": PASSWORD})),
    );
    let p = r.problem(429, "auth.rate_limited");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert!(p["message_en"].as_str().is_some());
    // The limit is the (account, address) pair's: the same address may still try another
    // account (its own limit is wider).
    let other = json!({"username": "someone.else", "password": "x-x-x-x-x"});
    ts.call("POST", "/v1/sessions", None, Some(&other))
        .problem(401, "auth.invalid_credentials");
}

#[test]
fn catalog_etag_publication_regions_and_health() {
    let ts = TestServer::start();
    let admin = ts.staff(Role::Admin, "admin", None);
    let r = ts.call("GET", "/v1/catalog", None, None);
    assert_eq!(r.status, 200);
    let etag = r.header("etag").unwrap();
    assert!(etag.starts_with('"') && etag.len() == 66, "{etag}");
    let catalog = r.json();
    let r = ts.raw(
        "GET",
        "/v1/catalog",
        None,
        &[("if-none-match", &etag)],
        None,
    );
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(
        ts.raw(
            "GET",
            "/v1/catalog",
            None,
            &[("if-none-match", "\"old\"")],
            None
        )
        .status,
        200
    );

    // Publishing: broken, same version, then a newer one.
    ts.call(
        "PUT",
        "/v1/catalog",
        Some(&admin),
        Some(&json!({"version": 3})),
    )
    .problem(422, "request.malformed");
    ts.call("PUT", "/v1/catalog", Some(&admin), Some(&catalog))
        .problem(409, "catalog.outdated");
    let mut newer = catalog.clone();
    let version = format!("{}.1", catalog["version"].as_str().unwrap());
    newer["version"] = json!(version);
    let r = ts.call("PUT", "/v1/catalog", Some(&admin), Some(&newer));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = ts.call("GET", "/v1/catalog", None, None);
    assert_ne!(r.header("etag").unwrap(), etag);
    assert_eq!(r.json()["version"], version.as_str());

    // Regions from a real Kemendagri table, when the shared data is beside the repo.
    let csv = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/wilayah/wilayah_2025.csv"
    ));
    if csv.exists() {
        let n = ceria_server::admin::import_regions(&ts.db(), csv).unwrap();
        assert!(n > 80_000, "{n}");
        let districts = ts
            .call("GET", "/v1/regions?parent=13.05", None, None)
            .json();
        assert_eq!(
            districts.as_array().unwrap().len(),
            17,
            "Padang Pariaman has 17 districts"
        );
        let provinces = ts.call("GET", "/v1/regions", None, None).json();
        assert!(
            provinces
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["code"] == "13")
        );
    } else {
        println!("skipping the region import: {} is absent", csv.display());
    }
    assert!(
        ts.call("GET", "/v1/regions?parent=99.99", None, None)
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );

    assert_eq!(ts.call("GET", "/healthz", None, None).status, 200);
    assert_eq!(
        ts.call("GET", "/readyz", None, None).json()["status"],
        "ready"
    );
    let doc = ts.call("GET", "/v1/openapi.json", None, None).json();
    assert_eq!(doc["openapi"], "3.1.0");
}

#[test]
fn the_catalog_published_survives_a_restart() {
    let mut ts = TestServer::start();
    let admin = ts.staff(Role::Admin, "admin", None);
    let mut catalog = ts.call("GET", "/v1/catalog", None, None).json();
    let version = format!("{}.7", catalog["version"].as_str().unwrap());
    catalog["version"] = json!(version);
    assert_eq!(
        ts.call("PUT", "/v1/catalog", Some(&admin), Some(&catalog))
            .status,
        200
    );
    ts.restart();
    assert_eq!(
        ts.call("GET", "/v1/catalog", None, None).json()["version"],
        version.as_str()
    );
}

#[test]
fn a_refusal_before_the_body_is_read_does_not_poison_the_next_request() {
    let ts = TestServer::start();
    let token = ts.citizen(&nik(42), "Rina Wati");
    let json_ct = [("content-type", "application/json")];
    // Refused on the token alone (a citizen may not publish catalogs), body never read.
    for _ in 0..20 {
        let refused = ts.raw(
            "PUT",
            "/v1/catalog",
            Some(&token),
            &json_ct,
            Some(&[b' '; 64 * 1024]),
        );
        refused.problem(403, "auth.forbidden");
        assert_eq!(refused.header("connection").as_deref(), Some("close"));
        // The same client's next request, on whatever connection its pool offers, succeeds.
        assert_eq!(ts.call("GET", "/v1/me", Some(&token), None).status, 200);
    }
}
