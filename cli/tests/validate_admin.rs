//! `ceria validate` and `ceria admin` (and `ceria serve` starting and stopping), run as the
//! binary: results, JSON lines, exit statuses and bad input.

use ceria_test_support::cli::{ServeChild, ceria, create_staff, json_of, no_panic};
use ceria_test_support::postgres::on_postgres;
use ceria_test_support::{PASSWORD, newer_catalog};
use predicates::prelude::*;

#[test]
fn validate_nik_arguments_stdin_and_json() {
    ceria()
        .args(["validate", "nik", "1305086106080002", "--sex", "P"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sah / valid"))
        .stdout(predicate::str::contains("birth_date=2008-06-21"));
    // A woman's NIK without the + 40: invalid with the sex given, exit 1.
    let out = ceria()
        .args([
            "--json",
            "validate",
            "nik",
            "1305082106080002",
            "--sex",
            "P",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v = json_of(&out.stdout);
    assert_eq!(v["nik"], "1305082106080002");
    assert_eq!(v["valid"], false);
    assert_eq!(v["issues"][0]["code"], "nik.sex_mismatch");
    assert_eq!(v["issues"][0]["severity"], "error");
    // One JSON object per line from stdin; blank lines are skipped.
    let out = ceria()
        .args(["--json", "validate", "nik"])
        .write_stdin("1305021005090003\n\n12345\n")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["issues"][0]["code"], "nik.length");
    // Bad options are usage errors, not panics.
    let out = ceria()
        .args([
            "validate",
            "nik",
            "1305021005090003",
            "--birth-date",
            "10/05/2009",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    no_panic(&out.stderr);
}

#[test]
fn validate_form_good_bad_and_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        ceria_test_support::valid_example("ktp_baru").to_string(),
    )
    .unwrap();
    ceria()
        .args(["validate", "form", "ktp_baru"])
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("lengkap dan sah"));
    // The KK not attached: invalid, the message in Indonesian then English.
    let mut values = ceria_test_support::valid_example("ktp_baru");
    values["attachments"] = serde_json::json!([]);
    let missing = dir.path().join("missing.json");
    std::fs::write(&missing, values.to_string()).unwrap();
    ceria()
        .args(["validate", "form", "ktp_baru"])
        .arg(&missing)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("attachment.missing"))
        .stdout(predicate::str::contains("Dokumen belum dilampirkan"));
    let out = ceria()
        .args(["--json", "validate", "form", "ktp_baru"])
        .arg(&missing)
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)["valid"], false);
    // Unknown service: not found (3).
    let out = ceria()
        .args(["validate", "form", "paspor"])
        .arg(&good)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("paspor"))
        .get_output()
        .clone();
    no_panic(&out.stderr);
    // Malformed JSON: invalid (1), with the position.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"values\": {\"nik\": ").unwrap();
    let out = ceria()
        .args(["validate", "form", "ktp_baru"])
        .arg(&broken)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("JSON tidak sah / malformed JSON"))
        .get_output()
        .clone();
    no_panic(&out.stderr);
    // A JSON array where the form belongs, and a missing file.
    let array = dir.path().join("array.json");
    std::fs::write(&array, "[1, 2]").unwrap();
    ceria()
        .args(["validate", "form", "ktp_baru"])
        .arg(&array)
        .assert()
        .code(1);
    ceria()
        .args(["validate", "form", "ktp_baru"])
        .arg(dir.path().join("nothing.json"))
        .assert()
        .code(3);
}

