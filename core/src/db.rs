//! The device database: one SQLite connection (WAL, foreign keys, busy timeout) behind a
//! mutex, so every write is serialised and every multi-row change is one transaction. Network
//! calls never run while the lock is held.

use crate::catalog::Catalog;
use crate::device_error::DeviceError;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// A failure inside the store or the sync engine before it is worded for a person.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Fault {
    /// SQLite failed.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A file operation failed.
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// Stored JSON could not be read back (a damaged row).
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was written by a newer app version.
    #[error("database schema {0} is newer than this app's {1}")]
    NewerSchema(usize, usize),
    /// An already worded error.
    #[error("{0}")]
    Device(DeviceError),
}

impl Fault {
    /// Words the fault for a person.
    pub(crate) fn into_device(self, catalog: &Catalog) -> DeviceError {
        match self {
            Fault::Device(e) => e,
            other => DeviceError::storage(catalog, other.to_string()),
        }
    }
}

impl From<DeviceError> for Fault {
    fn from(e: DeviceError) -> Self {
        Fault::Device(e)
    }
}

/// Result inside the store and engine.
pub(crate) type FaultResult<T> = Result<T, Fault>;

/// The device database.
pub(crate) struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> FaultResult<Db> {
        let conn = Connection::open(path)?;
        Self::configure(conn)
    }

    /// An in-memory database, for unit tests.
    #[cfg(test)]
    pub(crate) fn open_in_memory() -> FaultResult<Db> {
        Self::configure(Connection::open_in_memory()?)
    }

    fn configure(mut conn: Connection) -> FaultResult<Db> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL keeps readers off the writer's back; NORMAL sync is durable against a killed
        // process (what phones do to apps), and a lost last transaction after a power cut is
        // harmless because every outbox operation is idempotent on the server.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        crate::schema::migrate(&mut conn)?;
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
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> FaultResult<T>) -> FaultResult<T> {
        let conn = self.lock();
        f(&conn)
    }

    /// Runs `f` in one immediate transaction: all of it is stored, or none of it.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> FaultResult<T>,
    ) -> FaultResult<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Milliseconds since the Unix epoch, from the system clock.
pub(crate) fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A new UUIDv7 as text: time-ordered, so lists sort by creation.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
