//! Who pulls what: each event carries its audience (the request's submitter, the person it
//! is for, its village), and a pull reads the ranges of the caller's scope in feed order.
//! These tests check that paging through those ranges gives each account exactly the
//! changes it may see, in order, once, on both engines; that a request a revision moves to
//! another village is followed by its new village from the move on; and that the migration
//! that added the audience filled it in for the events already there.

use super::push::{PreparedOp, PushLimits, Verdict};
use super::requests::Scope;
use super::testing::{accepted_id, account, store_test, submission, verify};
use super::{Db, schema};
use ceria_core::protocol::{Role, UserInfo};

const LIMITS: PushLimits = PushLimits {
    max_requests_per_day: 10,
};
const VILLAGE: &str = "13.05.01.2001";
const OTHER_VILLAGE: &str = "13.05.02.2001";

/// Files one request; returns its id.
fn file(db: &Db, by: &UserInfo, op: PreparedOp) -> String {
    accepted_id(&db.apply_push(by, &[op], &LIMITS, 1).unwrap()[0])
}

/// The request ids of everything `scope` pulls, in pages of `page`; checks the feed only
/// moves forward and `more` is false only at the end.
fn pull_all(db: &Db, scope: &Scope, page: usize) -> Vec<String> {
    let (mut since, mut ids) = (0, Vec::new());
    loop {
        let (changes, more) = db.pull(scope, since, page).unwrap();
        assert!(changes.len() <= page);
        for c in &changes {
            assert!(
                c.seq > since,
                "the feed went back or repeated: {} after {since}",
                c.seq
            );
            since = c.seq;
            ids.push(c.request_id.clone());
        }
        if !more {
            return ids;
        }
        assert_eq!(changes.len(), page, "a short page said there was more");
    }
}

store_test!(each_account_pulls_its_own_audience_in_order, |db| {
    let nik = "1305015107900001";
    let citizen = account(db, nik, Role::Citizen, None);
    let operator = account(db, "operator.v1", Role::Operator, Some(VILLAGE));
    let stranger = account(db, "1305025107900002", Role::Citizen, None);
    let officer = account(db, "officer", Role::Officer, None);

    // Interleaved, so every scope's changes are spread over the feed.
    let mut own = Vec::new();
    let mut for_her = Vec::new();
    let mut in_village = Vec::new();
    let mut everything = Vec::new();
    for i in 0..3 {
        let id = file(db, &citizen, submission(&format!("c{i}"), VILLAGE, None));
        own.push(id.clone());
        in_village.push(id.clone());
        everything.push(id);
        let id = file(
            db,
            &operator,
            submission(&format!("o{i}"), VILLAGE, Some(nik)),
        );
        for_her.push(id.clone());
        in_village.push(id.clone());
        everything.push(id);
        let id = file(
            db,
            &stranger,
            submission(&format!("s{i}"), OTHER_VILLAGE, None),
        );
        everything.push(id);
    }

    let her = Scope::of(&citizen);
    for page in [1, 2, 5, 200] {
        // Before her identity is verified, only what she filed herself.
        assert_eq!(pull_all(db, &her, page), own, "page {page}");
        assert_eq!(pull_all(db, &Scope::of(&operator), page), in_village);
        assert_eq!(pull_all(db, &Scope::of(&officer), page), everything);
    }
    verify(db, &citizen.id, &officer.id);
    // Verified: also what the operator filed for her NIK, merged in feed order.
    let hers: Vec<String> = own
        .iter()
        .zip(&for_her)
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    for page in [1, 2, 3, 200] {
        assert_eq!(pull_all(db, &her, page), hers, "page {page}");
    }
    // Nothing after the last change she saw.
    let last = db
        .pull(&her, 0, 200)
        .unwrap()
        .0
        .last()
        .map(|c| c.seq)
        .unwrap();
    let (after, more) = db.pull(&her, last, 200).unwrap();
    assert!(after.is_empty() && !more);
});

