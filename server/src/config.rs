//! Server configuration: where the data lives, where to listen, and the limits that protect
//! the registry (upload size, session lifetime, login rate, connection timeouts and caps,
//! per-account quotas). Defaults suit one regency.

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
/// How long a staff sign-in to the web console lasts (a working day and then some); the
/// browser is asked for the password again afterwards.
pub const DEFAULT_WEB_SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// How long a request waits for a password-hashing permit before 503 `server.busy`.
pub const DEFAULT_PASSWORD_HASH_WAIT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers; hyper starts this timer when a
/// connection waits for its next request, so it also closes idle keep-alive connections.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request body may stall between two chunks (inactivity, not the whole upload:
/// a slow phone sending a 10 MiB PATCH keeps going as long as bytes keep coming).
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; further ones wait in the listen backlog until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1_000;
/// Unfinished uploads one account may have open at once.
pub const DEFAULT_MAX_OPEN_UPLOADS: u32 = 20;
/// Completed uploads one account may keep that no request of theirs refers to.
pub const DEFAULT_MAX_UNATTACHED_FILES: u32 = 60;
/// How long a completed upload that no request refers to is kept.
pub const DEFAULT_UNATTACHED_FILE_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);
/// Largest `Upload-Metadata` header accepted, in bytes.
pub const DEFAULT_MAX_UPLOAD_METADATA_BYTES: usize = 4 * 1024;
/// Requests one account may file per service for one person in 24 hours.
pub const DEFAULT_MAX_REQUESTS_PER_DAY: u32 = 10;

/// Where attachments and the bytes of unfinished uploads are kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BlobStoreLocation {
    /// `blobs/` and `uploads/` in the data directory (one instance).
    #[default]
    DataDir,
    /// An S3-compatible bucket shared by every instance (`s3://BUCKET[/prefix]`); endpoint,
    /// region and credentials from the usual AWS environment variables.
    S3 {
        /// The bucket.
        bucket: String,
        /// Key prefix inside it (empty: the bucket's root).
        prefix: String,
    },
}

impl BlobStoreLocation {
    /// Reads `s3://BUCKET[/prefix]`.
    pub fn parse(text: &str) -> Result<BlobStoreLocation, String> {
        let rest = text
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{text}: expected s3://BUCKET[/prefix]"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{text}: the bucket is missing"));
        }
        Ok(BlobStoreLocation::S3 {
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// Says where the blobs are, for people: `files (data directory)` or `S3 s3://BUCKET/prefix`.
    pub fn describe(&self) -> String {
        match self {
            BlobStoreLocation::DataDir => "files (data directory)".to_string(),
            BlobStoreLocation::S3 { bucket, prefix } if prefix.is_empty() => {
                format!("S3 s3://{bucket}")
            }
            BlobStoreLocation::S3 { bucket, prefix } => format!("S3 s3://{bucket}/{prefix}"),
        }
    }

    /// For tests against a local S3-compatible server: a fresh prefix in the bucket
    /// `CERIA_TEST_S3_BUCKET` (default `ceria-test`) when `CERIA_TEST_S3` names the server
    /// (the AWS variables then point at it, as `scripts/suites/s3.sh` sets them); `None`, with
    /// the reason printed, otherwise (a failure instead in that suite under CI, see
    /// `store::testing::service_variable`).
    pub fn s3_for_tests() -> Option<BlobStoreLocation> {
        crate::store::testing::service_variable("CERIA_TEST_S3", "s3")?;
        let bucket = std::env::var("CERIA_TEST_S3_BUCKET").unwrap_or_else(|_| "ceria-test".into());
        Some(BlobStoreLocation::S3 {
            bucket,
            prefix: format!("test-{}", uuid::Uuid::new_v4()),
        })
    }
}

/// Where the registry's rows are kept.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum DatabaseLocation {
    /// SQLite, `ceria.db` in the data directory (one instance).
    #[default]
    DataDir,
    /// A PostgreSQL database every instance reaches, `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`
    /// (plain TCP: on the loopback or a private network).
    Postgres {
        /// The connection URL.
        url: String,
    },
}

impl std::fmt::Debug for DatabaseLocation {
    // Never prints the URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseLocation::DataDir => f.write_str("DataDir"),
            DatabaseLocation::Postgres { .. } => f.write_str("Postgres { .. }"),
        }
    }
}

impl DatabaseLocation {
    /// Reads `postgres://…` or `postgresql://…`.
    pub fn parse(text: &str) -> Result<DatabaseLocation, String> {
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Err("expected postgres://USER@HOST[:PORT]/DB".into());
        }
        text.parse::<postgres::Config>()
            .map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
        Ok(DatabaseLocation::Postgres {
            url: text.to_string(),
        })
    }

    /// Says where the rows are, for people: the engine, and for PostgreSQL the database, host
    /// and user, never the password.
    pub fn describe(&self) -> String {
        match self {
            DatabaseLocation::DataDir => format!("SQLite ({DB_FILE})"),
            DatabaseLocation::Postgres { url } => match url.parse::<postgres::Config>() {
                Ok(c) => {
                    let host = match c.get_hosts().first() {
                        Some(postgres::config::Host::Tcp(h)) => h.clone(),
                        #[cfg(unix)]
                        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
                        None => "localhost".to_string(),
                    };
                    let port = c.get_ports().first().copied().unwrap_or(5432);
                    format!(
                        "PostgreSQL {}@{host}:{port}/{}",
                        c.get_user().unwrap_or("?"),
                        c.get_dbname().unwrap_or("?")
                    )
                }
                Err(_) => "PostgreSQL".to_string(),
            },
        }
    }

    /// Opens (creating or migrating as needed) the database: SQLite in `data_dir`, or the
    /// PostgreSQL database. Blocking.
    pub fn open(&self, data_dir: &std::path::Path) -> Result<crate::Db, crate::DbError> {
        match self {
            DatabaseLocation::DataDir => crate::Db::open(&data_dir.join(DB_FILE)),
            DatabaseLocation::Postgres { url } => crate::Db::open_postgres(url),
        }
    }
}

