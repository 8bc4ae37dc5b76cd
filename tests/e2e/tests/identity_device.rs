//! On the phone (issue 11, finding 1): a citizen account starts unverified and its device
//! holds nothing an operator filed for the NIK; once verified (here against the register
//! extract, from the device) the next sync brings those requests in, their past included.

use ceria_core::protocol::{IdentityState, Role};
use ceria_core::{Device, DeviceError};
use ceria_test_support::{
    PASSWORD, TestServer, VILLAGE_X, device_config, fixture, nik, payload, submit, sync_until_done,
};

#[test]
fn a_device_follows_requests_filed_for_its_nik_only_once_verified() {
    let ts = TestServer::start();
    let resident = nik(31);
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let p = payload(&ts, &operator, &fixture(), VILLAGE_X, Some(&resident));
    let r = ts.push(&operator, &[submit(&p)]);
    let tracking = r[0]["tracking_code"].as_str().unwrap().to_string();

    let dir = ts.scratch("phone");
    let device = Device::open_with(device_config(&dir.join("data"), &ts.base_url())).unwrap();
    let account = device
        .register(&resident, "Budi Santoso", "081234567890", PASSWORD)
        .unwrap();
    assert_eq!(account.identity, Some(IdentityState::Unverified));
    sync_until_done(&device, 5).unwrap();
    assert!(
        device.requests().unwrap().is_empty(),
        "nothing before verification"
    );

    // No register yet: the server says so, the account stays unverified.
    match device.prove_identity("1305012003150004", "1990-01-01", "Siti Aminah") {
        Err(DeviceError::Server { code, .. }) | Err(DeviceError::Validation { code, .. }) => {
            assert_eq!(code, "identity.no_register")
        }
        other => panic!("{other:?}"),
    }
    let csv = ts.scratch("register").join("extract.csv");
    std::fs::write(
        &csv,
        format!(
            "nik,no_kk,birth_date,mother_name\n{resident},1305012003150004,1990-01-01,SITI AMINAH\n"
        ),
    )
    .unwrap();
    ceria_server::population::import(&ts.db(), ts.data_dir(), &csv).unwrap();
    let account = device
        .prove_identity("1305 0120 0315 0004", "1990-01-01", "siti aminah")
        .unwrap();
    assert_eq!(account.identity, Some(IdentityState::Verified));

    sync_until_done(&device, 5).unwrap();
    let requests = device.requests().unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].tracking_code.as_deref(),
        Some(tracking.as_str())
    );
}

#[test]
fn a_verification_at_the_office_reaches_the_device_at_its_next_sync() {
    let ts = TestServer::start();
    let resident = nik(32);
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let p = payload(&ts, &operator, &fixture(), VILLAGE_X, Some(&resident));
    ts.push(&operator, &[submit(&p)]);

    let dir = ts.scratch("phone");
    let device = Device::open_with(device_config(&dir.join("data"), &ts.base_url())).unwrap();
    device
        .register(&resident, "Budi Santoso", "081234567890", PASSWORD)
        .unwrap();
    sync_until_done(&device, 5).unwrap();
    assert!(device.requests().unwrap().is_empty());

    let r = ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&operator),
        Some(&serde_json::json!({"nik": resident, "document": "kk"})),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    sync_until_done(&device, 5).unwrap();
    let account = device.current_account().unwrap().unwrap();
    assert_eq!(account.identity, Some(IdentityState::Verified));
    assert_eq!(device.requests().unwrap().len(), 1);
}
