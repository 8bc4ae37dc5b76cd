//! The store under concurrent writers, on both engines (on PostgreSQL nothing serialises
//! the transactions but the store's own locks and constraints): the same push sent at once
//! applies once, two officers completing one request leave one winner, attempt counters
//! never let more through than their limit, and a reader paging the feed while writers
//! commit never misses a change.

use super::push::{Applied, PreparedOp, PushLimits};
use super::rate_limits::{Admission, Limit};
use super::requests::{Scope, TransitionResult};
use super::testing::{accepted_id, account, store_test, submission};
use super::{Db, now_ms};
use ceria_core::protocol::{RequestState, Role, UserInfo};
use std::sync::Barrier;

const NO_QUOTA: PushLimits = PushLimits {
    max_requests_per_day: u32::MAX,
};

/// Where the test requests are filed.
const VILLAGE: &str = "13.05.01.2001";

fn submit(op_id: &str) -> PreparedOp {
    submission(op_id, VILLAGE, None)
}

fn count(db: &Db, table: &str) -> i64 {
    db.read(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), &[], |r| r.get(0)))
        .unwrap()
}

store_test!(eight_duplicates_at_once_apply_once, |db| {
    let citizen = account(db, "1305014107900001", Role::Citizen, None);
    let op = submit("dup");
    let start = Barrier::new(8);
    let outcomes: Vec<Applied> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    db.apply_push(&citizen, std::slice::from_ref(&op), &NO_QUOTA, now_ms())
                        .unwrap()
                        .remove(0)
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let first = accepted_id(&outcomes[0]);
    assert!(outcomes.iter().all(|o| accepted_id(o) == first));
    assert_eq!(count(db, "requests"), 1);
    assert_eq!(count(db, "events"), 1);
    assert_eq!(count(db, "operations"), 1);
});

store_test!(two_officers_completing_one_request_leave_one_winner, |db| {
    let citizen = account(db, "1305014107900001", Role::Citizen, None);
    let officers = [
        account(db, "officer-a", Role::Officer, None),
        account(db, "officer-b", Role::Officer, None),
    ];
    let id = accepted_id(
        &db.apply_push(&citizen, &[submit("one")], &NO_QUOTA, 1)
            .unwrap()[0],
    );
    let start = Barrier::new(2);
    let results: Vec<bool> = std::thread::scope(|s| {
        let runs: Vec<_> = officers
            .iter()
            .map(|officer| {
                let (id, start) = (&id, &start);
                s.spawn(move || {
                    start.wait();
                    let r = db
                        .transition(
                            id,
                            &Scope::All,
                            &officer.id,
                            RequestState::Completed,
                            None,
                            &[],
                            None,
                            2,
                            |head| match head.state {
                                RequestState::Submitted => Ok(()),
                                other => Err(other),
                            },
                        )
                        .unwrap();
                    match r {
                        TransitionResult::Applied(_) => true,
                        TransitionResult::Denied(RequestState::Completed) => false,
                        other => panic!("unexpected {other:?}"),
                    }
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|won| **won).count(), 1, "{results:?}");
    assert_eq!(count(db, "events"), 2);
});

store_test!(attempt_counters_admit_no_more_than_their_limit, |db| {
    let limits = [Limit {
        key: "login:x".into(),
        max: 3,
        window_ms: 60_000,
        backoff: true,
    }];
    let start = Barrier::new(8);
    let admitted = std::thread::scope(|s| {
        let runs: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    db.take_attempt(&limits, 1_000).unwrap() == Admission::Admitted
                })
            })
            .collect();
        runs.into_iter()
            .map(|r| r.join().unwrap())
            .filter(|a| *a)
            .count()
    });
    assert_eq!(admitted, 3);
});

store_test!(a_reader_paging_the_feed_misses_no_change, |db| {
    const WRITERS: usize = 4;
    const PUSHES: usize = 40;
    let citizens: Vec<UserInfo> = (0..WRITERS)
        .map(|i| account(db, &format!("13050141079000{i:02}"), Role::Citizen, None))
        .collect();
    let officer = account(db, "officer", Role::Officer, None);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let seen: Vec<i64> = std::thread::scope(|s| {
        for (w, citizen) in citizens.iter().enumerate() {
            let (done, officer) = (&done, &officer);
            s.spawn(move || {
                for p in 0..PUSHES {
                    let applied = db
                        .apply_push(citizen, &[submit(&format!("{w}-{p}"))], &NO_QUOTA, 1)
                        .unwrap();
                    // Every other request also moves on in review: changes of one request
                    // from two transactions.
                    if p % 2 == 0 {
                        db.transition(
                            &accepted_id(&applied[0]),
                            &Scope::All,
                            &officer.id,
                            RequestState::Verified,
                            None,
                            &[],
                            None,
                            2,
                            |_| Ok::<(), ()>(()),
                        )
                        .unwrap();
                    }
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        let reader = s.spawn(|| {
            let mut since = 0;
            let mut seen = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS;
                let (changes, more) = db.pull(&Scope::All, since, 5).unwrap();
                for c in &changes {
                    assert!(c.seq > since, "the feed went back: {} after {since}", c.seq);
                    since = c.seq;
                    seen.push(c.seq);
                }
                if finished && !more && changes.is_empty() {
                    return seen;
                }
            }
        });
        reader.join().unwrap()
    });
    let all: Vec<i64> = db
        .read(|c| c.query_map("SELECT seq FROM events ORDER BY seq", &[], |r| r.get(0)))
        .unwrap();
    assert_eq!(all.len(), WRITERS * PUSHES * 3 / 2);
    assert_eq!(seen, all, "the reader missed changes");
});
