//! `ceria device` and `ceria operator` against a real server (`ceria serve` on loopback): the
//! whole path of a request through the binary, working offline, and bad input (wrong password,
//! unknown service or draft, server down) ending in a clear message and a documented status.

use ceria_test_support::PASSWORD;
use ceria_test_support::cli::{
    PASSPHRASE, ServeChild, ceria, create_staff, dead_url, device, device_json, json_of, no_panic,
    operator,
};
use predicates::prelude::*;
use std::path::Path;

const NIK: &str = "1305021005090003";

/// Registers the test citizen on `url` (remembered by the device for later commands).
fn register(home: &Path, url: &str) -> assert_cmd::assert::Assert {
    device(home)
        .args(["--server", url, "register", "--nik", NIK])
        .args(["--name", "Andika Pratama", "--phone", "081234567890"])
        .args(["--password", PASSWORD])
        .assert()
}

/// `field=value` arguments from the fixture's valid values.
fn assignments() -> Vec<String> {
    let values = ceria_test_support::valid_example("ktp_baru");
    values["values"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
        .collect()
}

#[test]
fn a_request_from_the_desktop_device_through_review_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let server = ServeChild::start(&data);
    create_staff(&data, "operator", "op.nagari", Some("13.05.02.2002"));
    create_staff(&data, "officer", "petugas", None);
    let citizen = dir.path().join("citizen");

    // Register (online); the server URL is remembered for the next commands.
    register(&citizen, &server.url)
        .success()
        .stdout(predicate::str::contains("Andika Pratama"));
    // Registering the same NIK again: refused with the server's words.
    device(&citizen)
        .args(["register", "--nik", NIK, "--name", "Andika Pratama"])
        .args(["--phone", "081234567890", "--password", PASSWORD])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("auth.nik_taken"));
    // Wrong password: authentication status 5.
    let out = device(&citizen)
        .args(["login", "--username", NIK, "--password", "salah-sekali"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("auth.invalid_credentials"))
        .get_output()
        .clone();
    no_panic(&out.stderr);

    // Catalog browsing.
    device(&citizen)
        .arg("services")
        .assert()
        .success()
        .stdout(predicate::str::contains("ktp_baru"));
    device(&citizen)
        .args(["service", "ktp_baru"])
        .assert()
        .success()
        .stdout(predicate::str::contains("hari kerja"));
    device(&citizen)
        .args(["service", "paspor"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("service.unknown"));
    device(&citizen)
        .args(["draft", "new", "paspor"])
        .assert()
        .code(3);

    // The server goes down: drafting still works (offline).
    let (status, _) = server.terminate();
    assert!(status.success());
    let out = device_json(&citizen)
        .args(["draft", "new", "ktp_baru"])
        .assert()
        .success()
        .get_output()
        .clone();
    let draft = json_of(&out.stdout)["id"].as_str().unwrap().to_string();
    let prefix = &draft[..draft.len() - 4];
    let mut set = device(&citizen);
    set.args(["draft", "set", prefix]).args(assignments());
    set.arg("nik=1305021005090009")
        .assert()
        .success()
        .stdout(predicate::str::contains("Tersimpan"));
    // An impossible date and a malformed pair.
    device(&citizen)
        .args(["draft", "set", &draft, "tanggal_lahir=2009-02-30"])
        .assert()
        .success()
        .stdout(predicate::str::contains("date.invalid"));
    device(&citizen)
        .args(["draft", "set", &draft, "nama"])
        .assert()
        .code(2);
    device(&citizen)
        .args(["draft", "set", &draft, "tanggal_lahir=2009-05-10"])
        .assert()
        .success();
    // Missing KK: the check fails (1) and names the attachment; submitting is refused.
    device(&citizen)
        .args(["draft", "check", &draft])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("attachment.missing"));
    device(&citizen)
        .args(["submit", &draft])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("draft.invalid"));
    let photo = dir.path().join("kk.jpg");
    let mut jpeg = vec![0xFFu8; 700 * 1024];
    jpeg[1] = 0xD8; // a JPEG signature: attachments are judged by their content
    std::fs::write(&photo, jpeg).unwrap();
    let notes = dir.path().join("kk.txt");
    std::fs::write(&notes, "x").unwrap();
    device(&citizen)
        .args(["draft", "attach", &draft, "kk"])
        .arg(&notes)
        .assert()
        .code(2);
    device(&citizen)
        .args(["draft", "attach", &draft, "kk"])
        .arg(dir.path().join("absent.jpg"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("attachment.unreadable"));
    device(&citizen)
        .args(["draft", "attach", &draft, "kk"])
        .arg(&photo)
        .assert()
        .success()
        .stdout(predicate::str::contains("image/jpeg"));
    device(&citizen)
        .args(["draft", "check", &draft])
        .assert()
        .success();
    let out = device_json(&citizen)
        .args(["submit", &draft])
        .assert()
        .success()
        .get_output()
        .clone();
    let request = json_of(&out.stdout);
    assert_eq!(request["state"], "queued");
    let request_id = request["id"].as_str().unwrap().to_string();
    device(&citizen)
        .args(["draft", "show", &draft])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("draft.not_found"));
    // Server down: sync says so (4) and keeps the request queued.
    let out = device(&citizen)
        .arg("sync")
        .assert()
        .code(4)
        .stderr(predicate::str::contains("sync.offline"))
        .get_output()
        .clone();
    no_panic(&out.stderr);

    // The server is back (same data, new port): sync sends it.
    let server = ServeChild::start(&data);
    let out = device_json(&citizen)
        .args(["--server", &server.url, "sync", "--wait", "30"])
        .assert()
        .success()
        .get_output()
        .clone();
    let report = json_of(&out.stdout);
    assert_eq!(report["files_uploaded"], 1);
    assert_eq!(report["accepted"], 1);
    assert_eq!(report["bytes_uploaded"], 700 * 1024);
    let out = device_json(&citizen)
        .args(["request", &request_id])
        .assert()
        .success()
        .get_output()
        .clone();
    let info = json_of(&out.stdout);
    assert_eq!(info["state"], "submitted");
    let tracking = info["tracking_code"].as_str().unwrap().to_string();
    assert!(tracking.starts_with("CR-"), "{tracking}");

    // The operator: not logged in, wrong password, then the queue.
    let staff = dir.path().join("staff");
    operator(&staff)
        .arg("queue")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("operator"));
    operator(&staff)
        .args(["--server", &server.url, "login", "--username", "op.nagari"])
        .args(["--password", "bukan-sandinya"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("auth.invalid_credentials"));
    operator(&staff)
        .args(["--server", &server.url, "login", "--username", NIK])
        .args(["--password", PASSWORD])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("auth.forbidden"));
    operator(&staff)
        .args(["--server", &server.url, "login", "--username", "op.nagari"])
        .args(["--password", PASSWORD])
        .assert()
        .success();
    let out = ceria()
        .args(["--json", "operator", "--home"])
        .arg(&staff)
        .args(["queue", "--state", "submitted"])
        .assert()
        .success()
        .get_output()
        .clone();
    let queue = json_of(&out.stdout);
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["tracking_code"], tracking.as_str());
    operator(&staff)
        .args(["queue", "--state", "done"])
        .assert()
        .code(2);
    operator(&staff)
        .args(["show", &tracking])
        .assert()
        .success()
        .stdout(predicate::str::contains("Andika Pratama"));
    // An operator may not process; returning needs a reason.
    operator(&staff)
        .args(["process", &tracking])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("auth.forbidden"));
    operator(&staff)
        .args(["return", &tracking])
        .assert()
        .code(2);
    operator(&staff)
        .args([
            "return",
            &tracking,
            "--reason",
            "kk=Foto KK buram, mohon foto ulang",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Dikembalikan"));

    // The citizen hears back, revises with a new photo, and sends again.
    device(&citizen).arg("sync").assert().success();
    device(&citizen)
        .args(["request", &tracking])
        .assert()
        .success()
        .stdout(predicate::str::contains("Foto KK buram"));
    let out = device_json(&citizen)
        .args(["revise", &tracking])
        .assert()
        .success()
        .get_output()
        .clone();
    let revision = json_of(&out.stdout)["id"].as_str().unwrap().to_string();
    let sharper = dir.path().join("kk-baru.png");
    let mut png = vec![0x42u8; 300 * 1024];
    png[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n"); // judged by content: a PNG signature
    std::fs::write(&sharper, png).unwrap();
    device(&citizen)
        .args(["draft", "attach", &revision, "kk"])
        .arg(&sharper)
        .assert()
        .success();
    device(&citizen)
        .args(["submit", &revision])
        .assert()
        .success();
    device(&citizen).arg("sync").assert().success();

    // Verified by the nagari; processed and completed by the officer.
    operator(&staff)
        .args(["verify", &tracking])
        .assert()
        .success();
    let officer = dir.path().join("officer");
    operator(&officer)
        .args(["--server", &server.url, "login", "--username", "petugas"])
        .args(["--password", PASSWORD])
        .assert()
        .success();
    operator(&officer)
        .args(["process", &tracking])
        .assert()
        .success();
    operator(&officer)
        .args(["complete", &tracking, "--number", "KTP-1305-0001"])
        .assert()
        .code(2);
    operator(&officer)
        .args(["complete", &tracking, "--number", "KTP-1305-0001"])
        .args(["--pickup", "Kantor wali nagari"])
        .assert()
        .success()
        .stdout(predicate::str::contains("KTP-1305-0001"));
    // Completed is final: rejecting now is an illegal transition (1).
    operator(&officer)
        .args(["reject", &tracking, "--note", "terlambat"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("state.illegal_transition"));
    operator(&officer)
        .args(["show", "CR-0000-0000"])
        .assert()
        .code(3);

    device(&citizen).arg("sync").assert().success();
    device(&citizen)
        .args(["request", &tracking])
        .assert()
        .success()
        .stdout(predicate::str::contains("Selesai"))
        .stdout(predicate::str::contains("KTP-1305-0001"));
    device(&citizen)
        .arg("requests")
        .assert()
        .success()
        .stdout(predicate::str::contains(tracking.as_str()));

    // Server down for staff: a clear message and status 4.
    operator(&officer)
        .args(["--server", &dead_url(), "queue"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("server tidak dapat dihubungi"));
    operator(&officer).arg("logout").assert().success();
    operator(&officer).arg("whoami").assert().code(5);
    device(&citizen).arg("logout").assert().success();
    device(&citizen).arg("requests").assert().code(5);
}

#[test]
fn device_without_server_or_account() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("h");
    // Login and register need the server: status 4 with the offline message.
    let out = device(&home)
        .args(["--server", &dead_url(), "login", "--username", NIK])
        .args(["--password", PASSWORD])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("sync.offline"))
        .get_output()
        .clone();
    no_panic(&out.stderr);
    // Drafting needs an account on the device: status 5 with how to get one.
    device(&home)
        .args(["draft", "new", "ktp_baru"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("account.none"))
        .stderr(predicate::str::contains("ceria device login"));
    device(&home)
        .args(["--server", "ftp://nope", "services"])
        .assert()
        .code(2);
    device(&home).arg("services").assert().success();
}

/// The desktop store is encrypted with a key from the device passphrase: nothing under
/// `HOME/device` shows the NIK or name, a wrong passphrase is refused with status 5 and the
/// way out, and without a passphrase or a terminal the command says what to set.
#[test]
fn the_device_store_is_locked_by_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServeChild::start(&dir.path().join("server"));
    let home = dir.path().join("h");
    register(&home, &server.url).success();
    device(&home)
        .args(["draft", "new", "ktp_baru"])
        .assert()
        .success();
    let mut stack = vec![home.join("device")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for secret in [NIK, "Andika Pratama"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} in {}",
                    path.display()
                );
            }
        }
    }
    device(&home)
        .env("CERIA_PASSPHRASE", "bukan frasa sandinya")
        .arg("drafts")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("device.key_wrong"))
        .stderr(predicate::str::contains("CERIA_PASSPHRASE"));
    device(&home)
        .env_remove("CERIA_PASSPHRASE")
        .arg("drafts")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("CERIA_PASSPHRASE"));
    device(&home).arg("drafts").assert().success();
}

/// Ctrl-C while `sync --wait` keeps retrying an unreachable server: the command stops at
/// once with status 130 and the catalog's "nothing is lost" message, not a dead process.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_waiting_sync_cleanly() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let server = ServeChild::start(&dir.path().join("server"));
    let citizen = dir.path().join("citizen");
    register(&citizen, &server.url).success();
    drop(server);

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_ceria"))
        .arg("device")
        .arg("--home")
        .arg(&citizen)
        .args(["sync", "--wait", "120"])
        .env("CERIA_PASSPHRASE", PASSPHRASE)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let it fail a pass or two, so the signal lands in a retry pause or in a pass.
    std::thread::sleep(Duration::from_millis(1500));
    let pid = child.id().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "sync took {:?} to stop after Ctrl-C",
        started.elapsed()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("sync.cancelled"), "{stderr}");
    no_panic(&out.stderr);
}
