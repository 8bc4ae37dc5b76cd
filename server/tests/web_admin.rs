//! The administration pages of the web console over HTTP: admins only (no session: the
//! sign-in page; other roles: 404), every form refused without the session's token, what
//! admins type escaped, and the pages doing their work: accounts, holidays, the region
//! table and the catalog put in force at once, the dashboard and its downloads.

use ceria_core::protocol::Role;
use ceria_test_support::web::Browser;
use ceria_test_support::*;
use serde_json::Value;

const ADMIN: &str = "admin.satu";
const PAGES: [&str; 6] = [
    "/console/admin/users",
    "/console/admin/stats",
    "/console/admin/holidays",
    "/console/admin/regions",
    "/console/admin/catalog",
    "/console/admin/stats/export?format=xlsx",
];

/// The account with this user name, if any.
fn account(ts: &TestServer, username: &str) -> Option<ceria_server::admin::AccountSummary> {
    ceria_server::admin::list_users(&ts.db(), None, 500)
        .unwrap()
        .into_iter()
        .find(|a| a.username == username)
}

fn admin_browser(ts: &TestServer) -> Browser {
    ts.create_staff(Role::Admin, ADMIN, PASSWORD, None);
    let mut b = Browser::new(ts);
    let p = b.sign_in(ADMIN, PASSWORD);
    assert_eq!(p.status, 303, "{}", p.body);
    b
}

#[test]
fn admin_pages_are_for_admins_with_a_session() {
    let ts = TestServer::start();
    let mut anon = Browser::new(&ts);
    for path in PAGES {
        let p = anon.get(path);
        assert_eq!(
            (p.status, p.location.as_deref()),
            (303, Some("/console/signin")),
            "{path}"
        );
    }
    let p = anon.post(
        "/console/admin/holidays",
        &[("date", "2026-12-25"), ("name", "x")],
    );
    assert_eq!(p.location.as_deref(), Some("/console/signin"));

    ts.create_staff(Role::Officer, "petugas", PASSWORD, None);
    let mut officer = Browser::new(&ts);
    officer.sign_in("petugas", PASSWORD);
    let token = officer.csrf();
    for path in PAGES {
        assert_eq!(officer.get(path).status, 404, "{path}");
    }
    let p = officer.post(
        "/console/admin/holidays",
        &[("_csrf", &token), ("date", "2026-12-25"), ("name", "x")],
    );
    assert_eq!(p.status, 404);
    let p = officer.post(
        "/console/admin/users",
        &[
            ("_csrf", &token),
            ("role", "admin"),
            ("username", "naik.pangkat"),
            ("password", "Lemari-Arsip-Biru-9"),
        ],
    );
    assert_eq!(p.status, 404);
    assert!(account(&ts, "naik.pangkat").is_none());
}

#[test]
fn forms_need_the_session_token() {
    let ts = TestServer::start();
    let mut admin = admin_browser(&ts);
    let p = admin.post(
        "/console/admin/holidays",
        &[("date", "2026-12-25"), ("name", "Natal")],
    );
    assert_eq!(p.status, 403);
    let p = admin.post(
        "/console/admin/users",
        &[
            ("_csrf", "forged"),
            ("role", "officer"),
            ("username", "petugas.baru"),
            ("password", "Lemari-Arsip-Biru-9"),
        ],
    );
    assert_eq!(p.status, 403);
    let p = admin.post_file("/console/admin/regions", &[], "w.csv", b"code,name\n13,X\n");
    assert_eq!(p.status, 403);
    let p = admin.post_file("/console/admin/catalog", &[("_csrf", "x")], "c.json", b"{}");
    assert_eq!(p.status, 403);
    assert!(!admin.get("/console/admin/holidays").body.contains("Natal"));
    assert!(account(&ts, "petugas.baru").is_none());
}

#[test]
fn accounts_are_created_disabled_enabled_and_reset() {
    let ts = TestServer::start();
    let mut admin = admin_browser(&ts);
    let token = admin.csrf_of("/console/admin/users");
    // Without a region table the nagari is typed; a weak password is refused on the form.
    let weak = admin.post(
        "/console/admin/users",
        &[
            ("_csrf", &token),
            ("role", "operator"),
            ("username", "op.kasang"),
            ("name", "<script>alert(1)</script>"),
            ("password", "pendek"),
            ("village", VILLAGE_X),
        ],
    );
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("notice error"));
    assert!(
        weak.body.contains("&#60;script&#62;alert(1)"),
        "typed name kept, escaped"
    );
    assert!(!weak.body.contains("<script>alert(1)"));
    let made = admin.post(
        "/console/admin/users",
        &[
            ("_csrf", &token),
            ("role", "operator"),
            ("username", "op.kasang"),
            ("name", "<script>alert(1)</script>"),
            ("password", "Lemari-Arsip-Biru-9"),
            ("village", VILLAGE_X),
        ],
    );
    assert_eq!(
        made.location.as_deref(),
        Some("/console/admin/users?ok=created")
    );
    let list = admin.get("/console/admin/users?ok=created");
    assert!(list.body.contains("Akun dibuat"));
    assert!(list.body.contains("op.kasang") && list.body.contains(VILLAGE_X));
    assert!(!list.body.contains("<script>alert(1)") && !list.body.contains("$argon2"));
    let made_account = account(&ts, "op.kasang").unwrap();

    let p = admin.post(
        &format!("/console/admin/users/{}/disable", made_account.id),
        &[("_csrf", &token)],
    );
    assert_eq!(
        p.location.as_deref(),
        Some("/console/admin/users?ok=disabled")
    );
    let login = ts.call(
        "POST",
        "/v1/sessions",
        None,
        Some(&serde_json::json!({"username": "op.kasang", "password": "Lemari-Arsip-Biru-9"})),
    );
    assert_ne!(login.status, 200, "a disabled account cannot log in");
    admin.post(
        &format!("/console/admin/users/{}/enable", made_account.id),
        &[("_csrf", &token)],
    );
    let p = admin.post(
        &format!("/console/admin/users/{}/password", made_account.id),
        &[("_csrf", &token), ("password", "Jendela-Kaca-Hijau-42")],
    );
    assert_eq!(
        p.location.as_deref(),
        Some("/console/admin/users?ok=password")
    );
    ts.login_with("op.kasang", "Jendela-Kaca-Hijau-42");
    // The admin's own account offers no disabling (that would lock the admin out).
    let me = account(&ts, ADMIN).unwrap();
    assert!(
        !admin
            .get("/console/admin/users")
            .body
            .contains(&format!("/console/admin/users/{}/disable", me.id))
    );
}

