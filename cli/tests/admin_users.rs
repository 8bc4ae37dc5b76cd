//! `ceria admin user ...` (and the same under `ceria-server admin user ...`): account
//! administration on a data directory, audited, never printing a password hash.

use ceria_test_support::cli::{ceria, ceria_server, create_staff, json_of, no_panic};
use predicates::prelude::*;
use std::path::Path;

fn admin(data: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    ceria()
        .arg("--json")
        .arg("admin")
        .arg("--data")
        .arg(data)
        .arg("user")
        .args(args)
        .assert()
}

#[test]
fn accounts_are_disabled_enabled_reset_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    create_staff(&data, "officer", "petugas.satu", None);

    let out = admin(&data, &["list"]).success().get_output().clone();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!text.contains("argon2"), "a hash in the list: {text}");
    let list = json_of(&out.stdout);
    assert_eq!(list[0]["username"], "petugas.satu");
    assert_eq!(list[0]["disabled"], false);

    let out = admin(&data, &["disable", "petugas.satu"])
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)["disabled"], true);
    admin(&data, &["enable", "petugas.satu"]).success();
    let weak = admin(
        &data,
        &["reset-password", "petugas.satu", "--password", "password1"],
    )
    .code(1)
    .stderr(predicate::str::contains("auth.common_password"))
    .get_output()
    .clone();
    no_panic(&weak.stderr);
    admin(
        &data,
        &[
            "reset-password",
            "petugas.satu",
            "--password",
            "Jendela-Kayu-Merah-38",
        ],
    )
    .success();
    // The same definitions under the server binary.
    ceria_server()
        .arg("--data")
        .arg(&data)
        .args(["admin", "user", "end-sessions", "petugas.satu"])
        .assert()
        .success();
    admin(&data, &["disable", "nobody.here"])
        .failure()
        .stderr(predicate::str::contains("request.not_found"));

    let out = admin(&data, &["history", "petugas.satu"])
        .success()
        .get_output()
        .clone();
    let events = json_of(&out.stdout);
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["disable", "enable", "reset_password", "end_sessions"]
    );
    assert!(events[0]["actor"].as_str().unwrap().starts_with("cli:"));
}
