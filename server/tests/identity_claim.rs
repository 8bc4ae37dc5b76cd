//! Who may claim a NIK (issue 11, finding 1). Registering a NIK proves nothing: until the
//! account is verified it sees and acts on nothing others filed for that NIK. It is verified
//! against the population register extract or in person by staff (audited), and the owner of
//! a NIK someone else took gets it back at the counter.

use ceria_core::protocol::{Operation, Role};
use ceria_test_support::*;
use serde_json::{Value, json};

const KK: &str = "1305012003150004";
const BIRTH: &str = "1990-01-01";
const MOTHER: &str = "Siti Nur'aini";

/// The resident whose NIK is at stake, and what an operator and an officer filed for them:
/// one request completed with its document, one still submitted.
struct Filed {
    ts: TestServer,
    resident: String,
    operator: String,
    completed: String,
    pending: String,
}

fn filed_for_resident() -> Filed {
    let ts = TestServer::start();
    let fx = fixture();
    let resident = nik(7);
    let operator = ts.staff(Role::Operator, "operator.x", Some(VILLAGE_X));
    let officer = ts.officer();
    let p = payload(&ts, &operator, &fx, VILLAGE_X, Some(&resident));
    let r = ts.push(&operator, &[submit(&p), submit(&p)]);
    assert_eq!(r[0]["status"], "accepted", "{r:?}");
    assert_eq!(r[1]["status"], "accepted", "{r:?}");
    let completed = r[0]["request_id"].as_str().unwrap().to_string();
    let pending = r[1]["request_id"].as_str().unwrap().to_string();
    ts.transition(&officer, &completed, json!({"to": "processing"}));
    let done = ts.transition(
        &officer,
        &completed,
        json!({"to": "completed", "document": {"number": "1305-LU-0001", "pickup": "Kantor Nagari"}}),
    );
    assert_eq!(done.status, 200, "{}", String::from_utf8_lossy(&done.body));
    Filed {
        ts,
        resident,
        operator,
        completed,
        pending,
    }
}

fn cancel(id: &str) -> Operation {
    Operation::Cancel {
        op_id: op_id(),
        request_id: id.to_string(),
    }
}

fn request_ids(changes: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = changes
        .iter()
        .map(|c| c["request_id"].as_str().unwrap().to_string())
        .collect();
    ids.dedup();
    ids
}

