//! Who owns a NIK, through the binary (issue 11, finding 1): `ceria admin population import`,
//! `ceria device accounts` and `ceria device verify` showing the state and what to do in the
//! catalog's words, and `ceria operator identity verify|reclaim|log` at the counter.

use ceria_test_support::PASSWORD;
use ceria_test_support::cli::{
    ServeChild, ceria, create_staff, device, device_json, json_of, no_panic, operator,
};
use predicates::prelude::*;

const NIK: &str = "1305021005090003";
const OTHER: &str = "1305021005090004";

#[test]
fn citizens_verify_against_the_register_and_staff_at_the_counter() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = ServeChild::start(&data);
    create_staff(&data, "operator", "op.nagari", Some("13.05.02.2002"));
    create_staff(&data, "officer", "petugas", None);

    // The registry imports its register extract; the key stays in the data directory.
    let csv = dir.path().join("extract.csv");
    std::fs::write(
        &csv,
        format!("NIK;No KK;Tanggal Lahir;Nama Ibu Kandung\n{NIK};1305020101100007;10-05-2009;Rosmaini\nbad;row;;\n"),
    )
    .unwrap();
    ceria()
        .args(["admin", "--data"])
        .arg(&data)
        .args(["population", "import"])
        .arg(&csv)
        .assert()
        .success()
        .stdout(predicate::str::contains("1 penduduk diimpor"))
        .stdout(predicate::str::contains("1 baris dilewati"));
    assert!(data.join("population.key").exists());

    // A new account is unverified; the device says so and what to do, Indonesian first.
    let citizen = dir.path().join("citizen");
    device(&citizen)
        .args(["--server", &server.url, "register", "--nik", NIK])
        .args(["--name", "Andika Pratama", "--phone", "081234567890"])
        .args(["--password", PASSWORD])
        .assert()
        .success()
        .stdout(predicate::str::contains("Akun belum terverifikasi"));
    device(&citizen)
        .arg("accounts")
        .assert()
        .success()
        .stdout(predicate::str::contains("Akun belum terverifikasi"))
        .stdout(predicate::str::contains("Account not verified"));
    let out = device_json(&citizen)
        .arg("accounts")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)[0]["identity"], "unverified");

    // A wrong answer is refused with the attempts left; the right one verifies.
    let out = device(&citizen)
        .args([
            "verify",
            "--nomor-kk",
            "1305020101100007",
            "--birth-date",
            "2009-05-10",
        ])
        .args(["--mother-name", "Rosmawati"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("identity.mismatch"))
        .get_output()
        .clone();
    no_panic(&out.stderr);
    device(&citizen)
        .args([
            "verify",
            "--nomor-kk",
            "1305 0201 0110 0007",
            "--birth-date",
            "2009-05-10",
        ])
        .args(["--mother-name", "ROSMAINI"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Akun terverifikasi"));

    // At the counter: an unverified account of another NIK is verified in person, then
    // reclaimed for its owner; the officer reads the log.
    let other = dir.path().join("other");
    device(&other)
        .args(["--server", &server.url, "register", "--nik", OTHER])
        .args(["--name", "Orang Lain", "--phone", "081234567891"])
        .args(["--password", PASSWORD])
        .assert()
        .success();
    let staff = dir.path().join("staff");
    operator(&staff)
        .args(["--server", &server.url, "login", "--username", "op.nagari"])
        .args(["--password", PASSWORD])
        .assert()
        .success();
    operator(&staff)
        .args(["identity", "verify", "--nik", OTHER, "--document", "ktp-el"])
        .args(["--note", "KTP-el asli"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Akun terverifikasi"));
    operator(&staff)
        .args([
            "identity",
            "reclaim",
            "--nik",
            OTHER,
            "--name",
            "Pemilik Asli",
        ])
        .args([
            "--phone",
            "081234567892",
            "--password",
            "rumah-gadang-bagonjong",
        ])
        .args(["--document", "kk"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dinonaktifkan"));
    // The squatter's device must log in again, and its password no longer works.
    device(&other).arg("sync").assert().code(5);
    let officer = dir.path().join("officer");
    operator(&officer)
        .args(["--server", &server.url, "login", "--username", "petugas"])
        .args(["--password", PASSWORD])
        .assert()
        .success();
    operator(&officer)
        .args(["identity", "log", "--nik", OTHER])
        .assert()
        .success()
        .stdout(predicate::str::contains("verified  ktp_el"))
        .stdout(predicate::str::contains("disabled  kk"))
        .stdout(predicate::str::contains("op.nagari"));
}
