//! The server's push refuses a birth report whose father was born after the child (issue 16),
//! even when a client skipped the check: the catalog rule `parent.born_after_child` runs on the
//! server too.

mod common;

use common::{Fixture, TestServer, VILLAGE_X, nik, payload, submit};
use serde_json::Value;
use std::collections::BTreeMap;

/// The catalog's valid example birth report as a pushable fixture.
fn birth_report() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/fixtures/services/akta_kelahiran.json"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Fixture {
        service: "akta_kelahiran".into(),
        values: serde_json::from_value::<BTreeMap<String, String>>(v["valid"]["values"].clone())
            .unwrap(),
        attachments: serde_json::from_value(v["valid"]["attachments"].clone()).unwrap(),
        mistake: None,
    }
}

#[test]
fn push_rejects_a_father_born_after_the_child() {
    let ts = TestServer::start();
    let citizen = ts.citizen(&nik(31), "Ilham Saputra");
    let fx = birth_report();
    let good = payload(&ts, &citizen, &fx, VILLAGE_X, None);

    // Child born 2026-10-20; the father (who reports) born 2026-11-05, NIK matching.
    let mut bad = good.clone();
    bad.values
        .insert("tanggal_lahir_ayah".into(), "2026-11-05".into());
    bad.values
        .insert("nik_ayah".into(), "1305090511260004".into());
    bad.values
        .insert("nik_pelapor".into(), "1305090511260004".into());
    let results = ts.push(&citizen, &[submit(&bad), submit(&good)]);
    assert_eq!(results[0]["status"], "rejected", "{results:?}");
    let issues = results[0]["issues"].as_array().unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i["code"] == "parent.born_after_child" && i["field"] == "tanggal_lahir_ayah"),
        "{results:?}"
    );
    assert_eq!(results[1]["status"], "accepted", "{results:?}");
}
