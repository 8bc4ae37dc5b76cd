//! The server's push refuses a birth report whose father was born after the child (issue 16),
//! even from a client that skipped the check: the catalog rule `parent.born_after_child` runs
//! on the server too.

use ceria_test_support::{Fixture, TestServer, VILLAGE_X, nik, payload, submit};

#[test]
fn push_rejects_a_father_born_after_the_child() {
    let ts = TestServer::start();
    let citizen = ts.citizen(&nik(31), "Ilham Saputra");
    let (values, attachments) = ceria_test_support::example_form("akta_kelahiran");
    let fx = Fixture {
        service: "akta_kelahiran".into(),
        values: values.into_iter().collect(),
        attachments,
        mistake: None,
    };
    let good = payload(&ts, &citizen, &fx, VILLAGE_X, None);

    // Child born 2026-10-20; the father (who reports) born 2026-11-05, NIK matching.
    let mut bad = good.clone();
    for (field, value) in [
        ("tanggal_lahir_ayah", "2026-11-05"),
        ("nik_ayah", "1305090511260004"),
        ("nik_pelapor", "1305090511260004"),
    ] {
        bad.values.insert(field.into(), value.into());
    }
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
