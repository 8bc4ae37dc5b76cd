//! Logins that resist abuse, sessions that end, accounts an administrator can manage and
//! passwords that are not guessable (issue 11, findings 2, 3, 6, 8, 9 and 11), over HTTP
//! against the real server. The hashing counters (findings 4 and 6) are checked inside the
//! crate, in `http/accounts/tests`.

use ceria_core::protocol::Role;
use ceria_test_support::{PASSWORD, Reply, TestServer, nik};
use serde_json::{Value, json};
use std::sync::{Arc, Barrier};

const LOGIN: &str = "/v1/sessions";
const REFRESH: &str = "/v1/sessions/current/refresh";
const LOGOUT: &str = "/v1/sessions/current";

fn login_from(ts: &TestServer, username: &str, password: &str, address: Option<&str>) -> Reply {
    let body = serde_json::to_vec(&json!({"username": username, "password": password})).unwrap();
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = address {
        headers.push(("x-forwarded-for", a));
    }
    ts.raw("POST", LOGIN, None, &headers, Some(&body))
}

fn register(ts: &TestServer, serial: u32, password: &str) -> Reply {
    ts.call(
        "POST",
        "/v1/accounts",
        None,
        Some(
            &json!({"nik": nik(serial), "name": "Maya Sari", "phone": "0812-3456-7890",
                     "password": password}),
        ),
    )
}

fn token(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["token"].as_str().unwrap().to_string()
}

fn alive(ts: &TestServer, token: &str) -> bool {
    ts.call("GET", "/v1/me", Some(token), None).status == 200
}

/// Finding 2: a burst of simultaneous wrong logins is counted before any password is
/// checked, so no more than the limit are checked; the rest wait with `Retry-After`.
#[test]
fn a_concurrent_burst_checks_at_most_the_limit() {
    let ts = Arc::new(TestServer::start());
    ts.citizen(&nik(1), "Maya Sari");
    let barrier = Arc::new(Barrier::new(40));
    let threads: Vec<_> = (0..40)
        .map(|i| {
            let (ts, barrier) = (ts.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                login_from(&ts, &nik(1), &format!("salah-{i}-sandi"), None)
            })
        })
        .collect();
    let replies: Vec<Reply> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let checked = replies.iter().filter(|r| r.status == 401).count();
    let refused: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(checked <= 10, "{checked} wrong passwords were checked");
    assert_eq!(checked + refused.len(), 40);
    for r in refused {
        r.problem(429, "auth.rate_limited");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(wait >= 1, "{wait}");
    }
}

/// Finding 3: wrong logins from an attacker's address do not lock the owner out of their
/// account from another address; the attacker's address is limited with growing back-off.
#[test]
fn an_attacker_cannot_lock_the_owner_out() {
    let ts = TestServer::start_with(|c| c.trust_forwarded_for = true);
    ts.citizen(&nik(2), "Maya Sari");
    let attacker = Some("203.0.113.9");
    for _ in 0..10 {
        login_from(&ts, &nik(2), "tebak-tebakan", attacker)
            .problem(401, "auth.invalid_credentials");
    }
    let r = login_from(&ts, &nik(2), PASSWORD, attacker);
    r.problem(429, "auth.rate_limited");
    let first_wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&first_wait), "{first_wait}");
    // The owner, from home.
    token(&login_from(&ts, &nik(2), PASSWORD, Some("198.51.100.7")));
    // Another account from the attacker's address is not locked by this account's failures.
    ts.create_staff(Role::Officer, "petugas.lain", PASSWORD, None);
    token(&login_from(&ts, "petugas.lain", PASSWORD, attacker));
}

/// Finding 3: the client address is the socket peer unless a proxy is trusted, so a client
/// cannot pick a fresh address per attempt with `X-Forwarded-For`.
#[test]
fn forwarded_addresses_are_ignored_unless_a_proxy_is_trusted() {
    let ts = TestServer::start();
    ts.citizen(&nik(3), "Maya Sari");
    for i in 0..10 {
        let fake = format!("203.0.113.{i}");
        login_from(&ts, &nik(3), "tebak-tebakan", Some(&fake))
            .problem(401, "auth.invalid_credentials");
    }
    login_from(&ts, &nik(3), PASSWORD, Some("198.51.100.7")).problem(429, "auth.rate_limited");
}

/// Finding 6 (and 7's "40 accounts from one address"): registrations per address are limited.
#[test]
fn registrations_from_one_address_are_limited() {
    let ts = TestServer::start();
    let mut created = 0;
    let mut limited = None;
    for serial in 100..140 {
        let r = register(&ts, serial, PASSWORD);
        match r.status {
            201 => created += 1,
            _ => {
                limited = Some(r);
                break;
            }
        }
    }
    assert_eq!(created, 10, "registrations accepted from one address");
    let r = limited.expect("the 11th registration is refused");
    r.problem(429, "auth.registration_limited");
    assert!(r.header("retry-after").is_some());
}

/// Finding 8: logout ends every token of the login, including the refreshed ones.
#[test]
fn logout_ends_the_tokens_refreshed_from_the_login() {
    let ts = TestServer::start();
    ts.citizen(&nik(4), "Maya Sari");
    let first = ts.login(&nik(4));
    let second = token(&ts.call("POST", REFRESH, Some(&first), None));
    let third = token(&ts.call("POST", REFRESH, Some(&second), None));
    let other_login = ts.login(&nik(4));
    assert_eq!(ts.call("DELETE", LOGOUT, Some(&first), None).status, 204);
    for t in [&first, &second, &third] {
        assert!(
            !alive(&ts, t),
            "a token of the logged-out family still works"
        );
    }
    assert!(alive(&ts, &other_login), "another login is another family");
}