store_test!(
    a_request_moved_by_its_revision_is_followed_by_its_new_village,
    |db| {
        use ceria_core::protocol::{Operation, RequestState};
        let here = account(db, "operator.v1", Role::Operator, Some(VILLAGE));
        let there = account(db, "operator.v2", Role::Operator, Some(OTHER_VILLAGE));
        let officer = account(db, "officer", Role::Officer, None);
        let id = file(
            db,
            &here,
            submission("filed", VILLAGE, Some("1305015107900001")),
        );
        db.transition(
            &id,
            &Scope::All,
            &officer.id,
            RequestState::Returned,
            Some("Nagari salah"),
            &[],
            None,
            2,
            |_| Ok::<(), ()>(()),
        )
        .unwrap();
        // The revision names the other village (the resident lives there).
        let Operation::Submit { request, .. } = submission("moved", OTHER_VILLAGE, None).op else {
            unreachable!("a submission")
        };
        let mut request = request;
        request.on_behalf_of = Some("1305015107900001".into());
        let revise = PreparedOp {
            op: Operation::Revise {
                op_id: "moved".into(),
                request_id: id.clone(),
                request,
            },
            hash: "hash-moved".into(),
            verdict: Verdict::Valid,
        };
        accepted_id(&db.apply_push(&here, &[revise], &LIMITS, 3).unwrap()[0]);

        let states = |scope: &Scope| -> Vec<RequestState> {
            db.pull(scope, 0, 200)
                .unwrap()
                .0
                .into_iter()
                .map(|c| c.state)
                .collect()
        };
        // The old village keeps what happened while the request was its own; the new one follows
        // it from the move on; the registry sees all of it.
        use RequestState::{Returned, Submitted};
        assert_eq!(states(&Scope::of(&here)), [Submitted, Returned]);
        assert_eq!(states(&Scope::of(&there)), [Submitted]);
        assert_eq!(states(&Scope::All), [Submitted, Returned, Submitted]);
    }
);

/// A registry as it was before the audience: one request with one event.
const BEFORE_THE_AUDIENCE: &str = "
    INSERT INTO users (id, username, name, role, village, password_hash, created_ms)
        VALUES ('u1', '1305015107900001', 'Warga', 'citizen', NULL, 'x', 1),
               ('o1', 'operator.v1', 'Operator', 'operator', '13.05.01.2001', 'x', 1);
    INSERT INTO requests (id, tracking_code, service, village, citizen_nik,
        submitted_by, state, catalog_version, payload, created_ms, updated_ms)
        VALUES ('r1', 'CODE1', 'akta-kelahiran', '13.05.01.2001', '1305015107900001',
                'u1', 'submitted', '1', '{}', 1, 1);
    INSERT INTO events (request_id, actor_id, to_state, at_ms, reasons)
        VALUES ('r1', 'u1', 'submitted', 1, '[]');";

/// The migrations of `all` before the one that adds the audience.
fn before_the_audience<'a>(all: &'a [&'a str]) -> &'a [&'a str] {
    let at = all
        .iter()
        .position(|m| m.contains("events_village"))
        .unwrap();
    &all[..at]
}

/// Every scope of that registry pulls its event once the migrations ran.
fn pulls_the_event_before_the_audience(db: &Db) {
    let village = Scope::Village(VILLAGE.into());
    let citizen = Scope::Citizen {
        user_id: "u1".into(),
        nik: "1305015107900001".into(),
    };
    for scope in [village, citizen, Scope::All] {
        assert_eq!(pull_all(db, &scope, 10), ["r1"], "{scope:?}");
    }
    assert!(pull_all(db, &Scope::Village(OTHER_VILLAGE.into()), 10).is_empty());
}

#[test]
fn the_migration_fills_in_the_audience_of_existing_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ceria.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        ceria_core::sqlite::migrate(&mut conn, before_the_audience(schema::MIGRATIONS)).unwrap();
        conn.execute_batch(BEFORE_THE_AUDIENCE).unwrap();
    }
    pulls_the_event_before_the_audience(&Db::open(&path).unwrap());
}

#[test]
fn the_postgresql_migration_fills_in_the_audience_of_existing_events() {
    use super::sql::postgres::schema::MIGRATIONS;
    let Some(url) = super::testing::postgres_test_database() else {
        return;
    };
    {
        let mut client = url
            .parse::<postgres::Config>()
            .unwrap()
            .connect(postgres::NoTls)
            .unwrap();
        let before = before_the_audience(MIGRATIONS);
        client
            .batch_execute("CREATE TABLE ceria_schema (version BIGINT NOT NULL)")
            .unwrap();
        for migration in before {
            client.batch_execute(migration).unwrap();
        }
        client
            .execute(
                "INSERT INTO ceria_schema (version) VALUES ($1)",
                &[&ceria_core::sqlite::migrate::version(before)],
            )
            .unwrap();
        client.batch_execute(BEFORE_THE_AUDIENCE).unwrap();
    }
    pulls_the_event_before_the_audience(&Db::open_postgres(&url).unwrap());
}