#[test]
fn admin_accounts_regions_and_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_staff(&data, "operator", "op.sintuk", Some("13.05.08.2002"));
    // Taken, weak password, operator without village, bad village: refused (1).
    let taken = ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args([
            "create-user",
            "--role",
            "officer",
            "--username",
            "op.sintuk",
        ])
        .args(["--password", PASSWORD])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("auth.username_taken"))
        .stderr(predicate::str::contains("op.sintuk sudah dipakai"))
        .get_output()
        .clone();
    no_panic(&taken.stderr);
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["create-user", "--role", "officer", "--username", "petugas"])
        .args(["--password", "pendek"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("auth.weak_password"));
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["create-user", "--role", "operator", "--username", "op.lain"])
        .args(["--password", PASSWORD])
        .assert()
        .code(1);
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["create-user", "--role", "cook", "--username", "x"])
        .args(["--password", PASSWORD])
        .assert()
        .code(2);
    let out = ceria()
        .args(["--json", "admin", "--data"])
        .arg(&data)
        .args(["create-user", "--role", "officer", "--username", "petugas"])
        .args(["--password", PASSWORD, "--name", "Rina Putri"])
        .assert()
        .success()
        .get_output()
        .clone();
    let user = json_of(&out.stdout);
    assert_eq!(
        (user["role"].as_str(), user["name"].as_str()),
        (Some("officer"), Some("Rina Putri"))
    );

    // Regions: a small table of our own; a missing file; a file that is not a region table.
    let csv = dir.path().join("wilayah.csv");
    std::fs::write(
        &csv,
        "code,name\n13,SUMATERA BARAT\n13.05,KABUPATEN PADANG PARIAMAN\n13.05.08,V KOTO KAMPUNG DALAM\n",
    )
    .unwrap();
    let out = ceria()
        .args(["--json", "admin", "--data"])
        .arg(&data)
        .args(["regions", "import"])
        .arg(&csv)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)["imported"], 3);
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["regions", "import"])
        .arg(dir.path().join("none.csv"))
        .assert()
        .code(3);
    let garbage = dir.path().join("garbage.csv");
    std::fs::write(&garbage, "code,name\nnot a code,X\n").unwrap();
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["regions", "import"])
        .arg(&garbage)
        .assert()
        .code(1);
    // The real decree table, when the shared data sits beside the repository.
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/wilayah/wilayah_2025.csv"
    );
    if std::path::Path::new(shared).exists() {
        let out = ceria()
            .args(["--json", "admin", "--data"])
            .arg(&data)
            .args(["regions", "import", shared])
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(json_of(&out.stdout)["imported"].as_u64().unwrap() > 80_000);
    } else {
        eprintln!("skip: {shared} absent");
    }

    // Catalog: the embedded one again is not newer (1); a bumped version is published.
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/catalog/catalog.json");
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["catalog", "publish", source])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("catalog.outdated"));
    let (bumped, newer) = newer_catalog(dir.path());
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["catalog", "publish"])
        .arg(&bumped)
        .assert()
        .success()
        .stdout(predicate::str::contains(newer.as_str()));
    std::fs::write(&bumped, "{\"format\": 1}").unwrap();
    ceria()
        .arg("admin")
        .arg("--data")
        .arg(&data)
        .args(["catalog", "publish"])
        .arg(&bumped)
        .assert()
        .code(1);
}

#[test]
fn serve_prints_its_url_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh").join("data");
    let server = ServeChild::start(&data);
    assert!(data.is_dir(), "data directory created on first run");
    assert_eq!(
        data.join("ceria.db").exists(),
        !on_postgres(),
        "the SQLite database is in the data directory unless the server runs on PostgreSQL"
    );
    let mut response = ureq::get(format!("{}/healthz", server.url)).call().unwrap();
    assert_eq!(response.status(), 200);
    let _ = response.body_mut().read_to_string();
    let (status, rest) = server.terminate();
    assert!(status.success(), "{status:?}");
    assert!(rest.is_empty(), "--json prints nothing more: {rest}");
    // The port is taken: a clear message and status 4, no panic.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = ceria()
        .args(["serve", "--listen", &addr, "--data"])
        .arg(&data)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("server tidak dapat dimulai"))
        .get_output()
        .clone();
    no_panic(&out.stderr);
}

/// `ceria admin --data DATA COMMAND FLAG PATH`, as the binary.
fn admin_with_path(
    data: &std::path::Path,
    command: &str,
    flag: &str,
    path: &std::path::Path,
) -> assert_cmd::assert::Assert {
    ceria()
        .arg("--json")
        .args(["admin", "--data"])
        .arg(data)
        .args([command, flag])
        .arg(path)
        .assert()
}

#[test]
fn admin_backup_and_restore_round_trip_and_refuse_to_overwrite() {
    if on_postgres() {
        eprintln!(
            "skipped on PostgreSQL: `ceria admin backup` copies SQLite registries (pg_dump's job there)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    create_staff(&data, "officer", "petugas.arsip", None);
    let archive = dir.path().join("registry.tar");
    let out = admin_with_path(&data, "backup", "--to", &archive).success();
    let v = json_of(&out.get_output().stdout);
    assert_eq!(v["accounts"], 1, "{v}");
    assert_eq!(v["blobs_included"], true, "{v}");
    let restored = dir.path().join("restored");
    let out = admin_with_path(&restored, "restore", "--from", &archive).success();
    assert_eq!(json_of(&out.get_output().stdout)["accounts"], 1);
    assert!(restored.join("ceria.db").is_file());
    // The restored registry is a working one: its account is there.
    ceria()
        .args(["admin", "--data"])
        .arg(&restored)
        .args([
            "create-user",
            "--role",
            "officer",
            "--username",
            "petugas.arsip",
        ])
        .args(["--password", PASSWORD])
        .assert()
        .code(1);
    // Never over existing data; a directory without a registry has nothing to back up.
    let out = admin_with_path(&restored, "restore", "--from", &archive).code(1);
    no_panic(&out.get_output().stderr);
    assert!(
        String::from_utf8_lossy(&out.get_output().stdout).contains("not empty")
            || String::from_utf8_lossy(&out.get_output().stderr).contains("not empty")
    );
    admin_with_path(
        &dir.path().join("nothing"),
        "backup",
        "--to",
        &dir.path().join("x.tar"),
    )
    .code(3);
}
