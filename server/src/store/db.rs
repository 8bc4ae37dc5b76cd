//! The database handle: connections, transactions, and the helpers every table module uses.
//!
//! One writer connection behind a mutex serialises writes (SQLite allows one writer anyway,
//! and it makes "check the idempotency key, then apply" atomic); a small pool of read
//! connections serves reads concurrently thanks to WAL. Callers run these blocking methods on
//! `spawn_blocking`.

use super::schema::{self, SchemaError};
use ceria_core::protocol::{Role, UserInfo};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Read connections kept open for reuse.
const MAX_IDLE_READERS: usize = 4;

/// A storage failure. Always a 500 for the client; the text goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused or failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be migrated.
    #[error("schema: {0}")]
    Schema(#[from] SchemaError),
    /// Stored JSON could not be read back.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored value is not one this server writes.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// The server database.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock rolled its transaction back (Transaction drops roll
    // back), so the connection is still usable.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let mut writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        schema::migrate(&mut writer)?;
        Ok(Db {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on a read connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let conn = match lock(&self.readers).pop() {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&conn)?;
                conn
            }
        };
        let result = f(&conn);
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Runs `f` in a write transaction, committed when `f` returns `Ok`.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// True when the database answers a trivial query (readiness probe).
    pub(crate) fn ping(&self) -> bool {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .is_ok()
    }
}

/// Reads a stored role code; a code no role has means the row is not one this server wrote.
pub(crate) fn role_column(code: &str, column: usize) -> Result<Role, rusqlite::Error> {
    Role::from_code(code).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(DbError::Corrupt(format!("role `{code}`"))),
        )
    })
}

/// Reads a `users` row selected as `id, username, name, role, village`.
pub(crate) fn user_from_row(row: &rusqlite::Row<'_>) -> Result<UserInfo, rusqlite::Error> {
    let role = role_column(&row.get::<_, String>(3)?, 3)?;
    Ok(UserInfo {
        id: row.get(0)?,
        username: row.get(1)?,
        name: row.get(2)?,
        role,
        village: row.get(4)?,
        identity: None,
    })
}

/// A new server id (UUIDv7: sortable by creation time, so it doubles as a paging key).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) use ceria_core::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_reads_and_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        assert!(db.ping());
        db.write(|tx| {
            tx.execute(
                "INSERT INTO regions (code, parent, name) VALUES ('13', '', 'SUMATERA BARAT')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        let name: String = db
            .read(|c| {
                Ok(
                    c.query_row("SELECT name FROM regions WHERE code = '13'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .unwrap();
        assert_eq!(name, "SUMATERA BARAT");
        // A failed closure rolls back.
        let r: Result<(), DbError> = db.write(|tx| {
            tx.execute("DELETE FROM regions", [])?;
            Err(DbError::Corrupt("abort".into()))
        });
        assert!(r.is_err());
        let n: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM regions", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn unknown_stored_roles_are_corrupt_rows() {
        assert_eq!(role_column("officer", 3).unwrap(), Role::Officer);
        assert!(role_column("root", 3).is_err());
    }
}
