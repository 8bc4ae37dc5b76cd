//! Every role boundary: other citizens, other villages, the wrong role, no or dead tokens.

use ceria_core::protocol::{Operation, Role};
use ceria_test_support::*;
use serde_json::json;

struct World {
    ts: TestServer,
    alice: String,
    bob: String,
    op_x: String,
    op_y: String,
    officer: String,
    admin: String,
    request: String,
    sha: String,
}

fn world() -> World {
    let ts = TestServer::start();
    let fx = fixture();
    let alice = ts.citizen(&nik(11), "Alice Maharani");
    let bob = ts.citizen(&nik(12), "Bob Saputra");
    let op_x = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let op_y = ts.staff(Role::Operator, "operator.y", Some(VILLAGE_Y));
    let officer = ts.staff(Role::Officer, "petugas", None);
    let admin = ts.staff(Role::Admin, "admin", None);
    let p = payload(&ts, &alice, &fx, VILLAGE_X, None);
    let sha = p.attachments[0].sha256.clone();
    let results = ts.push(&alice, &[submit(&p)]);
    assert_eq!(results[0]["status"], "accepted", "{results:?}");
    let request = results[0]["request_id"].as_str().unwrap().to_string();
    World {
        ts,
        alice,
        bob,
        op_x,
        op_y,
        officer,
        admin,
        request,
        sha,
    }
}

#[test]
fn citizens_see_and_touch_only_their_own_requests() {
    let w = world();
    let ts = &w.ts;
    assert_eq!(ts.pull_all(&w.alice).len(), 1);
    assert!(
        ts.pull_all(&w.bob).is_empty(),
        "Bob sees nothing of Alice's"
    );
    // Bob cannot cancel or revise Alice's request: for him it does not exist.
    let cancel = Operation::Cancel {
        op_id: op_id(),
        request_id: w.request.clone(),
    };
    let r = ts.push(&w.bob, &[cancel]);
    assert_eq!(r[0]["status"], "conflict");
    assert_eq!(r[0]["code"], "request.not_found");
    // Citizens have no review endpoints at all.
    let id = &w.request;
    for (method, path) in [
        ("GET", "/v1/requests".to_string()),
        ("GET", format!("/v1/requests/{id}")),
        ("GET", format!("/v1/requests/{id}/attachments/{}", w.sha)),
        ("GET", "/v1/stats".to_string()),
    ] {
        ts.call(method, &path, Some(&w.alice), None)
            .problem(403, "auth.forbidden");
    }
    ts.transition(&w.alice, id, json!({"to": "verified"}))
        .problem(403, "auth.forbidden");
    ts.transition(&w.alice, id, json!({"to": "cancelled"}))
        .problem(403, "auth.forbidden");
    // Bob cannot file in Alice's name.
    let fx = fixture();
    let mut p = payload(ts, &w.bob, &fx, VILLAGE_X, Some(&nik(11)));
    let r = ts.push(&w.bob, &[submit(&p)]);
    assert_eq!(r[0]["status"], "rejected");
    assert_eq!(r[0]["issues"][0]["code"], "auth.forbidden");
    // ... nor attach files Alice uploaded (content he does not own).
    p.on_behalf_of = None;
    p.attachments[0].sha256 = w.sha.clone();
    let r = ts.push(&w.bob, &[submit(&p)]);
    assert_eq!(r[0]["status"], "rejected");
    assert_eq!(r[0]["issues"][0]["code"], "attachment.not_uploaded");
}

#[test]
fn operators_are_bound_to_their_village() {
    let w = world();
    let ts = &w.ts;
    let id = &w.request;
    // Village Y's operator: the request does not exist for them.
    let queue = ts.call("GET", "/v1/requests", Some(&w.op_y), None).json();
    assert!(queue["items"].as_array().unwrap().is_empty());
    let queue = ts
        .call(
            "GET",
            &format!("/v1/requests?village={VILLAGE_X}"),
            Some(&w.op_y),
            None,
        )
        .json();
    assert!(
        queue["items"].as_array().unwrap().is_empty(),
        "the filter cannot widen the scope"
    );
    ts.call("GET", &format!("/v1/requests/{id}"), Some(&w.op_y), None)
        .problem(404, "request.not_found");
    ts.call(
        "GET",
        &format!("/v1/requests/{id}/attachments/{}", w.sha),
        Some(&w.op_y),
        None,
    )
    .problem(404, "request.not_found");
    ts.transition(&w.op_y, id, json!({"to": "verified"}))
        .problem(404, "request.not_found");
    assert!(ts.pull_all(&w.op_y).is_empty());
    // Village X's operator sees it but cannot do the registry's work.
    assert_eq!(ts.pull_all(&w.op_x).len(), 1);
    ts.transition(&w.op_x, id, json!({"to": "processing"}))
        .problem(403, "auth.forbidden");
    assert_eq!(
        ts.transition(&w.op_x, id, json!({"to": "verified"})).status,
        200
    );
    assert_eq!(
        ts.transition(&w.officer, id, json!({"to": "processing"}))
            .status,
        200
    );
    let doc = json!({"to": "completed", "document": {"number": "1", "pickup": "Kantor nagari"}});
    ts.transition(&w.op_x, id, doc.clone())
        .problem(403, "auth.forbidden");
    ts.transition(&w.op_x, id, json!({"to": "rejected", "note": "x"}))
        .problem(403, "auth.forbidden");
    ts.call("GET", "/v1/stats", Some(&w.op_x), None)
        .problem(403, "auth.forbidden");
    // Operators cannot cancel (a citizen's decision) through review either.
    ts.transition(&w.officer, id, json!({"to": "cancelled"}))
        .problem(409, "state.illegal_transition");
}

