//! The staff web console over HTTP: sessions (sign-in on the API's login check and limits,
//! sign-out, expiry, citizens refused), CSRF refusals, the scope rule (another village's
//! request is a 404), escaping of what people typed, and the security headers.

use ceria_core::protocol::Role;
use ceria_test_support::*;
use std::time::Duration;

mod web_browser;

use web_browser::*;

impl Browser {
    /// Signs in through the form; the answer to the form's post.
    fn sign_in(&mut self, username: &str, password: &str) -> Page {
        self.post_form(
            "/console/signin",
            &[("username", username), ("password", password)],
        )
    }

    /// The anti-forgery token of the current session (from the queue page's forms).
    fn csrf(&mut self) -> String {
        csrf_in(&self.get("/console/requests").body)
    }
}

/// A citizen's request in `village`, pushed through the sync API; its server id.
fn request_in(ts: &TestServer, serial: u32, village: &str) -> String {
    let fx = fixture();
    let citizen = ts.citizen(&nik(serial), "Siti Rahma");
    let op = submit(&payload(ts, &citizen, &fx, village, None));
    let results = ts.push(&citizen, &[op]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    results[0]["request_id"].as_str().unwrap().to_string()
}

fn state_of(ts: &TestServer, id: &str) -> String {
    let officer = ts.officer();
    let r = ts.call("GET", &format!("/v1/requests/{id}"), Some(&officer), None);
    r.json()["request"]["state"].as_str().unwrap().to_string()
}

#[test]
fn nothing_without_a_session() {
    let ts = TestServer::start();
    let id = request_in(&ts, 1, VILLAGE_X);
    let mut anon = Browser::new(&ts);
    for path in [
        "/console/".to_string(),
        "/console/requests".to_string(),
        format!("/console/requests/{id}"),
        "/console/admin/".to_string(),
    ] {
        let p = anon.get(&path);
        assert_eq!(
            (p.status, p.location.as_deref()),
            (303, Some("/console/signin")),
            "{path}"
        );
    }
    let p = anon.post(
        &format!("/console/requests/{id}/transition"),
        &[("to", "verified")],
    );
    assert_eq!(p.location.as_deref(), Some("/console/signin"));
    // A forged or stale cookie is no session either.
    anon.cookies.push(("ceria_session".into(), "forged".into()));
    assert_eq!(anon.get("/console/requests").status, 303);
    assert_eq!(state_of(&ts, &id), "submitted");
}

#[test]
fn sign_in_out_and_expiry() {
    let ts = TestServer::start_with(|c| c.web_session_ttl = Duration::from_secs(2));
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    let p = b.sign_in("op.x", PASSWORD);
    assert_eq!(
        (p.status, p.location.as_deref()),
        (303, Some("/console/requests"))
    );
    let session = p
        .cookies
        .iter()
        .find(|c| c.starts_with("ceria_session="))
        .unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/console", "Max-Age=2"] {
        assert!(session.contains(attr), "{session}");
    }
    assert!(!session.contains("Secure"), "{session}");
    assert_eq!(b.get("/console/requests").status, 200);
    // Sign out ends it, on the server too (the old cookie no longer works).
    let stolen = b.cookies.clone();
    let token = b.csrf();
    let p = b.post("/console/signout", &[("_csrf", &token)]);
    assert_eq!(p.location.as_deref(), Some("/console/signin"));
    b.cookies = stolen;
    assert_eq!(b.get("/console/requests").status, 303);
    // A new sign-in expires after the configured lifetime.
    b.sign_in("op.x", PASSWORD);
    assert_eq!(b.get("/console/requests").status, 200);
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(b.get("/console/requests").status, 303);
}

#[test]
fn secure_cookies_behind_tls() {
    let ts = TestServer::start_with(|c| c.secure_cookies = true);
    ts.create_staff(Role::Officer, "petugas.x", PASSWORD, None);
    let p = Browser::new(&ts).sign_in("petugas.x", PASSWORD);
    assert!(
        p.cookies.iter().all(|c| c.ends_with("; Secure")),
        "{:?}",
        p.cookies
    );
}

#[test]
fn sign_in_counts_against_the_login_limits_and_refuses_citizens() {
    let ts = TestServer::start_with(|c| c.login_failures_per_minute = 2);
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    assert_eq!(b.sign_in("op.x", "salah-sekali-1").status, 401);
    assert_eq!(b.sign_in("op.x", "salah-sekali-2").status, 401);
    let p = b.sign_in("op.x", PASSWORD);
    assert_eq!(p.status, 429, "the right password waits too");
    assert!(p.body.contains("role=\"alert\""), "{}", p.body);
    // Citizens have accounts, but not in the console.
    ts.citizen(&nik(7), "Siti Rahma");
    let p = Browser::new(&ts).sign_in(&nik(7), PASSWORD);
    assert_eq!(p.status, 403);
    assert!(p.body.contains("hanya untuk petugas"), "{}", p.body);
    // The sign-in form's own token is required.
    let mut c = Browser::new(&ts);
    c.get("/console/signin");
    let p = c.post(
        "/console/signin",
        &[("username", "op.x"), ("password", PASSWORD)],
    );
    assert_eq!(p.status, 403);
}

