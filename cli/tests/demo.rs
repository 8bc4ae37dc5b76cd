//! `ceria demo` as a newcomer runs it: every step prints, the request ends "Selesai" with a
//! tracking code, the exit status is 0, and it stays well within its time budget.

use ceria_test_support::cli::{ceria, json_of};
use predicates::prelude::*;
use std::time::{Duration, Instant};

#[test]
fn the_demo_tells_the_whole_story_and_checks_it() {
    let started = Instant::now();
    let out = ceria()
        .args(["--json", "demo"])
        .assert()
        .success()
        .stdout(predicate::str::contains("OFFLINE"))
        .stdout(predicate::str::contains("nik.sex_mismatch"))
        .stdout(predicate::str::contains(
            "Pada NIK perempuan, tanggal lahir ditambah 40",
        ))
        .stdout(predicate::str::contains("nothing reached the server"))
        .stdout(predicate::str::contains("Diverifikasi nagari"))
        .stdout(predicate::str::contains("Status: Selesai / Completed"))
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = json_of(stdout.lines().last().unwrap().as_bytes());
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["state"], "completed");
    assert_eq!(summary["state_label"], "Selesai");
    let code = summary["tracking_code"].as_str().unwrap();
    assert!(
        code.len() == 12 && code.starts_with("CR-"),
        "tracking code {code}"
    );
    assert!(stdout.contains(&format!("Kode lacak / tracking code: {code}")));
    // The budget is 30 s after a release build; a debug build must not be far off either.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_demo_can_keep_its_data_for_exploring() {
    let out = ceria()
        .args(["demo", "--keep"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let kept = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Data demo disimpan di / demo data kept in "))
        .unwrap()
        .trim()
        .to_string();
    let home = std::path::Path::new(&kept).join("warga");
    // The citizen's device data can be opened with the CLI afterwards (offline).
    ceria()
        .arg("device")
        .arg("--home")
        .arg(&home)
        .arg("requests")
        .assert()
        .success()
        .stdout(predicate::str::contains("Selesai"));
    std::fs::remove_dir_all(&kept).unwrap();
}
