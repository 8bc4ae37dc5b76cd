//! End-to-end: the device core against the real reference server on loopback, through the
//! fault-injecting proxy (connections dropped mid-body, responses truncated, stalls, 500 and
//! 429 answers, no network, a server restart mid-upload, an expired session).

use ceria_core::protocol::Role;
use ceria_core::{CancelToken, Device, DeviceError, LocalState, SyncListener, SyncProgress};
use ceria_e2e::proxy::{Proxy, Rule};
use ceria_test_support::{
    TestServer, device_config, example_form, nik as citizen_nik, now_ms, queue_ktp,
    sync_until_done, write_file,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;

const PASSWORD: &str = "Pohon-Kelapa-Tinggi-3";
/// The village of the `ktp_baru` example form (Padang Pariaman).
const VILLAGE: &str = "13.05.02.2002";

fn citizen(server: &TestServer, url: &str, name: &str, nik: &str) -> (Device, PathBuf) {
    let dir = server.scratch(name);
    let device = Device::open_with(device_config(&dir.join("data"), url)).expect("device opens");
    device
        .register(nik, "Siti Rahmawati", "081234567890", PASSWORD)
        .expect("registered");
    (device, dir)
}

fn sync(device: &Device) -> Result<ceria_core::SyncReport, DeviceError> {
    device.sync(None, &CancelToken::new())
}

/// The server's requests by tracking code, checked for duplicates.
fn server_by_tracking(
    server: &TestServer,
    token: &str,
) -> std::collections::HashMap<String, serde_json::Value> {
    let list = server.requests(token);
    let map: std::collections::HashMap<_, _> = list
        .iter()
        .map(|r| (r["tracking_code"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    assert_eq!(map.len(), list.len(), "duplicate tracking codes");
    map
}

fn assert_files_identical(
    server: &TestServer,
    token: &str,
    server_id: &str,
    device: &Device,
    local: &str,
) {
    let detail = server.detail(token, server_id);
    let info = device.request(local).unwrap();
    assert_eq!(
        detail["attachments"].as_array().unwrap().len(),
        info.attachments.len()
    );
    for a in &info.attachments {
        let bytes = server.attachment(token, server_id, &a.sha256);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), a.sha256);
        // The device's copy is sealed on disk; its plaintext is what the server holds.
        assert_eq!(bytes, device.attachment_content(&a.id).unwrap());
    }
}

#[test]
fn whole_workflow_through_a_faulty_network() {
    let server = TestServer::start();
    let proxy = Proxy::start(server.addr()).unwrap();
    let (device, dir) = citizen(&server, &proxy.url(), "citizen", &citizen_nik(1));
    let local = queue_ktp(&device, &dir, 2, 300_000, 1);

    // A PATCH cut mid-body, a push answer cut short (the server applied it), a 500 on pull.
    proxy.push(Rule::DropRequest {
        matches: "PATCH /v1/uploads/".into(),
        after: 100_000,
    });
    proxy.push(Rule::TruncateResponse {
        matches: "POST /v1/sync/push".into(),
        after: 30,
    });
    proxy.push(Rule::Status {
        matches: "GET /v1/sync/pull".into(),
        status: 500,
        retry_after: None,
    });
    sync_until_done(&device, 20).unwrap();
    let _ = sync(&device);
    assert_eq!(proxy.pending_rules(), 0, "every fault was hit");

    let officer = server.officer();
    let on_server = server_by_tracking(&server, &officer);
    assert_eq!(on_server.len(), 1, "exactly once");
    let info = device.request(&local).unwrap();
    assert_eq!(info.state, LocalState::Submitted);
    let tracking = info.tracking_code.clone().unwrap();
    let server_id = on_server[&tracking]["id"].as_str().unwrap().to_string();
    assert_files_identical(&server, &officer, &server_id, &device, &local);

    // Returned for fixing, with a reason on the attachment.
    let body = json!({"to": "returned", "reasons": [{"target": "kk", "message": "Foto KK buram"}]});
    assert_eq!(server.transition(&officer, &server_id, body).status, 200);
    sync(&device).unwrap();
    let info = device.request(&local).unwrap();
    assert_eq!(info.state, LocalState::Returned);
    assert_eq!(info.reasons[0].message, "Foto KK buram");
    assert!(info.can_revise);

    let draft = device.revise(&local).unwrap();
    device.remove_attachment(&draft.attachments[0].id).unwrap();
    let sharper = dir.join("kk-tajam.jpg");
    write_file(&sharper, 250_000, 77);
    device
        .attach(&draft.id, "kk", &sharper.to_string_lossy(), "image/jpeg")
        .unwrap();
    device.finalise(&draft.id).unwrap();
    sync_until_done(&device, 10).unwrap();
    assert_eq!(device.request(&local).unwrap().state, LocalState::Submitted);
    assert_eq!(
        server.detail(&officer, &server_id)["request"]["state"],
        "submitted"
    );
    assert_files_identical(&server, &officer, &server_id, &device, &local);

    for to in ["verified", "processing"] {
        assert_eq!(
            server
                .transition(&officer, &server_id, json!({"to": to}))
                .status,
            200
        );
    }
    let doc = json!({"number": "1305-KTP-0001", "pickup": "Ambil di kantor nagari"});
    assert_eq!(
        server
            .transition(
                &officer,
                &server_id,
                json!({"to": "completed", "document": doc})
            )
            .status,
        200
    );
    sync(&device).unwrap();
    let info = device.request(&local).unwrap();
    assert_eq!(info.state, LocalState::Completed);
    assert_eq!(info.document.unwrap().number, "1305-KTP-0001");
    let steps: Vec<LocalState> = info
        .timeline
        .iter()
        .filter(|t| t.from_server)
        .map(|t| t.state)
        .collect();
    assert_eq!(
        steps,
        [
            LocalState::Submitted,
            LocalState::Returned,
            LocalState::Submitted,
            LocalState::Verified,
            LocalState::Processing,
            LocalState::Completed
        ]
    );
    assert_eq!(server_by_tracking(&server, &officer).len(), 1);
}

#[test]
fn rate_limits_and_server_errors_back_off_then_deliver_once() {
    let server = TestServer::start();
    let proxy = Proxy::start(server.addr()).unwrap();
    let (device, dir) = citizen(&server, &proxy.url(), "citizen", &citizen_nik(2));
    let local = queue_ktp(&device, &dir, 1, 10_000, 2);
    proxy.push(Rule::Status {
        matches: "POST /v1/sync/push".into(),
        status: 429,
        retry_after: Some(1),
    });
    match sync(&device) {
        Err(DeviceError::Server {
            status: 429,
            retry_after_ms: Some(1000),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let waiting = device.request(&local).unwrap();
    assert!(waiting.next_attempt_ms.unwrap() >= now_ms() + 500);
    assert!(waiting.last_error.unwrap().contains("429"));
    // Within the Retry-After window the operation is not sent again.
    let pushes = proxy.requests();
    let report = sync(&device).unwrap();
    assert_eq!(report.pending_operations, 1);
    // (An unverified citizen's pass also asks `GET /v1/me` for its identity state.)
    assert!(
        proxy.requests() - pushes <= 3,
        "only identity, pull and catalog"
    );

    std::thread::sleep(std::time::Duration::from_millis(1_050));
    proxy.push(Rule::Status {
        matches: "POST /v1/sync/push".into(),
        status: 503,
        retry_after: None,
    });
    assert!(matches!(
        sync(&device),
        Err(DeviceError::Server { status: 503, .. })
    ));
    sync_until_done(&device, 20).unwrap();
    assert_eq!(device.request(&local).unwrap().state, LocalState::Submitted);
    assert_eq!(server.requests(&server.officer()).len(), 1);
}

#[test]
fn stall_and_no_network_lose_nothing() {
    let server = TestServer::start();
    let proxy = Proxy::start(server.addr()).unwrap();
    let dir = server.scratch("citizen");
    let mut config = device_config(&dir.join("data"), &proxy.url());
    // Registration hashes a password on the server, which can take longer than the short read
    // timeout on a loaded machine: register with the default timeouts, then reopen.
    Device::open_with(config.clone())
        .unwrap()
        .register(&citizen_nik(3), "Rahmat Hidayat", "081298765432", PASSWORD)
        .unwrap();
    config.read_timeout_ms = 400;
    let device = Device::open_with(config).unwrap();
    let a = queue_ktp(&device, &dir, 1, 20_000, 3);

    // The push is held past the read timeout, then still reaches the server: the device's
    // retry in the same pass must replay it, not submit it twice.
    proxy.push(Rule::Stall {
        matches: "POST /v1/sync/push".into(),
        millis: 1_200,
    });
    sync_until_done(&device, 20).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1_300));
    assert_eq!(server.requests(&server.officer()).len(), 1);
    assert_eq!(device.request(&a).unwrap().state, LocalState::Submitted);

    proxy.set_offline(true);
    let b = queue_ktp(&device, &dir, 1, 20_000, 4);
    match sync(&device) {
        Err(e @ DeviceError::Offline { .. }) => assert_eq!(e.code(), "sync.offline"),
        other => panic!("{other:?}"),
    }
    assert_eq!(device.request(&b).unwrap().state, LocalState::Uploading);
    proxy.set_offline(false);
    sync_until_done(&device, 20).unwrap();
    assert_eq!(device.request(&b).unwrap().state, LocalState::Submitted);
    assert_eq!(server.requests(&server.officer()).len(), 2);
}

struct CancelAfter {
    token: CancelToken,
    bytes: u64,
}

impl SyncListener for CancelAfter {
    fn on_progress(&self, p: SyncProgress) {
        if p.bytes_sent >= self.bytes {
            self.token.cancel();
        }
    }
}

#[test]
fn server_restart_mid_upload_resumes_byte_identical() {
    let mut server = TestServer::start();
    let proxy = Proxy::start(server.addr()).unwrap();
    let (device, dir) = citizen(&server, &proxy.url(), "citizen", &citizen_nik(4));
    let local = queue_ktp(&device, &dir, 1, 3 * 1024 * 1024, 5);
    let token = CancelToken::new();
    let listener = Arc::new(CancelAfter {
        token: token.clone(),
        bytes: 1024 * 1024,
    });
    assert!(matches!(
        device.sync(Some(listener), &token),
        Err(DeviceError::Cancelled { .. })
    ));
    let before = proxy.bytes_up();
    assert!(before < 2 * 1024 * 1024, "{before}");

    server.restart();
    sync_until_done(&device, 20).unwrap();
    let total = proxy.bytes_up();
    assert!(
        total < 3 * 1024 * 1024 + 200 * 1024,
        "resumed, not restarted: {total}"
    );
    let officer = server.officer();
    let info = device.request(&local).unwrap();
    let on_server = server_by_tracking(&server, &officer);
    let id = on_server[info.tracking_code.as_deref().unwrap()]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_files_identical(&server, &officer, &id, &device, &local);
}

#[test]
fn expired_session_asks_to_log_in_again_and_keeps_the_queue() {
    let server = TestServer::start_with(|c| c.session_ttl = std::time::Duration::from_secs(1));
    let (device, dir) = citizen(&server, &server.base_url(), "citizen", &citizen_nik(5));
    let local = queue_ktp(&device, &dir, 1, 5_000, 6);
    std::thread::sleep(std::time::Duration::from_millis(1_200));
    match sync(&device) {
        Err(e @ DeviceError::Unauthorized { .. }) => assert_eq!(e.code(), "auth.session_expired"),
        other => panic!("{other:?}"),
    }
    let account = device.current_account().unwrap().unwrap();
    assert!(account.needs_login);
    assert_eq!(device.request(&local).unwrap().state, LocalState::Queued);
    device.login(&citizen_nik(5), PASSWORD).unwrap();
    sync_until_done(&device, 5).unwrap();
    assert_eq!(device.request(&local).unwrap().state, LocalState::Submitted);
    match device.login(&citizen_nik(5), "salah-sandi") {
        Err(e @ DeviceError::Unauthorized { .. }) => {
            assert_eq!(e.code(), "auth.invalid_credentials")
        }
        other => panic!("{other:?}"),
    }
}

/// A session in its last week is renewed by sync, and a renewal whose answer is lost on the
/// way costs nothing: the old token still works, the pass completes, the next one renews.
#[test]
fn sync_renews_a_session_in_its_last_week_even_when_the_answer_is_lost() {
    let server =
        TestServer::start_with(|c| c.session_ttl = std::time::Duration::from_secs(3 * 24 * 3600));
    let proxy = Proxy::start(server.addr()).unwrap();
    let (device, dir) = citizen(&server, &proxy.url(), "citizen", &citizen_nik(6));
    let first = device.current_account().unwrap().unwrap();
    let first_expiry = first.session_expires_ms.expect("logged in");
    let local = queue_ktp(&device, &dir, 1, 5_000, 7);

    // The server renews, but its answer never arrives: the pass goes on with the old token.
    proxy.push(Rule::TruncateResponse {
        matches: "POST /v1/sessions/current/refresh".into(),
        after: 20,
    });
    std::thread::sleep(std::time::Duration::from_millis(20));
    sync_until_done(&device, 5).unwrap();
    assert_eq!(proxy.pending_rules(), 0, "the renewal answer was cut");
    assert_eq!(device.request(&local).unwrap().state, LocalState::Submitted);

    let renewed = device.current_account().unwrap().unwrap();
    assert!(renewed.logged_in && !renewed.needs_login);
    let renewed_expiry = renewed.session_expires_ms.expect("still logged in");
    assert!(
        renewed_expiry > first_expiry,
        "{renewed_expiry} > {first_expiry}"
    );
    // The renewed token works for the next pass as well.
    sync(&device).unwrap();
    assert!(!device.current_account().unwrap().unwrap().needs_login);
}

#[test]
fn operator_submits_for_a_citizen_who_sees_it_and_cancels_their_own() {
    let server = TestServer::start();
    server.create_staff(
        Role::Operator,
        "operator.nagari",
        "Kursi-Rotan-Coklat-5",
        Some(VILLAGE),
    );
    let (values, _) = example_form("ktp_baru");
    let applicant = values["nik"].clone();

    let op_dir = server.scratch("operator");
    let operator =
        Device::open_with(device_config(&op_dir.join("data"), &server.base_url())).unwrap();
    operator
        .login("operator.nagari", "Kursi-Rotan-Coklat-5")
        .unwrap();
    let draft = operator.create_draft("ktp_baru").unwrap();
    operator.set_values(&draft.id, values).unwrap();
    let kk = op_dir.join("kk.jpg");
    write_file(&kk, 40_000, 9);
    operator
        .attach(&draft.id, "kk", &kk.to_string_lossy(), "image/jpeg")
        .unwrap();
    operator
        .set_draft_context(&draft.id, None, Some(applicant.clone()))
        .unwrap();
    let filed = operator.finalise(&draft.id).unwrap();
    assert_eq!(filed.village.as_deref(), Some(VILLAGE));
    sync_until_done(&operator, 5).unwrap();
    let tracking = operator.request(&filed.id).unwrap().tracking_code.unwrap();

    // The citizen sees the request filed for them, from the feed alone, once the operator
    // has checked their KTP-el (issue 11: a registered NIK alone proves nothing).
    let (citizen_dev, dir) = citizen(&server, &server.base_url(), "citizen", &applicant);
    let staff = server.login_with("operator.nagari", "Kursi-Rotan-Coklat-5");
    let r = server.call(
        "POST",
        "/v1/identity/verifications",
        Some(&staff),
        Some(&serde_json::json!({"nik": applicant, "document": "ktp_el"})),
    );
    assert_eq!(r.status, 200);
    sync(&citizen_dev).unwrap();
    let seen = citizen_dev.requests().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].tracking_code.as_deref(), Some(tracking.as_str()));
    assert_eq!(seen[0].state, LocalState::Submitted);

    // Their own request, cancelled after the registry accepted it.
    let own = queue_ktp(&citizen_dev, &dir, 1, 8_000, 10);
    sync_until_done(&citizen_dev, 5).unwrap();
    let info = citizen_dev.cancel(&own).unwrap();
    assert!(info.cancel_pending);
    sync_until_done(&citizen_dev, 5).unwrap();
    assert_eq!(
        citizen_dev.request(&own).unwrap().state,
        LocalState::Cancelled
    );
    let officer = server.officer();
    let on_server = server_by_tracking(&server, &officer);
    let own_code = citizen_dev.request(&own).unwrap().tracking_code.unwrap();
    assert_eq!(on_server[&own_code]["state"], "cancelled");
    assert_eq!(on_server[&tracking]["state"], "submitted");
    // The operator's device hears of the change through its village feed.
    sync(&operator).unwrap();
    assert_eq!(operator.requests().unwrap().len(), 2);
}

#[test]
fn a_newer_catalog_published_by_the_admin_reaches_the_device() {
    let server = TestServer::start();
    server.create_staff(Role::Admin, "admin.dukcapil", "Jendela-Kaca-Bening-6", None);
    let (device, _) = citizen(&server, &server.base_url(), "citizen", &citizen_nik(6));
    let report = sync(&device).unwrap();
    assert!(!report.catalog_updated, "same catalog as embedded");
    let mut source: serde_json::Value = serde_json::from_str(device.catalog().json()).unwrap();
    source["version"] = json!("2099.1.1");
    let admin = server.login_with("admin.dukcapil", "Jendela-Kaca-Bening-6");
    let reply = server.call("PUT", "/v1/catalog", Some(&admin), Some(&source));
    let (status, body) = (
        reply.status,
        String::from_utf8_lossy(&reply.body).into_owned(),
    );
    assert!(status == 200 || status == 201, "{status} {body}");
    assert!(sync(&device).unwrap().catalog_updated);
    assert_eq!(device.catalog().version(), "2099.1.1");
    assert!(
        !sync(&device).unwrap().catalog_updated,
        "ETag: not fetched again"
    );
}
