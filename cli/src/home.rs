//! Where the CLI keeps its own state between runs: the desktop device's data directory, the
//! server URL last given, and the operator's session. All under one home directory:
//! `--home`, else `$CERIA_HOME`, else `$HOME/.ceria`, else `./.ceria`.

use crate::exit::{self, Failure};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The server used when none was ever given.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

const SERVER_FILE: &str = "server-url";
const OPERATOR_FILE: &str = "operator-session.json";

/// `--home` and `--server`, the same for `ceria device` and `ceria operator`.
#[derive(Debug, clap::Args)]
pub struct HomeArgs {
    /// Home directory of the CLI: the device's data (HOME/device), the staff session and the
    /// server URL last given.
    #[arg(long, env = "CERIA_HOME")]
    pub home: Option<PathBuf>,
    /// The registry server's URL (remembered for later runs; staff commands default to the
    /// server of their session).
    #[arg(long, env = "CERIA_SERVER")]
    pub server: Option<String>,
}

/// The home directory to use (`explicit` already includes `$CERIA_HOME` through clap).
pub fn home_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".ceria")))
        .unwrap_or_else(|| PathBuf::from(".ceria"))
}

fn io_failure(what: &str, path: &Path, e: &std::io::Error) -> Failure {
    Failure::new(exit::INTERNAL, format!("{what} {}: {e}", path.display()))
}

/// The server URL: the one given now (remembered for later runs), else the remembered one,
/// else [`DEFAULT_SERVER`].
pub fn server_url(home: &Path, explicit: Option<String>) -> Result<String, Failure> {
    let file = home.join(SERVER_FILE);
    if let Some(url) = explicit {
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Failure::new(
                exit::USAGE,
                format!("--server `{url}`: gunakan / use http://HOST:PORT atau/or https://..."),
            ));
        }
        std::fs::create_dir_all(home).map_err(|e| io_failure("home", home, &e))?;
        std::fs::write(&file, &url).map_err(|e| io_failure("server-url", &file, &e))?;
        return Ok(url);
    }
    match std::fs::read_to_string(&file) {
        Ok(saved) if !saved.trim().is_empty() => Ok(saved.trim().to_string()),
        _ => Ok(DEFAULT_SERVER.to_string()),
    }
}

/// An operator's or officer's saved session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorSession {
    /// The server it belongs to.
    pub server: String,
    /// Bearer token.
    pub token: String,
    /// Who is logged in.
    pub user: ceria_core::protocol::UserInfo,
    /// Expiry, ms since the Unix epoch.
    pub expires_at_ms: i64,
}

/// Saves the session, readable by the owner only (it is a credential).
pub fn save_session(home: &Path, session: &OperatorSession) -> Result<(), Failure> {
    std::fs::create_dir_all(home).map_err(|e| io_failure("home", home, &e))?;
    let path = home.join(OPERATOR_FILE);
    let text = serde_json::to_string_pretty(session)
        .map_err(|e| Failure::new(exit::INTERNAL, format!("session: {e}")))?;
    write_private(&path, text.as_bytes()).map_err(|e| io_failure("session", &path, &e))
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// The saved session, if any (an unreadable file counts as none).
pub fn load_session(home: &Path) -> Option<OperatorSession> {
    let text = std::fs::read_to_string(home.join(OPERATOR_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Forgets the session.
pub fn clear_session(home: &Path) -> Result<(), Failure> {
    let path = home.join(OPERATOR_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_failure("session", &path, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ceria_core::protocol::{Role, UserInfo};

    #[test]
    fn server_url_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("h");
        assert_eq!(server_url(&home, None).unwrap(), DEFAULT_SERVER);
        let given = server_url(&home, Some("http://10.0.0.2:9000/".into())).unwrap();
        assert_eq!(given, "http://10.0.0.2:9000");
        assert_eq!(server_url(&home, None).unwrap(), "http://10.0.0.2:9000");
        let bad = server_url(&home, Some("ftp://x".into())).unwrap_err();
        assert_eq!(bad.status, exit::USAGE);
    }

    #[test]
    fn sessions_round_trip_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_session(dir.path()).is_none());
        let s = OperatorSession {
            server: "http://h".into(),
            token: "t".into(),
            user: UserInfo {
                id: "1".into(),
                username: "op".into(),
                name: "Op".into(),
                role: Role::Operator,
                village: Some("13.05.08.2002".into()),
                identity: None,
            },
            expires_at_ms: 5,
        };
        save_session(dir.path(), &s).unwrap();
        assert_eq!(load_session(dir.path()), Some(s));
        clear_session(dir.path()).unwrap();
        clear_session(dir.path()).unwrap();
        assert!(load_session(dir.path()).is_none());
    }
}
