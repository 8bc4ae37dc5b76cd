//! `ceria-server` keeps the command line that deployments (docs/protocol.md) and the Kotlin,
//! Python and Android suites use: `--data` and `--listen` to serve, `admin create-user`,
//! `regions import` and `catalog publish` on the data directory. Its options are those of
//! `ceria serve` and `ceria admin`.

use assert_cmd::Command;
use ceria_test_support::cli::{ServeChild, json_of, no_panic};
use ceria_test_support::{PASSWORD, newer_catalog};

fn server_bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ceria-server"));
    for var in ["CERIA_DATA", "CERIA_LISTEN", "CERIA_PASSWORD"] {
        cmd.env_remove(var);
    }
    cmd.timeout(std::time::Duration::from_secs(60));
    cmd
}

#[test]
fn admin_commands_as_the_suites_call_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    server_bin()
        .arg("--data")
        .arg(&data)
        .args(["admin", "create-user", "--role", "officer"])
        .args(["--username", "petugas.uji", "--password", PASSWORD])
        .args(["--name", "Petugas Disdukcapil Uji"])
        .assert()
        .success();
    // `--data` may also follow the subcommand; `--json` prints the account.
    let out = server_bin()
        .args(["--json", "admin", "create-user", "--role", "operator"])
        .args(["--username", "op.uji", "--password", PASSWORD])
        .args(["--village", "13.05.01.2001", "--data"])
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)["role"], "operator");
    // A taken name is refused with the admin command's status, not a panic.
    let out = server_bin()
        .arg("--data")
        .arg(&data)
        .args(["admin", "create-user", "--role", "officer"])
        .args(["--username", "petugas.uji", "--password", PASSWORD])
        .assert()
        .code(1)
        .get_output()
        .clone();
    no_panic(&out.stderr);

    let csv = dir.path().join("wilayah.csv");
    std::fs::write(
        &csv,
        "code,name\n13,SUMATERA BARAT\n13.05,KABUPATEN PADANG PARIAMAN\n",
    )
    .unwrap();
    let out = server_bin()
        .args(["--json", "--data"])
        .arg(&data)
        .args(["regions", "import"])
        .arg(&csv)
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(json_of(&out.stdout)["imported"], 2);

    let (bumped, _) = newer_catalog(dir.path());
    server_bin()
        .arg("--data")
        .arg(&data)
        .args(["catalog", "publish"])
        .arg(&bumped)
        .assert()
        .success();
}

#[test]
fn serves_with_data_and_listen_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ceria-server"));
    cmd.args(["--json", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data);
    let server = ServeChild::spawn(cmd, &data);
    let mut response = ureq::get(format!("{}/readyz", server.url)).call().unwrap();
    assert_eq!(response.status(), 200);
    let _ = response.body_mut().read_to_string();
    let (status, _) = server.terminate();
    assert!(status.success(), "{status:?}");
}
