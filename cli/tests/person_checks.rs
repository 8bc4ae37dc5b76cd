//! `ceria validate form` refuses a birth report whose father was born after the child (issue
//! 16), with the catalog's rule `parent.born_after_child` on the father's birth date.

use ceria_test_support::cli::{ceria, json_of};
use serde_json::{Value, json};

/// The catalog's valid example birth report as `{"values": ..., "attachments": [...]}`.
fn birth_report() -> Value {
    let (values, attachments) = ceria_test_support::example_form("akta_kelahiran");
    json!({"values": values, "attachments": attachments})
}

#[test]
fn validate_form_refuses_a_father_born_after_the_child() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("lahir.json");
    std::fs::write(&good, birth_report().to_string()).unwrap();
    ceria()
        .args(["validate", "form", "akta_kelahiran"])
        .arg(&good)
        .assert()
        .success();

    // Child born 2026-10-20; the father (who reports) born 2026-11-05, NIK matching.
    let mut form = birth_report();
    form["values"]["tanggal_lahir_ayah"] = json!("2026-11-05");
    form["values"]["nik_ayah"] = json!("1305090511260004");
    form["values"]["nik_pelapor"] = json!("1305090511260004");
    let bad = dir.path().join("ayah.json");
    std::fs::write(&bad, form.to_string()).unwrap();
    let out = ceria()
        .args(["--json", "validate", "form", "akta_kelahiran"])
        .arg(&bad)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report = json_of(&out.stdout);
    assert_eq!(report["valid"], false);
    let issues = report["issues"].as_array().unwrap();
    assert!(
        issues.iter().any(|i| i["code"] == "parent.born_after_child"
            && i["field"] == "tanggal_lahir_ayah"
            && i["severity"] == "error"),
        "{report}"
    );
}