#[test]
fn regions_catalog_and_holidays_take_effect_at_once() {
    let ts = TestServer::start();
    let mut admin = admin_browser(&ts);
    let token = admin.csrf_of("/console/admin/regions");
    let bad = admin.post_file(
        "/console/admin/regions",
        &[("_csrf", &token)],
        "w.csv",
        b"kode,nama\n",
    );
    assert_eq!(bad.status, 422);
    let csv = format!(
        "code,name\n13,SUMATERA BARAT\n13.05,KAB. PADANG PARIAMAN\n13.05.01,Batang Anai\n{VILLAGE_X},Kasang\n"
    );
    let p = admin.post_file(
        "/console/admin/regions",
        &[("_csrf", &token)],
        "wilayah.csv",
        csv.as_bytes(),
    );
    assert_eq!(
        p.location.as_deref(),
        Some("/console/admin/regions?ok=regions")
    );
    // The picker offers the table at once, down to the nagari.
    let picker = admin.get("/console/admin/users?province=13&regency=13.05&district=13.05.01");
    assert!(
        picker
            .body
            .contains(&format!("value=\"{VILLAGE_X}\">Kasang ({VILLAGE_X})")),
        "{}",
        picker.body
    );

    // A newer catalog with one more field: in force at once, its changes shown.
    let dir = tempfile::tempdir().unwrap();
    let (path, version) = newer_catalog(dir.path());
    let mut catalog: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    if let Some(fields) = catalog["services"][0]["fields"].as_array_mut() {
        fields.push(serde_json::json!({"id": "catatan_uji", "kind": "text", "label": {"id": "Catatan", "en": "Note"}}));
    }
    let before = ts.call("GET", "/v1/catalog", None, None).json()["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let p = admin.post_file(
        "/console/admin/catalog",
        &[("_csrf", &token)],
        "catalog.json",
        catalog.to_string().as_bytes(),
    );
    let to = p.location.clone().unwrap_or_default();
    assert!(
        to.starts_with("/console/admin/catalog?ok=published&from="),
        "{to}"
    );
    let page = admin.get(&to);
    assert!(
        page.body
            .contains(&format!("Perubahan dari versi {before} ke {version}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Isian baru") && page.body.contains("catatan_uji"));
    assert_eq!(
        ts.call("GET", "/v1/catalog", None, None).json()["version"],
        version.as_str()
    );
    let again = admin.post_file(
        "/console/admin/catalog",
        &[("_csrf", &token)],
        "catalog.json",
        catalog.to_string().as_bytes(),
    );
    assert_eq!(again.status, 422, "the same version again is refused");

    // A holiday, its name escaped.
    let p = admin.post(
        "/console/admin/holidays",
        &[
            ("_csrf", &token),
            ("date", "2026-12-25"),
            ("name", "Natal \"><img src=x onerror=alert(1)>"),
        ],
    );
    assert_eq!(
        p.location.as_deref(),
        Some("/console/admin/holidays?year=2026&ok=holiday_added")
    );
    let list = admin.get("/console/admin/holidays?year=2026");
    assert!(
        list.body
            .contains("Natal &#34;&#62;&#60;img src=x onerror=alert(1)&#62;")
    );
    assert!(!list.body.contains("<img src=x"));
    assert_eq!(
        admin
            .post(
                "/console/admin/holidays",
                &[("_csrf", &token), ("date", "2026-02-30"), ("name", "x")]
            )
            .status,
        422
    );
    let p = admin.post(
        "/console/admin/holidays/2026-12-25/remove",
        &[("_csrf", &token)],
    );
    assert_eq!(
        p.location.as_deref(),
        Some("/console/admin/holidays?year=2026&ok=holiday_removed")
    );
}

#[test]
fn the_dashboard_draws_charts_and_offers_the_files() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen = ts.citizen(&nik(1), "Siti Rahma");
    let r = ts.push(
        &citizen,
        &[submit(&payload(&ts, &citizen, &fx, VILLAGE_X, None))],
    );
    assert_eq!(r[0]["status"], "accepted");
    let mut admin = admin_browser(&ts);
    let page = admin.get("/console/admin/stats");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg") && page.body.contains("class=\"bar\""));
    assert!(page.body.contains(VILLAGE_X));
    let year = ceria_core::Date::today(420).year();
    let file = admin.get(&format!(
        "/console/admin/stats/export?year={year}&format=xlsx"
    ));
    assert_eq!(file.status, 200);
    assert_eq!(
        file.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok()),
        Some(format!("attachment; filename=\"statistik-{year}.xlsx\"").as_str())
    );
    let list = admin.get(&format!(
        "/console/admin/requests/export?year={year}&format=csv"
    ));
    assert_eq!(list.status, 200);
    assert!(list.body.contains(VILLAGE_X));
    assert_eq!(
        admin.get("/console/admin/stats/export?format=pdf").status,
        404
    );
}
