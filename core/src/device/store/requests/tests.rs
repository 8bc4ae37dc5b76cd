//! Tests of the requests table: creation, state changes, the status feed and the timeline.

use super::*;
use crate::device::store::accounts::{self, tests::login};
use crate::device::store::db::Db;
use crate::protocol::Role;
use std::collections::BTreeMap;

fn payload() -> RequestPayload {
    RequestPayload {
        service: "ktp_baru".into(),
        catalog_version: "1".into(),
        values: BTreeMap::new(),
        attachments: vec![],
        village: "13.05.01.2001".into(),
        on_behalf_of: None,
    }
}

fn change(seq: i64, local_id: Option<&str>, state: RequestState) -> StatusChange {
    StatusChange {
        seq,
        request_id: "srv-1".into(),
        local_id: local_id.map(str::to_string),
        tracking_code: "CR-AAAA-BBBB".into(),
        service: "ktp_baru".into(),
        state,
        at_ms: 1000 + seq,
        note: None,
        reasons: if state == RequestState::Returned {
            vec![ReturnReason {
                target: Some("nik".into()),
                message: "foto buram".into(),
            }]
        } else {
            vec![]
        },
        document: None,
    }
}

#[test]
fn feed_changes_apply_once_and_match_lost_pushes_by_local_id() {
    let db = Db::open_in_memory().unwrap();
    db.write(|tx| accounts::record_login(tx, &login("a", Role::Citizen, None), 1))
        .unwrap();
    let id = db.write(|tx| create(tx, "a", &payload(), 5)).unwrap();
    db.write(|tx| set_state(tx, &id, LocalState::Pushed, 6, None))
        .unwrap();

    // The push answer was lost; the feed names our local id.
    let c1 = change(1, Some(&id), RequestState::Submitted);
    assert!(
        db.write(|tx| apply_change(tx, "a", &c1, |_| Ok(false), 7))
            .unwrap()
    );
    assert!(
        !db.write(|tx| apply_change(tx, "a", &c1, |_| Ok(false), 8))
            .unwrap()
    );
    let row = db.read(|c| get(c, "a", &id)).unwrap().unwrap();
    assert_eq!(row.server_id.as_deref(), Some("srv-1"));
    assert_eq!(row.tracking_code.as_deref(), Some("CR-AAAA-BBBB"));
    assert_eq!(row.state, LocalState::Submitted);

    let c2 = change(2, Some(&id), RequestState::Returned);
    assert!(
        db.write(|tx| apply_change(tx, "a", &c2, |_| Ok(false), 9))
            .unwrap()
    );
    let row = db.read(|c| get(c, "a", &id)).unwrap().unwrap();
    assert_eq!(row.state, LocalState::Returned);
    assert_eq!(row.reasons.len(), 1);
    let states: Vec<_> = db
        .read(|c| timeline(c, &id))
        .unwrap()
        .into_iter()
        .map(|e| e.state)
        .collect();
    assert_eq!(
        states,
        vec![
            LocalState::Queued,
            LocalState::Pushed,
            LocalState::Submitted,
            LocalState::Returned
        ]
    );
    assert_eq!(db.read(|c| list(c, "a")).unwrap().len(), 1);
}

#[test]
fn pending_operation_keeps_the_device_step() {
    let db = Db::open_in_memory().unwrap();
    db.write(|tx| accounts::record_login(tx, &login("a", Role::Citizen, None), 1))
        .unwrap();
    let id = db.write(|tx| create(tx, "a", &payload(), 5)).unwrap();
    let c1 = change(1, Some(&id), RequestState::Submitted);
    db.write(|tx| apply_change(tx, "a", &c1, |_| Ok(true), 7))
        .unwrap();
    let row = db.read(|c| get(c, "a", &id)).unwrap().unwrap();
    assert_eq!(row.state, LocalState::Queued);
    assert_eq!(row.server_state, Some(RequestState::Submitted));
}

#[test]
fn unknown_requests_from_the_feed_are_listed() {
    let db = Db::open_in_memory().unwrap();
    db.write(|tx| accounts::record_login(tx, &login("a", Role::Citizen, None), 1))
        .unwrap();
    let c = change(3, None, RequestState::Verified);
    db.write(|tx| apply_change(tx, "a", &c, |_| Ok(false), 7))
        .unwrap();
    let list = db.read(|c| list(c, "a")).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].state, LocalState::Verified);
    assert_eq!(list[0].tracking_code.as_deref(), Some("CR-AAAA-BBBB"));
}

#[test]
fn state_codes_round_trip() {
    for s in [
        LocalState::Queued,
        LocalState::Uploading,
        LocalState::Pushed,
        LocalState::NeedsFix,
        LocalState::Submitted,
        LocalState::Verified,
        LocalState::Returned,
        LocalState::Processing,
        LocalState::Completed,
        LocalState::Rejected,
        LocalState::Cancelled,
    ] {
        assert_eq!(LocalState::from_code(s.code()), s);
    }
}