#[test]
fn forms_need_the_session_token() {
    let ts = TestServer::start();
    let id = request_in(&ts, 1, VILLAGE_X);
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    b.sign_in("op.x", PASSWORD);
    let path = format!("/console/requests/{id}/transition");
    assert_eq!(b.post(&path, &[("to", "verified")]).status, 403);
    let wrong = "0".repeat(64);
    assert_eq!(
        b.post(&path, &[("to", "verified"), ("_csrf", &wrong)])
            .status,
        403
    );
    assert_eq!(state_of(&ts, &id), "submitted");
    // Another session's token does not fit this one.
    let mut other = Browser::new(&ts);
    other.sign_in("op.x", PASSWORD);
    let theirs = other.csrf();
    assert_eq!(
        b.post(&path, &[("to", "verified"), ("_csrf", &theirs)])
            .status,
        403
    );
    let token = b.csrf();
    let p = b.post(&path, &[("to", "verified"), ("_csrf", &token)]);
    assert_eq!(
        p.location,
        Some(format!("/console/requests/{id}?done=verified"))
    );
    assert_eq!(state_of(&ts, &id), "verified");
}

#[test]
fn operators_see_only_their_village() {
    let ts = TestServer::start();
    let mine = request_in(&ts, 1, VILLAGE_X);
    let theirs = request_in(&ts, 2, VILLAGE_Y);
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    b.sign_in("op.x", PASSWORD);
    let queue = b.get("/console/requests").body;
    assert!(queue.contains(&mine) && !queue.contains(&theirs));
    assert_eq!(b.get(&format!("/console/requests/{theirs}")).status, 404);
    let token = b.csrf();
    let p = b.post(
        &format!("/console/requests/{theirs}/transition"),
        &[("to", "verified"), ("_csrf", &token)],
    );
    assert_eq!(p.status, 404);
    assert_eq!(state_of(&ts, &theirs), "submitted");
    // Officers' actions stay officers'.
    let p = b.post(
        &format!("/console/requests/{mine}/transition"),
        &[("to", "processing"), ("_csrf", &token)],
    );
    assert_eq!(p.status, 403);
    assert_eq!(
        b.post(
            "/console/requests/process",
            &[("id", &mine), ("_csrf", &token)]
        )
        .status,
        404
    );
    // Admins review nothing.
    ts.create_staff(Role::Admin, "admin", PASSWORD, None);
    let mut a = Browser::new(&ts);
    a.sign_in("admin", PASSWORD);
    assert_eq!(a.get(&format!("/console/requests/{mine}")).status, 404);
}

#[test]
fn what_people_type_is_escaped() {
    let ts = TestServer::start();
    let id = request_in(&ts, 1, VILLAGE_X);
    ts.create_staff(Role::Operator, "op.x", PASSWORD, Some(VILLAGE_X));
    let mut b = Browser::new(&ts);
    b.sign_in("op.x", PASSWORD);
    let token = b.csrf();
    let script = "<script>alert(1)</script>";
    let attr = "\"><img src=x onerror=alert(1)>";
    let p = b.post(
        &format!("/console/requests/{id}/transition"),
        &[
            ("_csrf", &token),
            ("to", "returned"),
            ("reason_target_1", attr),
            ("reason_message_1", script),
            ("reason_general", attr),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let page = b.get(&format!("/console/requests/{id}"));
    // askama writes `<`, `>` and `"` as numeric character references.
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("&#34;&#62;&#60;img src=x"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(script) && !page.body.contains("<img src=x"));
}

#[test]
fn security_headers_and_assets() {
    let ts = TestServer::start();
    let mut b = Browser::new(&ts);
    let p = b.get("/console/signin");
    let h = |name: &str| p.headers.get(name).unwrap().to_str().unwrap().to_string();
    let csp = h("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("x-frame-options"), "DENY");
    assert_eq!(h("cache-control"), "no-store");
    assert!(!p.body.contains(" style=") && !p.body.contains("<style"));
    // The assets, under hashed names, cached for a year; other names are not served.
    let css = p
        .body
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        css.starts_with("/console/assets/console.") && css.ends_with(".css"),
        "{css}"
    );
    let a = b.get(&css);
    assert_eq!(a.status, 200);
    let cache = a.headers.get("cache-control").unwrap().to_str().unwrap();
    assert!(cache.contains("immutable"), "{cache}");
    assert_eq!(b.get("/console/assets/console.css").status, 404);
    // The API keeps its own answers (no console cookies or pages there).
    let api = b.get("/v1/requests");
    assert_eq!(api.status, 401);
    assert!(api.body.contains("auth.session_expired"));
}
