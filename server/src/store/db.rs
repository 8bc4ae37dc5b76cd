//! The database handle over either engine, and the helpers every table module uses.
//!
//! [`Db`] is SQLite in the data directory ([`Db::open`]: one writer connection behind a
//! mutex, a pool of readers) or PostgreSQL ([`Db::open_postgres`]: a pool of connections,
//! shared with other instances). Table modules run their SQL, written once, through
//! [`Conn`] in `read` or `write`. Callers run these blocking methods on `spawn_blocking`.

use super::sql::postgres::PgDb;
use super::sql::sqlite::SqliteDb;
use super::sql::{Conn, Row};
use ceria_core::protocol::{Role, UserInfo};
use std::path::Path;

/// A storage failure. Always a 500 for the client; the text goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused or failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused or failed.
    #[error("database: {0}")]
    Postgres(#[from] postgres::Error),
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

impl DbError {
    /// Whether a PostgreSQL transaction failed only because a concurrent one won a race
    /// (serialization failure, deadlock, a unique key just taken): run again, it succeeds or
    /// sees the winner's row.
    pub(crate) fn lost_a_race(&self) -> bool {
        use postgres::error::SqlState;
        let DbError::Postgres(e) = self else {
            return false;
        };
        matches!(
            e.code(),
            Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::UNIQUE_VIOLATION
        )
    }
}

use super::schema::SchemaError;

/// The server database.
#[derive(Debug)]
pub struct Db {
    engine: Engine,
}

#[derive(Debug)]
enum Engine {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

impl Db {
    /// Opens (creating if needed) the SQLite database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        Ok(Db {
            engine: Engine::Sqlite(SqliteDb::open(path)?),
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://USER@HOST[:PORT]/DB`) and
    /// brings its schema up to date. Blocking: not on an async worker thread.
    pub fn open_postgres(url: &str) -> Result<Db, DbError> {
        Ok(Db {
            engine: Engine::Postgres(PgDb::open(url)?),
        })
    }

    /// Runs `f` on a read connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Conn<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &self.engine {
            Engine::Sqlite(db) => db.read(f),
            Engine::Postgres(db) => db.read(f),
        }
    }

    /// Runs `f` in a write transaction, committed when `f` returns `Ok`. On PostgreSQL `f`
    /// runs again when its transaction lost a race with another one, so it must not have
    /// effects outside the transaction.
    pub(crate) fn write<T>(
        &self,
        f: impl FnMut(&Conn<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &self.engine {
            Engine::Sqlite(db) => db.write(f),
            Engine::Postgres(db) => db.write(f),
        }
    }

    /// True when the database answers a trivial query (readiness probe).
    pub(crate) fn ping(&self) -> bool {
        self.read(|c| c.query_row("SELECT 1", &[], |r| r.get::<i64>(0)))
            .is_ok()
    }

    /// Which engine holds the rows (`sqlite` or `postgres`), for logs and tests.
    pub fn engine(&self) -> &'static str {
        match &self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }
}

/// Reads a stored role code; a code no role has means the row is not one this server wrote.
pub(crate) fn role_column(code: &str, column: usize) -> Result<Role, DbError> {
    Role::from_code(code)
        .ok_or_else(|| DbError::Corrupt(format!("role `{code}` (column {column})")))
}

/// Reads a `users` row selected as `id, username, name, role, village`.
pub(crate) fn user_from_row(row: &Row<'_>) -> Result<UserInfo, DbError> {
    let role = role_column(&row.get::<String>(3)?, 3)?;
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
    use crate::store::testing::store_test;

    store_test!(opens_reads_and_writes, |db| {
        assert!(db.ping());
        db.write(|tx| {
            tx.execute(
                "INSERT INTO regions (code, parent, name) VALUES ('13', '', 'SUMATERA BARAT')",
                &[],
            )?;
            Ok(())
        })
        .unwrap();
        let name: String = db
            .read(|c| {
                c.query_row("SELECT name FROM regions WHERE code = '13'", &[], |r| {
                    r.get(0)
                })
            })
            .unwrap();
        assert_eq!(name, "SUMATERA BARAT");
        // A failed closure rolls back.
        let r: Result<(), DbError> = db.write(|tx| {
            tx.execute("DELETE FROM regions", &[])?;
            Err(DbError::Corrupt("abort".into()))
        });
        assert!(r.is_err());
        let n: i64 = db
            .read(|c| c.query_row("SELECT count(*) FROM regions", &[], |r| r.get(0)))
            .unwrap();
        assert_eq!(n, 1);
    });

    #[test]
    fn unknown_stored_roles_are_corrupt_rows() {
        assert_eq!(role_column("officer", 3).unwrap(), Role::Officer);
        assert!(role_column("root", 3).is_err());
    }
}