#[test]
fn admins_and_officers_stay_in_their_lanes() {
    let w = world();
    let ts = &w.ts;
    let id = &w.request;
    // Admin: accounts, catalog, regions, stats; not reviewing, not pushing.
    ts.transition(&w.admin, id, json!({"to": "verified"}))
        .problem(403, "auth.forbidden");
    ts.call("GET", "/v1/requests", Some(&w.admin), None)
        .problem(403, "auth.forbidden");
    assert_eq!(
        ts.call("GET", "/v1/stats", Some(&w.admin), None).status,
        200
    );
    assert_eq!(
        ts.call("GET", "/v1/stats", Some(&w.officer), None).status,
        200
    );
    for token in [&w.admin, &w.officer] {
        let r = ts.call(
            "POST",
            "/v1/sync/push",
            Some(token),
            Some(&json!({"operations": []})),
        );
        r.problem(403, "auth.forbidden");
    }
    // Only an admin publishes catalogs.
    for token in [&w.officer, &w.op_x, &w.alice] {
        ts.call("PUT", "/v1/catalog", Some(token), Some(&json!({})))
            .problem(403, "auth.forbidden");
    }
    // Illegal transitions are refused whoever asks.
    ts.transition(
        &w.officer,
        id,
        json!({"to": "completed", "document": {"number": "1", "pickup": "x"}}),
    )
    .problem(409, "state.illegal_transition");
    ts.transition(&w.officer, id, json!({"to": "submitted"}))
        .problem(409, "state.illegal_transition");
    ts.transition(&w.officer, id, json!({"to": "flying"}))
        .problem(422, "request.malformed");
    ts.transition(&w.officer, "no-such-id", json!({"to": "verified"}))
        .problem(404, "request.not_found");
}

#[test]
fn tokens_must_be_live() {
    let w = world();
    let ts = &w.ts;
    ts.call("GET", "/v1/me", None, None)
        .problem(401, "auth.session_expired");
    ts.call("GET", "/v1/me", Some("not-a-token"), None)
        .problem(401, "auth.session_expired");
    let r = ts.raw(
        "GET",
        "/v1/me",
        None,
        &[("authorization", "Basic YTpi")],
        None,
    );
    r.problem(401, "auth.session_expired");
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    let me = ts.call("GET", "/v1/me", Some(&w.op_x), None).json();
    assert_eq!(me["role"], "operator");
    assert_eq!(me["village"], VILLAGE_X);
    // Logout kills this token only.
    let second = ts.login("operator.x");
    assert_eq!(
        ts.call("DELETE", "/v1/sessions/current", Some(&w.op_x), None)
            .status,
        204
    );
    ts.call("GET", "/v1/me", Some(&w.op_x), None)
        .problem(401, "auth.session_expired");
    assert_eq!(ts.call("GET", "/v1/me", Some(&second), None).status, 200);
    // Uploads belong to their owner.
    let location = ts.create_upload(&w.alice, 10, None);
    let tus = [("tus-resumable", "1.0.0")];
    assert_eq!(
        ts.raw("HEAD", &location, Some(&w.bob), &tus, None).status,
        404
    );
    assert_eq!(
        ts.patch(&w.bob, &location, 0, b"0123456789", None).status,
        404
    );
    assert_eq!(
        ts.raw("DELETE", &location, Some(&w.bob), &tus, None).status,
        404
    );
    assert_eq!(
        ts.raw(
            "POST",
            "/v1/uploads",
            None,
            &[("tus-resumable", "1.0.0"), ("upload-length", "1")],
            None
        )
        .status,
        401
    );
    assert_eq!(ts.offset(&w.alice, &location), 0);
}

/// A live token buys a new one; the old keeps working until its own expiry (a lost answer
/// costs nothing), and a logout with either ends both (one login, one family). Dead or
/// missing tokens cannot refresh.
#[test]
fn a_live_session_refreshes_into_a_new_token() {
    let w = world();
    let ts = &w.ts;
    const REFRESH: &str = "/v1/sessions/current/refresh";
    let login = ts
        .call(
            "POST",
            "/v1/sessions",
            None,
            Some(&json!({"username": "operator.x", "password": PASSWORD})),
        )
        .json();
    let old = login["token"].as_str().unwrap().to_string();
    let old_expiry = login["expires_at_ms"].as_i64().unwrap();
    let r = ts.call("POST", REFRESH, Some(&old), None);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let body = r.json();
    let new = body["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(body["expires_at_ms"].as_i64().unwrap() >= old_expiry);
    assert_eq!(body["user"]["username"], "operator.x");
    assert_eq!(body["user"]["role"], "operator");
    for token in [&old, &new] {
        let me = ts.call("GET", "/v1/me", Some(token), None);
        assert_eq!(me.status, 200);
        assert_eq!(me.json()["village"], VILLAGE_X);
    }
    assert_eq!(
        ts.call("DELETE", "/v1/sessions/current", Some(&new), None)
            .status,
        204
    );
    ts.call("POST", REFRESH, Some(&new), None)
        .problem(401, "auth.session_expired");
    assert_eq!(ts.call("GET", "/v1/me", Some(&old), None).status, 401);
    ts.call("POST", REFRESH, None, None)
        .problem(401, "auth.session_expired");
    ts.call("POST", REFRESH, Some("not-a-token"), None)
        .problem(401, "auth.session_expired");
}
