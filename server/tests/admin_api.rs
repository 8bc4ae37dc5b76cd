//! The admin side of the API (issue 12): the holiday calendar, the region table put in
//! force without a restart, the yearly figures and their CSV/XLSX downloads, and the changes
//! a catalog publication reports.

use ceria_core::protocol::Role;
use ceria_test_support::*;
use serde_json::{Value, json};

/// A server with an admin, an officer, an operator of `VILLAGE_X` and one submitted request
/// there; returns the server, the admin's and the officer's tokens and the tracking code.
fn world() -> (TestServer, String, String, String) {
    let ts = TestServer::start();
    let admin = ts.staff(Role::Admin, "admin.satu", None);
    let officer = ts.officer();
    let citizen = ts.citizen(&nik(1), "Siti Rahma");
    let fx = fixture();
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let r = ts.push(&citizen, &[submit(&p)]);
    assert_eq!(r[0]["status"], "accepted", "{r:?}");
    let code = r[0]["tracking_code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (ts, admin, officer, code)
}

fn this_year(stats: &Value) -> Value {
    stats["years"][0].clone()
}

#[test]
fn holidays_are_edited_by_admins_and_read_by_officers() {
    let (ts, admin, officer, _) = world();
    let put = |token: &str, date: &str, name: &str| {
        ts.call(
            "PUT",
            &format!("/v1/holidays/{date}"),
            Some(token),
            Some(&json!({"name": name})),
        )
    };
    assert_eq!(put(&admin, "2026-12-25", "Natal").status, 201);
    let renamed = put(&admin, "2026-12-25", "Hari Raya Natal");
    assert_eq!(renamed.status, 200);
    assert_eq!(
        renamed.json(),
        json!({"date": "2026-12-25", "name": "Hari Raya Natal"})
    );
    assert_eq!(put(&admin, "2027-01-01", "Tahun Baru").status, 201);
    put(&admin, "2026-02-30", "x").problem(422, "date.invalid");
    put(&admin, "2026-12-24", " ").problem(422, "request.malformed");
    put(&officer, "2026-12-24", "Cuti bersama").problem(403, "auth.forbidden");

    let list = ts.call("GET", "/v1/holidays?year=2026", Some(&officer), None);
    assert_eq!(list.status, 200);
    assert_eq!(
        list.json(),
        json!([{"date": "2026-12-25", "name": "Hari Raya Natal"}])
    );
    let all = ts.call("GET", "/v1/holidays", Some(&officer), None).json();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    ts.call("GET", "/v1/holidays?year=abc", Some(&officer), None)
        .problem(400, "request.malformed");

    assert_eq!(
        ts.call("DELETE", "/v1/holidays/2026-12-25", Some(&admin), None)
            .status,
        204
    );
    ts.call("DELETE", "/v1/holidays/2026-12-25", Some(&admin), None)
        .problem(404, "request.not_found");
}

#[test]
fn an_imported_region_table_names_villages_at_once() {
    let (ts, admin, officer, _) = world();
    let stats = ts.call("GET", "/v1/stats", Some(&officer), None).json();
    let year = this_year(&stats)["year"].as_i64().unwrap_or_default();
    assert_eq!(
        this_year(&stats)["village_names"],
        json!({}),
        "no table yet"
    );
    assert_eq!(
        this_year(&stats)["by_month"].as_array().map(Vec::len),
        Some(12)
    );

    let csv = format!(
        "code,name\n13,SUMATERA BARAT\n13.05,KAB. PADANG PARIAMAN\n13.05.01,Batang Anai\n{VILLAGE_X},Kasang\n"
    );
    let r = ts.raw(
        "PUT",
        "/v1/regions",
        Some(&officer),
        &[("content-type", "text/csv")],
        Some(csv.as_bytes()),
    );
    r.problem(403, "auth.forbidden");
    let r = ts.raw(
        "PUT",
        "/v1/regions",
        Some(&admin),
        &[("content-type", "text/csv")],
        Some(b"kode,nama\n13,X\n"),
    );
    r.problem(422, "request.malformed");
    let r = ts.raw(
        "PUT",
        "/v1/regions",
        Some(&admin),
        &[("content-type", "text/csv")],
        Some(csv.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json(), json!({"imported": 4}));

    // No restart: the figures name the village now.
    let stats = ts
        .call(
            "GET",
            &format!("/v1/stats?year={year}"),
            Some(&officer),
            None,
        )
        .json();
    assert_eq!(stats["years"].as_array().map(Vec::len), Some(1));
    assert_eq!(this_year(&stats)["village_names"][VILLAGE_X], "Kasang");
    assert_eq!(this_year(&stats)["requests"], 1);
    let empty = ts
        .call("GET", "/v1/stats?year=1999", Some(&officer), None)
        .json();
    assert_eq!(this_year(&empty)["requests"], 0);
}

#[test]
fn figures_and_request_lists_download_as_csv_and_xlsx() {
    let (ts, admin, officer, code) = world();
    let year = this_year(&ts.call("GET", "/v1/stats", Some(&admin), None).json())["year"]
        .as_i64()
        .unwrap_or_default();
    let xlsx = ts.call(
        "GET",
        &format!("/v1/exports/stats?year={year}&format=xlsx"),
        Some(&admin),
        None,
    );
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert_eq!(
        xlsx.header("content-disposition").as_deref(),
        Some(format!("attachment; filename=\"statistik-{year}.xlsx\"").as_str())
    );
    assert!(xlsx.body.starts_with(b"PK"));

    let csv = ts.call(
        "GET",
        &format!("/v1/exports/stats?year={year}&format=csv&lang=en"),
        Some(&officer),
        None,
    );
    assert_eq!(csv.status, 200);
    let text = String::from_utf8(csv.body.clone()).unwrap_or_default();
    assert!(
        text.starts_with("\u{feff}By month\r\nMonth,Requests\r\n"),
        "{text}"
    );

    let list = ts.call(
        "GET",
        &format!("/v1/exports/requests?format=csv&year={year}&region=13.05"),
        Some(&officer),
        None,
    );
    assert_eq!(list.status, 200);
    let text = String::from_utf8(list.body.clone()).unwrap_or_default();
    assert!(text.contains(&code), "{text}");
    assert!(
        text.starts_with("\u{feff}Kode lacak,Layanan,Kode wilayah"),
        "{text}"
    );
    let other = ts.call(
        "GET",
        "/v1/exports/requests?format=csv&region=13.06",
        Some(&officer),
        None,
    );
    assert!(!String::from_utf8_lossy(&other.body).contains(&code));

    ts.call("GET", "/v1/exports/stats?format=pdf", Some(&admin), None)
        .problem(400, "request.malformed");
    ts.call(
        "GET",
        "/v1/exports/requests?format=csv&region=13;1",
        Some(&admin),
        None,
    )
    .problem(400, "request.malformed");
    let operator = ts.staff(Role::Operator, "op.kasang", Some(VILLAGE_X));
    ts.call(
        "GET",
        "/v1/exports/requests?format=csv",
        Some(&operator),
        None,
    )
    .problem(403, "auth.forbidden");
}

#[test]
fn a_publication_reports_what_changed() {
    let (ts, admin, _, _) = world();
    let dir = tempfile::tempdir().unwrap();
    let (path, version) = newer_catalog(dir.path());
    let mut catalog: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let service = catalog["services"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(fields) = catalog["services"][0]["fields"].as_array_mut() {
        fields.push(json!({"id": "catatan_uji", "kind": "text",
                           "label": {"id": "Catatan", "en": "Note"}}));
    }
    let body = catalog.to_string();
    let r = ts.raw(
        "PUT",
        "/v1/catalog",
        Some(&admin),
        &[("content-type", "application/json")],
        Some(body.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let changes = &r.json()["changes"];
    assert_eq!(changes["to_version"], version.as_str());
    assert_eq!(changes["services_added"], json!([]));
    assert_eq!(changes["services_changed"][0]["service"], service.as_str());
    assert_eq!(
        changes["services_changed"][0]["fields_added"],
        json!(["catatan_uji"])
    );
    // In force at once.
    let served = ts.call("GET", "/v1/catalog", None, None).json();
    assert_eq!(served["version"], version.as_str());
}