/// The SQLite database file in the data directory.
const DB_FILE: &str = "ceria.db";

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Data directory: `ceria.db` (SQLite, unless `database` names PostgreSQL), `blobs/`
    /// (attachments), `uploads/` (partial).
    pub data_dir: PathBuf,
    /// Where the rows are kept: SQLite in the data directory (default) or PostgreSQL.
    pub database: DatabaseLocation,
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
    /// Time allowed for a request's headers (and for an idle keep-alive connection).
    pub header_read_timeout: Duration,
    /// Longest pause allowed between two chunks of a request body.
    pub body_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Unfinished uploads per account (429 `quota.open_uploads` above).
    pub max_open_uploads: u32,
    /// Completed uploads per account not referred to by any of its requests (429
    /// `quota.unattached_files` above).
    pub max_unattached_files: u32,
    /// How long a completed upload no request refers to is kept before it is swept.
    pub unattached_file_expiry: Duration,
    /// Largest `Upload-Metadata` in bytes (400 `upload.metadata_too_large` above).
    pub max_upload_metadata_bytes: usize,
    /// Requests per service, per person filed for, per submitting account in 24 hours (push
    /// issue `quota.requests_per_day` above).
    pub max_requests_per_day: u32,
    /// Lifetime of a web console sign-in.
    pub web_session_ttl: Duration,
    /// Mark the web console's cookies `Secure` (sent over HTTPS only). Set it whenever the
    /// console is reached through TLS (a reverse proxy); off by default so the console works
    /// on `http://127.0.0.1`.
    pub secure_cookies: bool,
    /// Where attachments are kept (the data directory unless an S3 bucket is named).
    pub blob_store: BlobStoreLocation,
}

impl Config {
    /// A configuration with the default limits for `data_dir`, listening on `listen`.
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Config {
        Config {
            data_dir: data_dir.into(),
            database: DatabaseLocation::DataDir,
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
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_open_uploads: DEFAULT_MAX_OPEN_UPLOADS,
            max_unattached_files: DEFAULT_MAX_UNATTACHED_FILES,
            unattached_file_expiry: DEFAULT_UNATTACHED_FILE_EXPIRY,
            max_upload_metadata_bytes: DEFAULT_MAX_UPLOAD_METADATA_BYTES,
            max_requests_per_day: DEFAULT_MAX_REQUESTS_PER_DAY,
            web_session_ttl: DEFAULT_WEB_SESSION_TTL,
            secure_cookies: false,
            blob_store: BlobStoreLocation::DataDir,
        }
    }

    /// The SQLite database file.
    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
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
    fn blob_store_locations_read_as_s3_urls() {
        assert_eq!(
            BlobStoreLocation::parse("s3://ceria-files/regency/13.05/"),
            Ok(BlobStoreLocation::S3 {
                bucket: "ceria-files".into(),
                prefix: "regency/13.05".into()
            })
        );
        assert_eq!(
            BlobStoreLocation::parse("s3://b"),
            Ok(BlobStoreLocation::S3 {
                bucket: "b".into(),
                prefix: String::new()
            })
        );
        assert!(BlobStoreLocation::parse("s3://").is_err());
        assert!(BlobStoreLocation::parse("/srv/blobs").is_err());
    }

    #[test]
    fn database_locations_read_as_postgres_urls() {
        assert_eq!(
            DatabaseLocation::parse("postgres://ceria@db.internal:5432/registry"),
            Ok(DatabaseLocation::Postgres {
                url: "postgres://ceria@db.internal:5432/registry".into()
            })
        );
        assert!(DatabaseLocation::parse("postgresql://u:secret@h/db").is_ok());
        assert!(DatabaseLocation::parse("/srv/ceria.db").is_err());
        let secret = DatabaseLocation::parse("postgres://u:secret@h/db").unwrap();
        assert_eq!(secret.describe(), "PostgreSQL u@h:5432/db");
        assert_eq!(
            DatabaseLocation::parse("postgres://u@h:6543/db?password=secret")
                .unwrap()
                .describe(),
            "PostgreSQL u@h:6543/db"
        );
        assert_eq!(
            BlobStoreLocation::parse("s3://b/p/").unwrap().describe(),
            "S3 s3://b/p"
        );
        assert!(!format!("{secret:?}").contains("secret"));
    }

    #[test]
    fn paths_live_under_the_data_dir() {
        let c = Config::new("/srv/ceria", SocketAddr::from(([127, 0, 0, 1], 0)));
        assert_eq!(c.db_path(), PathBuf::from("/srv/ceria/ceria.db"));
        assert_eq!(c.blob_dir(), PathBuf::from("/srv/ceria/blobs"));
        assert_eq!(c.upload_dir(), PathBuf::from("/srv/ceria/uploads"));
        assert_eq!(c.blob_store, BlobStoreLocation::DataDir);
        assert_eq!(c.max_upload_bytes, 10 * 1024 * 1024);
    }
}