/// Finding 8: a family of refreshed tokens dies at a fixed time after its login.
#[test]
fn refresh_cannot_extend_a_login_forever() {
    let ts =
        TestServer::start_with(|c| c.session_family_lifetime = std::time::Duration::from_secs(2));
    ts.citizen(&nik(5), "Maya Sari");
    let login = login_from(&ts, &nik(5), PASSWORD, None).json();
    let first = login["token"].as_str().unwrap().to_string();
    let refreshed = ts.call("POST", REFRESH, Some(&first), None).json();
    assert!(
        refreshed["expires_at_ms"].as_i64().unwrap() <= login["expires_at_ms"].as_i64().unwrap()
    );
    let second = refreshed["token"].as_str().unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    ts.call("POST", REFRESH, Some(&second), None)
        .problem(401, "auth.session_expired");
    assert!(!alive(&ts, &second));
}

/// Finding 8: an account has at most ten live logins; the oldest ends first.
#[test]
fn live_logins_per_account_are_capped() {
    let ts = TestServer::start();
    ts.citizen(&nik(6), "Maya Sari");
    let tokens: Vec<String> = (0..11).map(|_| ts.login(&nik(6))).collect();
    // `citizen` logged in once too: the two oldest are gone.
    assert!(!alive(&ts, &tokens[0]));
    assert!(tokens[1..].iter().all(|t| alive(&ts, t)));
}

fn users(ts: &TestServer, admin: &str) -> Vec<Value> {
    let r = ts.call("GET", "/v1/users?limit=200", Some(admin), None);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = String::from_utf8_lossy(&r.body).to_string();
    assert!(!body.contains("argon2"), "a hash in the list: {body}");
    r.json()["items"].as_array().unwrap().clone()
}

/// Finding 9: an administrator disables and enables an account, resets its password and ends
/// its sessions over the API; each action is recorded in the account's audit log.
#[test]
fn an_admin_manages_accounts_and_every_action_is_audited() {
    let ts = TestServer::start();
    let admin = ts.staff(Role::Admin, "admin.kab", None);
    let citizen = ts.citizen(&nik(7), "Maya Sari");
    let id = users(&ts, &admin)
        .into_iter()
        .find(|u| u["username"] == nik(7).as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Only administrators.
    ts.call(
        "POST",
        &format!("/v1/users/{id}/disable"),
        Some(&citizen),
        None,
    )
    .problem(403, "auth.forbidden");
    ts.call("GET", "/v1/users", Some(&citizen), None)
        .problem(403, "auth.forbidden");
    ts.call("POST", "/v1/users/no-such-user/disable", Some(&admin), None)
        .problem(404, "request.not_found");

    // Disable: sessions end, login refused.
    let r = ts.call(
        "POST",
        &format!("/v1/users/{id}/disable"),
        Some(&admin),
        None,
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["disabled"], true);
    assert!(!alive(&ts, &citizen));
    login_from(&ts, &nik(7), PASSWORD, None).problem(403, "auth.account_disabled");
    // Enable: the password works again.
    let r = ts.call(
        "POST",
        &format!("/v1/users/{id}/enable"),
        Some(&admin),
        None,
    );
    assert_eq!(r.json()["disabled"], false);
    let session = ts.login(&nik(7));

    // Reset: a weak password is refused; a strong one ends the sessions.
    let reset = format!("/v1/users/{id}/password");
    ts.call(
        "POST",
        &reset,
        Some(&admin),
        Some(&json!({"password": "password"})),
    )
    .problem(422, "auth.common_password");
    let r = ts.call(
        "POST",
        &reset,
        Some(&admin),
        Some(&json!({"password": "Kerbau-Pagi-Hujan-71"})),
    );
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert!(!alive(&ts, &session));
    login_from(&ts, &nik(7), PASSWORD, None).problem(401, "auth.invalid_credentials");
    let session = ts.login_with(&nik(7), "Kerbau-Pagi-Hujan-71");

    // End sessions.
    let r = ts.call(
        "DELETE",
        &format!("/v1/users/{id}/sessions"),
        Some(&admin),
        None,
    );
    assert_eq!(r.status, 204);
    assert!(!alive(&ts, &session));

    // Audited: who did what to whom, when.
    let log = ceria_server::admin::account_history(&ts.db(), &nik(7)).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["disable", "enable", "reset_password", "end_sessions"]
    );
    assert!(log.iter().all(|e| e.actor == "admin.kab" && e.at_ms > 0));
}

/// Finding 11: common passwords and passwords made of the account's own data are refused
/// at registration and for staff accounts, each with its own code.
#[test]
fn guessable_passwords_are_refused() {
    let ts = TestServer::start();
    for common in ["12345678", "password", "password123", "qwertyuiop"] {
        register(&ts, 8, common).problem(422, "auth.common_password");
    }
    register(&ts, 8, &nik(8)).problem(422, "auth.personal_password");
    register(&ts, 8, "mayasari1981").problem(422, "auth.personal_password");
    register(&ts, 8, "081234567890").problem(422, "auth.personal_password");
    register(&ts, 8, "pendek").problem(422, "auth.weak_password");
    assert_eq!(register(&ts, 8, PASSWORD).status, 201);

    let staff = ceria_server::admin::create_user(
        &ts.db(),
        ceria_server::admin::StaffAccount {
            role: Role::Officer,
            username: "rina.putri".into(),
            password: "rina.putri2024".into(),
            name: Some("Rina Putri".into()),
            village: None,
        },
    )
    .unwrap_err();
    assert_eq!(staff.code(), "auth.personal_password");
}