fn me(ts: &TestServer, token: &str) -> Value {
    let r = ts.call("GET", "/v1/me", Some(token), None);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

fn prove(ts: &TestServer, token: &str, kk: &str, birth: &str, mother: &str) -> Reply {
    ts.call(
        "POST",
        "/v1/me/identity",
        Some(token),
        Some(&json!({"nomor_kk": kk, "birth_date": birth, "mother_name": mother})),
    )
}

/// Imports a register extract holding the resident and `others` (NIK serials).
fn import_register(ts: &TestServer, resident: &str, others: &[u32]) {
    let path = ts.scratch("register").join("extract.csv");
    let mut csv = String::from("NIK;No KK;Tanggal Lahir;Nama Ibu Kandung\n");
    csv.push_str(&format!("{resident};{KK};01-01-1990;SITI NUR'AINI\n"));
    for serial in others {
        csv.push_str(&format!("{};{KK};01-01-1990;Rahmi Yusuf\n", nik(*serial)));
    }
    std::fs::write(&path, csv).unwrap();
    let report = ceria_server::population::import(&ts.db(), ts.data_dir(), &path).unwrap();
    assert_eq!(report.imported, 1 + others.len());
}

#[test]
fn a_stranger_who_registers_a_residents_nik_sees_and_cancels_nothing_filed_for_it() {
    let f = filed_for_resident();
    let ts = &f.ts;
    let stranger = ts.citizen(&f.resident, "Orang Asing");
    assert_eq!(me(ts, &stranger)["identity"], "unverified");

    // Nothing of the resident's requests reaches the stranger: not the completed document
    // number and pickup place, not the pending request.
    let changes = ts.pull_all(&stranger);
    assert!(changes.is_empty(), "{changes:?}");
    let r = ts.push(&stranger, &[cancel(&f.pending)]);
    assert_eq!(r[0]["status"], "conflict", "{r:?}");
    assert_eq!(r[0]["code"], "request.not_found");
    let operator_feed = ts.pull_all(&f.operator);
    let pending = operator_feed
        .iter()
        .rfind(|c| c["request_id"] == f.pending.as_str())
        .unwrap();
    assert_eq!(
        pending["state"], "submitted",
        "the resident's request is untouched"
    );
    // Review endpoints stay closed to citizens.
    ts.call(
        "GET",
        &format!("/v1/requests/{}", f.completed),
        Some(&stranger),
        None,
    )
    .problem(403, "auth.forbidden");

    // The account still files and follows its own requests (reviewers check the documents).
    let own = payload(ts, &stranger, &fixture(), VILLAGE_X, None);
    let r = ts.push(&stranger, &[submit(&own)]);
    assert_eq!(r[0]["status"], "accepted", "{r:?}");
    let own_id = r[0]["request_id"].as_str().unwrap().to_string();
    assert_eq!(request_ids(&ts.pull_all(&stranger)), vec![own_id.clone()]);
    let r = ts.push(&stranger, &[cancel(&own_id)]);
    assert_eq!(r[0]["state"], "cancelled", "{r:?}");
}

#[test]
fn the_register_extract_verifies_the_owner_and_limits_attempts() {
    let f = filed_for_resident();
    let ts = &f.ts;
    let owner = ts.citizen(&f.resident, "Budi Santoso");
    // No extract imported yet: nothing to check against, and no attempt is counted.
    prove(ts, &owner, KK, BIRTH, MOTHER).problem(409, "identity.no_register");
    import_register(ts, &f.resident, &[8]);

    // Unreadable input is refused before any comparison.
    let p = prove(ts, &owner, "1305 01", BIRTH, MOTHER).problem(422, "request.malformed");
    assert_eq!(p["issues"][0]["field"], "nomor_kk", "{p}");
    let p = prove(ts, &owner, KK, "31-02-1990", MOTHER).problem(422, "request.malformed");
    assert_eq!(p["issues"][0]["field"], "birth_date", "{p}");
    // One wrong fact is a miss, without saying which.
    let p = prove(ts, &owner, KK, BIRTH, "Siti Aminah").problem(422, "identity.mismatch");
    assert!(p["message_en"].as_str().unwrap().contains('4'), "{p}");
    prove(ts, &owner, KK, "1990-01-02", MOTHER).problem(422, "identity.mismatch");
    assert!(ts.pull_all(&owner).is_empty());

    // All facts right, typed another way: verified, and the requests filed for the NIK appear.
    let r = prove(
        ts,
        &owner,
        "1305 0120 0315 0004",
        "01/01/1990",
        "  SITI  NUR’AINI ",
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["identity"], "verified");
    assert_eq!(me(ts, &owner)["identity"], "verified");
    let ids = request_ids(&ts.pull_all(&owner));
    assert!(
        ids.contains(&f.completed) && ids.contains(&f.pending),
        "{ids:?}"
    );
    let changes = ts.pull_all(&owner);
    assert!(
        changes
            .iter()
            .any(|c| c["document"]["number"] == "1305-LU-0001")
    );

    // Another account guessing: 5 misses, then even the right answer waits.
    let guesser = ts.citizen(&nik(8), "Rahmat Hidayat");
    for left in (0..5).rev() {
        let p = prove(ts, &guesser, KK, BIRTH, "Salah Tebak").problem(422, "identity.mismatch");
        assert!(
            p["message_en"]
                .as_str()
                .unwrap()
                .contains(&left.to_string()),
            "{p}"
        );
    }
    let locked = prove(ts, &guesser, KK, BIRTH, "Rahmi Yusuf");
    locked.problem(429, "identity.attempts_exceeded");
    let wait: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");
    assert_eq!(me(ts, &guesser)["identity"], "unverified");

    // Staff have no NIK to prove.
    prove(ts, &f.operator, KK, BIRTH, MOTHER).problem(403, "auth.forbidden");

    // The database holds the extract only as keyed hashes: no No. KK, no mother's name.
    let mut stored = Vec::new();
    for file in ["ceria.db", "ceria.db-wal"] {
        stored.extend(std::fs::read(ts.data_dir().join(file)).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&stored).to_uppercase();
    assert!(!text.contains(KK), "No. KK stored in clear");
    assert!(!text.contains("NUR'AINI") && !text.contains("RAHMI YUSUF"));
}

#[test]
fn an_operator_verifies_in_person_and_it_is_audited() {
    let f = filed_for_resident();
    let ts = &f.ts;
    let owner = ts.citizen(&f.resident, "Budi Santoso");
    assert!(ts.pull_all(&owner).is_empty());

    // The operator of another nagari checks the KTP-el at the counter.
    let op_y = ts.staff(Role::Operator, "operator.y", Some(VILLAGE_Y));
    let grouped = format!(
        "{} {} {}",
        &f.resident[..6],
        &f.resident[6..12],
        &f.resident[12..]
    );
    let body = json!({"nik": grouped, "document": "ktp_el", "note": "KTP-el asli diperiksa"});
    let r = ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&op_y),
        Some(&body),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["identity"], "verified");
    assert_eq!(r.json()["username"], f.resident.as_str());
    assert_eq!(me(ts, &owner)["identity"], "verified");
    let ids = request_ids(&ts.pull_all(&owner));
    assert!(ids.contains(&f.pending), "{ids:?}");
    let r = ts.push(&owner, &[cancel(&f.pending)]);
    assert_eq!(r[0]["state"], "cancelled", "{r:?}");

    // The audit log says who, when and how.
    let officer = ts.officer();
    let log = ts.call(
        "GET",
        &format!("/v1/identity/events?nik={}", f.resident),
        Some(&officer),
        None,
    );
    assert_eq!(log.status, 200, "{}", String::from_utf8_lossy(&log.body));
    let log = log.json();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    let e = &entries[0];
    assert_eq!(e["action"], "verified");
    assert_eq!(e["method"], "ktp_el");
    assert_eq!(e["actor"], "operator.y");
    assert_eq!(e["actor_role"], "operator");
    assert_eq!(e["actor_village"], VILLAGE_Y);
    assert_eq!(e["note"], "KTP-el asli diperiksa");
    assert!(e["at_ms"].as_i64().unwrap() > 0);

    // Only staff who check documents may verify; only officers and admins read the log.
    ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&owner),
        Some(&body),
    )
    .problem(403, "auth.forbidden");
    let admin = ts.staff(Role::Admin, "admin", None);
    ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&admin),
        Some(&body),
    )
    .problem(403, "auth.forbidden");
    for token in [&owner, &f.operator] {
        ts.call(
            "GET",
            &format!("/v1/identity/events?nik={}", f.resident),
            Some(token),
            None,
        )
        .problem(403, "auth.forbidden");
    }
    let nobody = json!({"nik": nik(99), "document": "kk"});
    ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&op_y),
        Some(&nobody),
    )
    .problem(404, "identity.no_account");
    let bad = json!({"nik": "123", "document": "kk"});
    ts.call(
        "POST",
        "/v1/identity/verifications",
        Some(&op_y),
        Some(&bad),
    )
    .problem(422, "request.malformed");
}

