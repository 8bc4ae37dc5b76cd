//! The SQLite side of the seam: store SQL on a rusqlite connection (statements cached per
//! connection by rusqlite), and the SQLite database handle: one writer connection behind a
//! mutex (SQLite allows one writer anyway, and it makes every check-then-write atomic) and a
//! small pool of read connections served concurrently thanks to WAL.

use super::{Conn, Params, Row, Value};
use crate::store::DbError;
use crate::store::schema;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

/// Read connections kept open for reuse: as many as requests read at once under load
/// (opening one parses the whole schema).
const MAX_IDLE_READERS: usize = 16;

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
            Value::Bytes(b) => ValueRef::Blob(b),
        }))
    }
}

fn bind<'p>(params: Params<'p>) -> impl Iterator<Item = Value<'p>> {
    params.iter().map(|p| p.value())
}

pub(super) fn execute(c: &Connection, sql: &str, params: Params<'_>) -> Result<usize, DbError> {
    Ok(c.prepare_cached(sql)?
        .execute(rusqlite::params_from_iter(bind(params)))?)
}

pub(super) fn query_map<T>(
    c: &Connection,
    sql: &str,
    params: Params<'_>,
    mut f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
) -> Result<Vec<T>, DbError> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(bind(params)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(f(&Row::Sqlite(row))?);
    }
    Ok(out)
}

pub(super) fn query_opt<T>(
    c: &Connection,
    sql: &str,
    params: Params<'_>,
    f: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
) -> Result<Option<T>, DbError> {
    let mut stmt = c.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(bind(params)))?;
    rows.next()?.map(|row| f(&Row::Sqlite(row))).transpose()
}

/// The SQLite database of one data directory.
#[derive(Debug)]
pub(crate) struct SqliteDb {
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
    // Room for every statement the store prepares (rusqlite keeps 16 by default: the push
    // path alone uses more, and an evicted statement is parsed and planned again).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

impl SqliteDb {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<SqliteDb, DbError> {
        let mut writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        schema::migrate(&mut writer)?;
        Ok(SqliteDb {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on a read connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Conn<'_>) -> Result<T, DbError>,
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
        let result = f(&Conn::sqlite(&conn));
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Runs `f` in a write transaction, committed when `f` returns `Ok`.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Conn<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let value = f(&Conn::sqlite(&tx))?;
        tx.commit()?;
        Ok(value)
    }
}
