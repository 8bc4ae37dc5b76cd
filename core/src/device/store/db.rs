//! The device database: one SQLite connection (WAL, foreign keys, busy timeout) behind a
//! mutex, so every write is serialised and every multi-row change is one transaction. Network
//! calls never run while the lock is held.
//!
//! With a device key the file is a SQLCipher database (AES-256 pages with an HMAC each); a
//! store written by an app version without encryption is converted on the first open with a
//! key (`sqlcipher_export` into a new file, renamed over the old one), and a key that does not
//! open the file is refused as `device.key_wrong`, never misread.

use crate::device::error::{Error, Result};
use crate::device::store::keys::DeviceKey;
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior, params};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The device database.
pub(crate) struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) the database file, encrypted with `key` when given, and
    /// brings its schema up to date.
    pub(crate) fn open(path: &Path, key: Option<&DeviceKey>) -> Result<Db> {
        let plain = is_plain_sqlite(path)?;
        match (key, plain) {
            (Some(key), Some(true)) => encrypt_plain_file(path, key)?,
            (None, Some(false)) => {
                return Err(Error::key_wrong(
                    "the store is encrypted and no key was given",
                ));
            }
            _ => {}
        }
        let conn = Connection::open(path)?;
        if let Some(key) = key {
            apply_key(&conn, key)?;
        }
        // The first read is where SQLCipher finds out whether the key fits.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => {
                Error::key_wrong("the store does not open with this key")
            }
            _ => e.into(),
        })?;
        Self::configure(conn)
    }

    /// An in-memory database, for unit tests.
    #[cfg(test)]
    pub(crate) fn open_in_memory() -> Result<Db> {
        Self::configure(Connection::open_in_memory()?)
    }

    fn configure(mut conn: Connection) -> Result<Db> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL keeps readers off the writer's back; NORMAL sync is durable against a killed
        // process (what phones do to apps), and a lost last transaction after a power cut is
        // harmless because every outbox operation is idempotent on the server.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted rows (a logged-out account's file key above all) are overwritten, not left
        // in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        crate::device::store::schema::migrate(&mut conn)?;
        Ok(Db {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock rolled back its open transaction when the guard's
        // transaction dropped, so the connection is still consistent and usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs read-only or single-statement work on the connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` in one immediate transaction: all of it is stored, or none of it.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Moves everything in the write-ahead log into the database and empties the log, so
    /// pages of deleted rows do not linger there (after a logout).
    pub(crate) fn truncate_log(&self) -> Result<()> {
        let conn = self.lock();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Keys an open connection (before its first read).
fn apply_key(conn: &Connection, key: &DeviceKey) -> Result<()> {
    // SQLCipher logs a wrong key to stderr (logcat on Android); the caller gets
    // `device.key_wrong` instead. The key is hex in blob syntax: no quoting issue.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    let sql = zeroize::Zeroizing::new(format!("PRAGMA key = \"{}\";", *key.sqlcipher_key()));
    conn.execute_batch(&sql)?;
    Ok(())
}

/// `Some(true)` for a plain SQLite file, `Some(false)` for anything else of a header's
/// length (an encrypted one starts with its random salt), `None` when there is no such file
/// yet (or it is empty).
fn is_plain_sqlite(path: &Path) -> Result<Option<bool>> {
    let mut header = [0u8; 16];
    match fs::File::open(path) {
        Ok(mut f) => match f.read_exact(&mut header) {
            Ok(()) => Ok(Some(&header == b"SQLite format 3\0")),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e.into()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Converts a plain store (written before encryption) into an encrypted one. Crash-safe: the
/// encrypted copy is written beside it, flushed and renamed over it; a crash before the
/// rename leaves the plain store, converted again on the next open.
fn encrypt_plain_file(path: &Path, key: &DeviceKey) -> Result<()> {
    let tmp = sibling(path, ".encrypting");
    for stale in [tmp.clone(), sibling(&tmp, "-journal")] {
        match fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    {
        let conn = Connection::open(path)?;
        // Everything of the log into the file first: the export reads the database as a
        // whole, and the old log must not outlive the conversion.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tmp_str = tmp
            .to_str()
            .ok_or_else(|| Error::storage("data directory path is not UTF-8"))?;
        conn.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![tmp_str, key.sqlcipher_key().as_str()],
        )?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // `sqlcipher_export` copies the schema and rows, not the schema version.
        conn.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        conn.execute_batch("DETACH DATABASE encrypted;")?;
    }
    fs::File::open(&tmp)?.sync_all()?;
    for log in [sibling(path, "-wal"), sibling(path, "-shm")] {
        match fs::remove_file(&log) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // The rename itself must survive a power cut.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// True when the file at `path` is not a plain SQLite database (for tests).
#[cfg(test)]
pub(crate) fn is_encrypted_file(path: &Path) -> bool {
    matches!(is_plain_sqlite(path), Ok(Some(false)))
}

/// A new UUIDv7 as text: time-ordered, so lists sort by creation.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