#[test]
fn the_owner_reclaims_a_squatted_nik() {
    let f = filed_for_resident();
    let ts = &f.ts;
    let squatter = ts.citizen(&f.resident, "Orang Asing");
    let squatter_again = ts.login(&f.resident);
    let own = payload(ts, &squatter, &fixture(), VILLAGE_X, None);
    let r = ts.push(&squatter, &[submit(&own)]);
    let squatter_request = r[0]["request_id"].as_str().unwrap().to_string();
    let squatter_id = me(ts, &squatter)["id"].as_str().unwrap().to_string();
    // The owner cannot register: the NIK is taken.
    let body = json!({"nik": f.resident, "name": "Budi Santoso", "phone": "081298765432",
                      "password": "sandi-pemilik-asli"});
    ts.call("POST", "/v1/accounts", None, Some(&body))
        .problem(409, "auth.nik_taken");

    // At the counter the operator checks the KK and gives the NIK back to its owner.
    let mut reclaim = body.clone();
    reclaim["document"] = json!("kk");
    reclaim["note"] = json!("KK asli; akun lama bukan milik pemilik NIK");
    let r = ts.call(
        "POST",
        "/v1/identity/reclaims",
        Some(&f.operator),
        Some(&reclaim),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let done = r.json();
    assert_eq!(done["user"]["identity"], "verified");
    assert_eq!(done["user"]["username"], f.resident.as_str());
    assert_eq!(done["replaced"], squatter_id.as_str());
    assert_eq!(done["sessions_ended"], 2);

    // The squatter's sessions are dead and its password opens nothing.
    for token in [&squatter, &squatter_again] {
        ts.call("GET", "/v1/me", Some(token), None)
            .problem(401, "auth.session_expired");
        ts.call("GET", "/v1/sync/pull", Some(token), None)
            .problem(401, "auth.session_expired");
    }
    let r = ts.call(
        "POST",
        "/v1/sessions",
        None,
        Some(&json!({"username": f.resident, "password": PASSWORD})),
    );
    r.problem(401, "auth.invalid_credentials");

    // The owner logs in with the password chosen at the counter and follows everything filed
    // for the NIK, the squatter's filing included.
    let owner = ts.login_with(&f.resident, "sandi-pemilik-asli");
    let who = me(ts, &owner);
    assert_eq!(who["identity"], "verified");
    assert_ne!(who["id"], squatter_id.as_str());
    let ids = request_ids(&ts.pull_all(&owner));
    for id in [&f.completed, &f.pending, &squatter_request] {
        assert!(ids.contains(id), "{id} in {ids:?}");
    }
    // The squatter's request stays in the registry, filed by the disabled account.
    let officer = ts.officer();
    let detail = ts.detail(&officer, &squatter_request);
    assert_eq!(
        detail["history"][0]["actor"],
        format!("reclaimed:{squatter_id}").as_str()
    );

    let log = ts
        .call(
            "GET",
            &format!("/v1/identity/events?nik={}", f.resident),
            Some(&officer),
            None,
        )
        .json();
    let actions: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["method"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("disabled", "kk", "operator.x"),
            ("verified", "kk", "operator.x")
        ]
    );
    assert_eq!(log[0]["account"], squatter_id.as_str());

    // Citizens cannot reclaim; weak passwords and bad data are refused.
    ts.call(
        "POST",
        "/v1/identity/reclaims",
        Some(&owner),
        Some(&reclaim),
    )
    .problem(403, "auth.forbidden");
    let mut weak = reclaim.clone();
    weak["password"] = json!("pendek");
    ts.call(
        "POST",
        "/v1/identity/reclaims",
        Some(&f.operator),
        Some(&weak),
    )
    .problem(422, "auth.weak_password");
}
