//! The one SQLite migration runner of Ceria, used by the device store and the server store.
//!
//! A schema is an ordered list of SQL migrations; entry `i` brings the database from version
//! `i` to `i + 1`, and `PRAGMA user_version` holds the number of migrations applied. A
//! migration is never edited once released: a change is a new entry at the end. Each
//! migration and its version bump are one transaction, so a crash mid-migration leaves the
//! previous version intact; a database written by newer code is refused rather than misread.

use rusqlite::Connection;

/// Why a database could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The database was written by code that knows more migrations than this one.
    #[error("database schema {found} is newer than this code's {supported}")]
    TooNew {
        /// The database's `user_version`.
        found: i64,
        /// The number of migrations this code knows.
        supported: i64,
    },
    /// SQLite failed while reading the version or applying a migration.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// The schema version `migrations` leads to: their number.
pub fn version(migrations: &[&str]) -> i64 {
    i64::try_from(migrations.len()).unwrap_or(i64::MAX)
}

/// Applies the migrations `conn` has not seen yet, in order, one transaction each.
pub fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), MigrateError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = version(migrations);
    if found > supported {
        return Err(MigrateError::TooNew { found, supported });
    }
    // A negative version (never written by Ceria) counts as a fresh database.
    let applied = usize::try_from(found).unwrap_or(0);
    for (index, sql) in migrations.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version(&migrations[..=index]))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[&str] = &[
        "CREATE TABLE a (x INTEGER);",
        "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);",
    ];

    fn user_version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn applies_each_migration_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, &STEPS[..1]).unwrap();
        assert_eq!(user_version(&conn), 1);
        migrate(&mut conn, STEPS).unwrap();
        migrate(&mut conn, STEPS).unwrap();
        assert_eq!(user_version(&conn), 2);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
    }

    #[test]
    fn refuses_a_newer_database() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        assert!(matches!(
            migrate(&mut conn, STEPS),
            Err(MigrateError::TooNew {
                found: 3,
                supported: 2
            })
        ));
    }

    #[test]
    fn a_failing_migration_keeps_the_previous_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        let broken: &[&str] = &[STEPS[0], "CREATE TABLE c (z); NOT SQL"];
        assert!(matches!(
            migrate(&mut conn, broken),
            Err(MigrateError::Sql(_))
        ));
        assert_eq!(user_version(&conn), 1);
        let c_exists: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'c'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(c_exists, 0);
    }
}
