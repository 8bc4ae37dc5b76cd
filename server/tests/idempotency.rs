//! Idempotent pushes: replays return the stored outcome, a reused key with another payload is
//! refused, and concurrent duplicates apply exactly once.

use ceria_core::protocol::{Operation, Role};
use ceria_test_support::*;
use std::sync::Arc;

fn stored_requests(ts: &TestServer, officer: &str) -> usize {
    ts.call("GET", "/v1/requests?limit=200", Some(officer), None)
        .json()["items"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn replays_return_the_stored_outcome_and_reused_keys_conflict() {
    let ts = TestServer::start();
    let fx = fixture();
    let citizen = ts.citizen(&nik(21), "Dewi Lestari");
    let officer = ts.staff(Role::Officer, "petugas", None);
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let op = submit(&p);
    let first = ts.push(&citizen, std::slice::from_ref(&op));
    assert_eq!(first[0]["status"], "accepted");
    let again = ts.push(&citizen, std::slice::from_ref(&op));
    assert_eq!(again, first, "a replay returns the stored outcome");

    // The replay still answers "submitted" even after the request moved on: it is the
    // outcome of that operation, not the current state.
    let id = first[0]["request_id"].as_str().unwrap();
    assert_eq!(
        ts.transition(&officer, id, serde_json::json!({"to": "processing"}))
            .status,
        200
    );
    assert_eq!(ts.push(&citizen, std::slice::from_ref(&op)), first);

    // Same key, different payload.
    let Operation::Submit {
        op_id: key,
        local_id,
        mut request,
    } = op.clone()
    else {
        unreachable!()
    };
    request.values.insert("catatan".into(), "beda".into());
    let reused = Operation::Submit {
        op_id: key,
        local_id,
        request,
    };
    let r = ts.push(&citizen, &[reused]);
    assert_eq!(r[0]["status"], "conflict");
    assert_eq!(r[0]["code"], "idempotency.key_reused");
    assert!(r[0]["message_id"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(stored_requests(&ts, &officer), 1);

    // A cancel of a request in processing is a conflict, and replaying it stays one.
    let cancel = Operation::Cancel {
        op_id: op_id(),
        request_id: id.to_string(),
    };
    for _ in 0..2 {
        let r = ts.push(&citizen, std::slice::from_ref(&cancel));
        assert_eq!(r[0]["status"], "conflict");
        assert_eq!(r[0]["code"], "state.illegal_transition");
        assert_eq!(r[0]["state"], "processing");
    }
    // Revising a request that was not returned.
    let revise = Operation::Revise {
        op_id: op_id(),
        request_id: id.to_string(),
        request: p.clone(),
    };
    let r = ts.push(&citizen, &[revise]);
    assert_eq!(r[0]["code"], "state.not_returned");
}

#[test]
fn concurrent_duplicates_apply_once() {
    let ts = Arc::new(TestServer::start());
    let fx = fixture();
    let citizen = ts.citizen(&nik(22), "Eka Pratama");
    let officer = ts.staff(Role::Officer, "petugas", None);
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let op = submit(&p);
    let barrier = Arc::new(std::sync::Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (ts, token, op, barrier) =
                (ts.clone(), citizen.clone(), op.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                ts.push(&token, &[op])
            })
        })
        .collect();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outcomes[0][0]["status"], "accepted");
    assert!(outcomes.iter().all(|o| *o == outcomes[0]), "{outcomes:?}");
    assert_eq!(stored_requests(&ts, &officer), 1);
    assert_eq!(ts.pull_all(&citizen).len(), 1);
}

#[test]
fn a_batch_of_fifty_is_applied_in_order_with_per_operation_results() {
    // Fifty requests of one service for one person in a day: over the default quota.
    let ts = TestServer::start_with(|c| c.max_requests_per_day = 100);
    let fx = fixture();
    let citizen = ts.citizen(&nik(23), "Fajar Hidayat");
    let officer = ts.staff(Role::Officer, "petugas", None);
    let p = payload(&ts, &citizen, &fx, VILLAGE_X, None);
    let mut ops: Vec<Operation> = (0..49).map(|_| submit(&p)).collect();
    let mut broken = p.clone();
    broken.values.clear();
    ops.insert(10, submit(&broken));
    let results = ts.push(&citizen, &ops);
    assert_eq!(results.len(), 50);
    for (i, (r, op)) in results.iter().zip(&ops).enumerate() {
        assert_eq!(r["op_id"], op.op_id());
        let want = if i == 10 { "rejected" } else { "accepted" };
        assert_eq!(r["status"], want, "operation {i}");
    }
    let codes: std::collections::BTreeSet<_> = results
        .iter()
        .filter_map(|r| r["tracking_code"].as_str())
        .collect();
    assert_eq!(codes.len(), 49, "tracking codes are unique");
    assert_eq!(stored_requests(&ts, &officer), 49);
    // More than the protocol's maximum is refused whole.
    let too_many: Vec<Operation> = (0..101).map(|_| submit(&p)).collect();
    let r = ts.call(
        "POST",
        "/v1/sync/push",
        Some(&citizen),
        Some(&serde_json::json!({"operations": too_many})),
    );
    r.problem(422, "request.malformed");
    assert_eq!(stored_requests(&ts, &officer), 49);
}
