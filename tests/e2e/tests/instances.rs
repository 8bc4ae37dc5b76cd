//! Two instances of the server behind an imaginary load balancer: one database (PostgreSQL
//! under `scripts/suites/postgres.sh`, where these tests matter; one SQLite file otherwise)
//! and one blob store (the shared data directory). Devices sync through both alternately,
//! duplicates sent to both at once apply once, concurrent writers never make a paging reader
//! miss a change, two officers racing on one request get one 200 and one 409, and sessions
//! and login limits hold across both. (An upload cut on one instance and resumed on the other
//! is `server/tests/blob_stores.rs`, which also runs on PostgreSQL there.)

use ceria_core::protocol::{RequestState, Role};
use ceria_core::{CancelToken, Device};
use ceria_test_support::{
    Reply, TestServer, VILLAGE_X, device_config, fixture, nik, payload, queue_ktp, submit,
    sync_until_done,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

/// The village of the `ktp_baru` example form the devices queue.
const KTP_VILLAGE: &str = "13.05.02.2002";
const DEVICE_PASSWORD: &str = "Pohon-Kelapa-Tinggi-3";

fn pair() -> (Arc<TestServer>, Arc<TestServer>) {
    let a = TestServer::start_with(|c| {
        c.max_requests_per_day = 1_000;
        c.max_unattached_files = 1_000;
    });
    let b = TestServer::start_sharing(&a);
    (Arc::new(a), Arc::new(b))
}

#[test]
fn a_device_syncs_through_both_instances_alternately() {
    let (a, b) = pair();
    let dir = a.scratch("device");
    let open = |server: &TestServer| {
        Device::open_with(device_config(&dir.join("data"), &server.base_url())).expect("device")
    };
    let device = open(&a);
    device
        .register(&nik(61), "Siti Rahmawati", "081234567890", DEVICE_PASSWORD)
        .expect("registered on A");
    let first = queue_ktp(&device, &dir, 2, 40_000, 1);
    sync_until_done(&device, 20).expect("sync through A");
    drop(device);

    // The same phone, the balancer now sending it to B: its session and queue carry on.
    let device = open(&b);
    let second = queue_ktp(&device, &dir, 1, 40_000, 2);
    sync_until_done(&device, 20).expect("sync through B");
    let first_id = device.request(&first).unwrap().server_id.expect("accepted");
    let second_id = device
        .request(&second)
        .unwrap()
        .server_id
        .expect("accepted");

    // Reviewed on A; the device, still on B, learns it.
    let operator = a.staff(Role::Operator, "op.nagari", Some(KTP_VILLAGE));
    for id in [&first_id, &second_id] {
        let r = a.transition(&operator, id, json!({"to": "verified"}));
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }
    device
        .sync(None, &CancelToken::new())
        .expect("pull through B");
    for local in [&first, &second] {
        assert_eq!(
            device.request(local).unwrap().server_state,
            Some(RequestState::Verified)
        );
    }
    drop(device);

    // Back on A: one more, and both instances list the same three requests.
    let device = open(&a);
    queue_ktp(&device, &dir, 1, 40_000, 3);
    sync_until_done(&device, 20).expect("sync through A again");
    let officer = b.officer();
    let on_a: BTreeSet<String> = ids(&a.requests(&a.officer()));
    let on_b: BTreeSet<String> = ids(&b.requests(&officer));
    assert_eq!(on_a.len(), 3);
    assert_eq!(on_a, on_b);
}

fn ids(list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn eight_duplicates_sent_to_both_instances_at_once_apply_once() {
    let (a, b) = pair();
    let citizen = a.citizen(&nik(62), "Eka Pratama");
    let p = payload(&a, &citizen, &fixture(), VILLAGE_X, None);
    let op = submit(&p);
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let server = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (token, op, barrier) = (citizen.clone(), op.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                server.push(&token, &[op])
            })
        })
        .collect();
    let outcomes: Vec<Vec<Value>> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(outcomes[0][0]["status"], "accepted", "{outcomes:?}");
    assert!(outcomes.iter().all(|o| *o == outcomes[0]), "{outcomes:?}");
    assert_eq!(a.requests(&a.officer()).len(), 1);
    assert_eq!(b.pull_all(&citizen).len(), 1);
}

/// One page of the reader's pull; the next cursor and whether more waits.
fn pull_page(
    server: &TestServer,
    token: &str,
    since: &str,
    limit: usize,
) -> (Vec<Value>, String, bool) {
    let r = server.call(
        "GET",
        &format!("/v1/sync/pull?since={since}&limit={limit}"),
        Some(token),
        None,
    );
    let v = r.json();
    assert_eq!(r.status, 200, "{v}");
    (
        v["changes"].as_array().cloned().unwrap_or_default(),
        v["next_cursor"].as_str().unwrap_or_default().to_string(),
        v["more"].as_bool().unwrap_or(false),
    )
}

