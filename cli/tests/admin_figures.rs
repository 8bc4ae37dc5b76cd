//! `ceria admin holiday` and `ceria admin stats`, and the changes `ceria admin catalog publish`
//! prints, run as the binary on a data directory.

use ceria_test_support::cli::{ceria, json_of};
use ceria_test_support::newer_catalog;
use predicates::prelude::*;

#[test]
fn holidays_figures_and_catalog_changes_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    ceria()
        .args([
            "admin",
            "--data",
            data,
            "holiday",
            "add",
            "2026-12-25",
            "Hari Raya Natal",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("2026-12-25: Hari Raya Natal"));
    ceria()
        .args(["admin", "--data", data, "holiday", "add", "2026-02-30", "x"])
        .assert()
        .code(1);
    let out = ceria()
        .args([
            "--json", "admin", "--data", data, "holiday", "list", "--year", "2026",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)[0]["name"], "Hari Raya Natal");
    ceria()
        .args(["admin", "--data", data, "holiday", "remove", "2026-12-24"])
        .assert()
        .code(3);

    // The figures: on screen (none yet), and a year as XLSX and CSV files.
    let out = ceria()
        .args(["--json", "admin", "--data", data, "stats"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)["years"], serde_json::json!([]));
    let xlsx = dir.path().join("statistik-2026.xlsx");
    ceria()
        .args(["admin", "--data", data, "stats", "--year", "2026", "--out"])
        .arg(&xlsx)
        .assert()
        .success();
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let csv = dir.path().join("statistik-2026.csv");
    ceria()
        .args([
            "admin", "--data", data, "stats", "--year", "2026", "--lang", "en", "--out",
        ])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}By month\r\nMonth,Requests\r\nJanuary,0\r\n"),
        "{text}"
    );
    ceria()
        .args(["admin", "--data", data, "stats", "--out", "figures.pdf"])
        .assert()
        .code(2);

    // Publishing the same catalog under a newer version changes no service.
    let (catalog, version) = newer_catalog(dir.path());
    ceria()
        .args(["admin", "--data", data, "catalog", "publish"])
        .arg(&catalog)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Katalog {version} diterbitkan"
        )))
        .stdout(predicate::str::contains("Tidak ada perubahan layanan"));
}
