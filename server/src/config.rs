//! Server configuration: where the data lives, where to listen, and the limits that protect
//! the registry (upload size, session lifetime, login rate). Defaults suit one regency.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Largest attachment accepted by default (10 MiB).
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// How long an unfinished upload is kept by default.
pub const DEFAULT_UPLOAD_EXPIRY: Duration = Duration::from_secs(24 * 3600);
/// How long a session token is valid.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Failed logins tolerated per (account, address) pair in one minute.
pub const DEFAULT_LOGIN_FAILURES_PER_MINUTE: u32 = 10;
/// Failed logins tolerated per address, whatever the accounts, in one minute.
pub const DEFAULT_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE: u32 = 30;
/// Registrations accepted per address in one hour.
pub const DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR: u32 = 10;
/// How long the tokens of one login (refreshed or not) may live in all.
pub const DEFAULT_SESSION_FAMILY_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);
/// Live logins per account; a new one ends the oldest.
pub const DEFAULT_MAX_SESSIONS_PER_ACCOUNT: u32 = 10;
/// How long a request waits for a password-hashing permit before 503 `server.busy`.
pub const DEFAULT_PASSWORD_HASH_WAIT: Duration = Duration::from_secs(10);

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data directory: `ceria.db` (SQLite), `blobs/` (attachments), `uploads/` (partial).
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port (tests).
    pub listen: SocketAddr,
    /// Per-file upload limit in bytes (413 above).
    pub max_upload_bytes: u64,
    /// How long an unfinished upload is kept before it expires (410 afterwards).
    pub upload_expiry: Duration,
    /// Lifetime of a session token.
    pub session_ttl: Duration,
    /// Failed login attempts allowed per (account, client address) pair in a minute; then
    /// the pair is blocked, for twice as long at each further lockout (up to an hour).
    pub login_failures_per_minute: u32,
    /// Failed login attempts allowed per client address in a minute, whatever the accounts
    /// (with the same back-off).
    pub login_failures_per_address_per_minute: u32,
    /// Registrations accepted per client address in an hour.
    pub registrations_per_address_per_hour: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (set it only behind a
    /// reverse proxy that appends it); otherwise the socket peer is the client.
    pub trust_forwarded_for: bool,
    /// How long the tokens of one login may live in all, refreshes included.
    pub session_family_lifetime: Duration,
    /// Live logins per account; a new login ends the oldest beyond it.
    pub max_sessions_per_account: u32,
    /// Password hashes run at once (argon2 takes ~19 MiB each); the default is the cores.
    pub password_hashes_at_once: usize,
    /// How long a request waits for a hashing permit before 503 `server.busy`.
    pub password_hash_wait: Duration,
    /// How often expired uploads and sessions are swept.
    pub sweep_interval: Duration,
    /// "Today" for form validation; `None` (production) takes the regency's current date.
    /// Tests and reproducible benchmark runs pin it.
    pub validation_today: Option<ceria_core::Date>,
}

impl Config {
    /// A configuration with the default limits for `data_dir`, listening on `listen`.
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Config {
        Config {
            data_dir: data_dir.into(),
            listen,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            upload_expiry: DEFAULT_UPLOAD_EXPIRY,
            session_ttl: DEFAULT_SESSION_TTL,
            login_failures_per_minute: DEFAULT_LOGIN_FAILURES_PER_MINUTE,
            login_failures_per_address_per_minute: DEFAULT_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE,
            registrations_per_address_per_hour: DEFAULT_REGISTRATIONS_PER_ADDRESS_PER_HOUR,
            trust_forwarded_for: false,
            session_family_lifetime: DEFAULT_SESSION_FAMILY_LIFETIME,
            max_sessions_per_account: DEFAULT_MAX_SESSIONS_PER_ACCOUNT,
            password_hashes_at_once: crate::http::hashing::PasswordHashing::default_at_once(),
            password_hash_wait: DEFAULT_PASSWORD_HASH_WAIT,
            sweep_interval: Duration::from_secs(600),
            validation_today: None,
        }
    }

    /// The SQLite database file.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("ceria.db")
    }

    /// The content-addressed attachment directory.
    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    /// Where partial uploads are kept until complete.
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_live_under_the_data_dir() {
        let c = Config::new("/srv/ceria", SocketAddr::from(([127, 0, 0, 1], 0)));
        assert_eq!(c.db_path(), PathBuf::from("/srv/ceria/ceria.db"));
        assert_eq!(c.blob_dir(), PathBuf::from("/srv/ceria/blobs"));
        assert_eq!(c.upload_dir(), PathBuf::from("/srv/ceria/uploads"));
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
    }
}
