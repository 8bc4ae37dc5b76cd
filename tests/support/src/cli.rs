//! The `ceria` binary as the CLI tests run it: with its environment cleared, a real server
//! started as `ceria serve --data TMP --listen 127.0.0.1:0` whose URL is read from its output,
//! staff accounts made with `ceria admin`, and checks of what it printed. The binary is the one
//! cargo built for the calling integration test (`CARGO_BIN_EXE_ceria`). When the tests run on
//! PostgreSQL (`CERIA_TEST_POSTGRES_URL`), every `ceria` a test starts gets the test's own
//! fresh database in `CERIA_DATABASE_URL` ([`crate::postgres::cli_database_url`]).
use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Stdio};
use std::time::Duration;

use crate::PASSWORD;
use crate::postgres::cli_database_url;

/// The variable `ceria serve` and `ceria admin` read their database URL from.
const DATABASE_URL_VAR: &str = "CERIA_DATABASE_URL";

/// The device passphrase the CLI tests use.
pub const PASSPHRASE: &str = "frasa sandi uji perangkat";

/// `ceria` with its environment cleared of the variables it reads (the device passphrase is
/// [`PASSPHRASE`]).
pub fn ceria() -> Command {
    prepared("ceria")
}

/// `ceria-server` (the server-only binary: serve and admin), prepared as [`ceria`] is.
pub fn ceria_server() -> Command {
    prepared("ceria-server")
}

fn prepared(binary: &str) -> Command {
    let mut cmd = Command::cargo_bin(binary).unwrap();
    for var in [
        "CERIA_HOME",
        "CERIA_SERVER",
        "CERIA_DATA",
        "CERIA_LISTEN",
        "CERIA_PASSWORD",
        DATABASE_URL_VAR,
    ] {
        cmd.env_remove(var);
    }
    if let Some(url) = cli_database_url() {
        cmd.env(DATABASE_URL_VAR, url);
    }
    // The desktop device's store is encrypted with a key from this passphrase.
    cmd.env("CERIA_PASSPHRASE", PASSPHRASE);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// `ceria device --home HOME`: the desktop device frontend on the phone directory `home`.
pub fn device(home: &Path) -> Command {
    let mut cmd = ceria();
    cmd.arg("device").arg("--home").arg(home);
    cmd
}

/// `ceria --json device --home HOME`.
pub fn device_json(home: &Path) -> Command {
    let mut cmd = ceria();
    cmd.args(["--json", "device", "--home"]).arg(home);
    cmd
}

/// `ceria operator --home HOME`: the staff review tool with its session in `home`.
pub fn operator(home: &Path) -> Command {
    let mut cmd = ceria();
    cmd.arg("operator").arg("--home").arg(home);
    cmd
}

/// A `ceria serve` child process; killed on drop if still running.
pub struct ServeChild {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    pub stdout: BufReader<ChildStdout>,
}

impl ServeChild {
    /// Starts `ceria serve` on a free loopback port with its data in `data`.
    pub fn start(data: &Path) -> ServeChild {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ceria"));
        cmd.args(["--json", "serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data);
        ServeChild::spawn(cmd, data)
    }

    /// Starts a server command that prints `{"url": ...}` first (`--json`); `data` is its
    /// data directory.
    pub fn spawn(mut cmd: std::process::Command, data: &Path) -> ServeChild {
        match cli_database_url() {
            Some(url) => cmd.env(DATABASE_URL_VAR, url),
            None => cmd.env_remove(DATABASE_URL_VAR),
        };
        let mut child = cmd
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("serve printed {line:?}: {e}"));
        let url = v["url"].as_str().unwrap().to_string();
        ServeChild {
            child,
            url,
            data: data.to_path_buf(),
            stdout,
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut self.stdout, &mut rest);
        (status, rest)
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a staff account with `ceria admin`.
pub fn create_staff(data: &Path, role: &str, username: &str, village: Option<&str>) {
    let mut cmd = ceria();
    cmd.arg("admin")
        .arg("--data")
        .arg(data)
        .args(["create-user", "--role", role, "--username", username])
        .args(["--password", PASSWORD]);
    if let Some(v) = village {
        cmd.args(["--village", v]);
    }
    cmd.assert().success();
}

/// A URL on which nothing listens.
pub fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

/// The lines of stdout as JSON values.
pub fn json_of(out: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(out);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON: {text}: {e}"))
}

/// Asserts a failure did not come from a panic.
pub fn no_panic(stderr: &[u8]) {
    let text = String::from_utf8_lossy(stderr);
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "{text}"
    );
}
