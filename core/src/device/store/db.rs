//! The device database: one SQLite connection (WAL, foreign keys, busy timeout) behind a
//! mutex, so every write is serialised and every multi-row change is one transaction. Network
//! calls never run while the lock is held.

use crate::device::error::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The device database.
pub(crate) struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Db> {
        let conn = Connection::open(path)?;
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
}

/// A new UUIDv7 as text: time-ordered, so lists sort by creation.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