#[test]
fn four_writers_and_a_reader_with_small_pages_lose_no_change() {
    const PER_WRITER: usize = 12;
    let (a, b) = pair();
    let operator = a.staff(Role::Operator, "op.penulis", Some(VILLAGE_X));
    let officer = a.officer();
    let fx = fixture();
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4u32)
        .map(|w| {
            let (a, b, operator) = (a.clone(), b.clone(), operator.clone());
            let citizen = a.citizen(&nik(70 + w), "Penulis Serentak");
            let p = payload(&a, &citizen, &fx, VILLAGE_X, None);
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                for i in 0..PER_WRITER {
                    // Pushed through one instance, verified through the other.
                    let (push_to, review_on) = if (i + w as usize).is_multiple_of(2) {
                        (&a, &b)
                    } else {
                        (&b, &a)
                    };
                    let r = push_to.push(&citizen, &[submit(&p)]);
                    assert_eq!(r[0]["status"], "accepted", "{r:?}");
                    let id = r[0]["request_id"].as_str().unwrap().to_string();
                    if i % 3 != 2 {
                        let t = review_on.transition(&operator, &id, json!({"to": "verified"}));
                        assert_eq!(t.status, 200, "{}", String::from_utf8_lossy(&t.body));
                    }
                    mine.push(id);
                }
                mine
            })
        })
        .collect();
    // The reader pages through both instances alternately while the writers write, then
    // until nothing more waits.
    let reader = {
        let (a, b, done, officer) = (a.clone(), b.clone(), done.clone(), officer.clone());
        std::thread::spawn(move || {
            let mut last: BTreeMap<String, String> = BTreeMap::new();
            let mut seen = 0usize;
            let mut cursor = String::new();
            let mut turn = 0usize;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let server = if turn.is_multiple_of(2) { &a } else { &b };
                turn += 1;
                let (changes, next, more) = pull_page(server, &officer, &cursor, 3);
                for c in &changes {
                    last.insert(
                        c["request_id"].as_str().unwrap().to_string(),
                        c["state"].as_str().unwrap().to_string(),
                    );
                }
                seen += changes.len();
                if !next.is_empty() {
                    cursor = next;
                }
                if finished && !more {
                    return (last, seen);
                }
            }
        })
    };
    let written: Vec<String> = writers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    done.store(true, Ordering::SeqCst);
    let (last, seen) = reader.join().unwrap();
    assert_eq!(written.len(), 4 * PER_WRITER);
    let finals: BTreeMap<String, String> = a
        .requests(&officer)
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(finals.len(), written.len());
    for id in &written {
        assert_eq!(
            last.get(id),
            finals.get(id),
            "request {id}: the reader's last state is not the final one"
        );
    }
    let verified = finals.values().filter(|s| *s == "verified").count();
    // Every submission and every verification is one change, none missed, none twice.
    assert_eq!(seen, written.len() + verified);
}

#[test]
fn two_officers_completing_one_request_on_two_instances_one_wins() {
    let (a, b) = pair();
    let citizen = a.citizen(&nik(63), "Dewi Lestari");
    let operator = a.staff(Role::Operator, "op.dua", Some(VILLAGE_X));
    let r = a.push(
        &citizen,
        &[submit(&payload(&a, &citizen, &fixture(), VILLAGE_X, None))],
    );
    let id = r[0]["request_id"].as_str().unwrap().to_string();
    assert_eq!(
        a.transition(&operator, &id, json!({"to": "verified"}))
            .status,
        200
    );
    let officer_a = a.staff(Role::Officer, "petugas.satu", None);
    let officer_b = b.staff(Role::Officer, "petugas.dua", None);
    assert_eq!(
        a.transition(&officer_a, &id, json!({"to": "processing"}))
            .status,
        200
    );
    let barrier = Arc::new(Barrier::new(2));
    let race = |server: Arc<TestServer>, token: String, number: &str| {
        let (id, barrier) = (id.clone(), barrier.clone());
        let doc = json!({"number": number, "pickup": "Kantor Dukcapil"});
        std::thread::spawn(move || -> Reply {
            barrier.wait();
            server.transition(&token, &id, json!({"to": "completed", "document": doc}))
        })
    };
    let one = race(a.clone(), officer_a, "1305-LU-02122026-0001");
    let two = race(b.clone(), officer_b, "1305-LU-02122026-0002");
    let mut statuses = [one.join().unwrap(), two.join().unwrap()];
    statuses.sort_by_key(|r| r.status);
    assert_eq!(
        statuses[0].status,
        200,
        "{}",
        String::from_utf8_lossy(&statuses[0].body)
    );
    statuses[1].problem(409, "state.illegal_transition");
    let history = b.detail(&b.officer(), &id);
    let completions = history["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["to"] == "completed")
        .count();
    assert_eq!(completions, 1, "{history}");
}

#[test]
fn a_session_ended_on_one_instance_is_refused_on_the_other() {
    let (a, b) = pair();
    a.citizen(&nik(64), "Maya Sari");
    let token = a.login(&nik(64));
    assert_eq!(b.call("GET", "/v1/me", Some(&token), None).status, 200);
    assert_eq!(
        a.call("DELETE", "/v1/sessions/current", Some(&token), None)
            .status,
        204
    );
    assert_eq!(b.call("GET", "/v1/me", Some(&token), None).status, 401);
}

#[test]
fn login_limits_count_the_failures_made_on_both_instances() {
    let (a, b) = pair();
    a.citizen(&nik(65), "Maya Sari");
    let wrong = json!({"username": nik(65), "password": "tebak-tebakan-saja"});
    // The default limit is 10 failures a minute: 5 on each instance reach it.
    for i in 0..10 {
        let server = if i % 2 == 0 { &a } else { &b };
        server
            .call("POST", "/v1/sessions", None, Some(&wrong))
            .problem(401, "auth.invalid_credentials");
    }
    for server in [&a, &b] {
        server
            .call("POST", "/v1/sessions", None, Some(&wrong))
            .problem(429, "auth.rate_limited");
    }
}
