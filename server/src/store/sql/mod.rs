//! The executor seam between the store's SQL and the two database engines.
//!
//! Every store function is written ONCE, against [`Conn`], in the SQL both SQLite and
//! PostgreSQL accept (`?N` placeholders, `ON CONFLICT … DO UPDATE/NOTHING`, `RETURNING`,
//! `COALESCE`, no `INSERT OR …`, no engine-only functions). [`Conn`] runs it on a rusqlite
//! connection ([`sqlite`]) or a rust-postgres one ([`postgres`], where `?N` becomes `$N` when
//! the statement is prepared). The few statements that truly differ (schema DDL, the feed
//! position, row locks) are behind named methods here, so a store module never branches on
//! the engine.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use super::DbError;
use std::cell::RefCell;

/// A parameter value, borrowed from the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// SQL NULL.
    Null,
    /// A 64-bit integer (PostgreSQL gets the width its column or operator asks for).
    Int(i64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Bytes(&'a [u8]),
}

/// A Rust value usable as a statement parameter.
pub(crate) trait ToValue {
    /// The value to bind.
    fn value(&self) -> Value<'_>;
}

impl ToValue for Value<'_> {
    fn value(&self) -> Value<'_> {
        *self
    }
}
impl ToValue for i64 {
    fn value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}
impl ToValue for i32 {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for u32 {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for usize {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToValue for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Bytes(self)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, ToValue::value)
    }
}

/// Statement parameters, `?1` first.
pub(crate) type Params<'p> = &'p [&'p dyn ToValue];

/// One result row.
pub(crate) enum Row<'r> {
    /// From SQLite.
    Sqlite(&'r rusqlite::Row<'r>),
    /// From PostgreSQL.
    Postgres(&'r ::postgres::Row),
}

impl Row<'_> {
    /// Column `i` (from 0) as `T`.
    pub(crate) fn get<T: FromColumn>(&self, i: usize) -> Result<T, DbError> {
        match self {
            Row::Sqlite(r) => Ok(T::from_sqlite(r, i)?),
            Row::Postgres(r) => T::from_postgres(r, i),
        }
    }
}

/// A Rust type a column can be read as, in either engine.
pub(crate) trait FromColumn: Sized {
    /// Reads column `i` of a SQLite row.
    fn from_sqlite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, rusqlite::Error>;
    /// Reads column `i` of a PostgreSQL row.
    fn from_postgres(row: &::postgres::Row, i: usize) -> Result<Self, DbError>;
}

macro_rules! plain_column {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, rusqlite::Error> {
                row.get(i)
            }
            fn from_postgres(row: &::postgres::Row, i: usize) -> Result<Self, DbError> {
                Ok(row.try_get(i)?)
            }
        }
    )*};
}
plain_column!(String, Option<String>, Vec<u8>, Option<Vec<u8>>);

impl FromColumn for Option<i64> {
    fn from_sqlite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, rusqlite::Error> {
        row.get(i)
    }
    fn from_postgres(row: &::postgres::Row, i: usize) -> Result<Self, DbError> {
        postgres::integer(row, i)
    }
}

impl FromColumn for i64 {
    fn from_sqlite(row: &rusqlite::Row<'_>, i: usize) -> Result<Self, rusqlite::Error> {
        row.get(i)
    }
    fn from_postgres(row: &::postgres::Row, i: usize) -> Result<Self, DbError> {
        postgres::integer(row, i)?.ok_or_else(|| DbError::Corrupt(format!("column {i} is NULL")))
    }
}

/// A connection (or a transaction on one) to run store SQL on.
pub(crate) struct Conn<'a> {
    engine: Engine<'a>,
}

enum Engine<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(RefCell<postgres::Session<'a>>),
}

impl<'a> Conn<'a> {
    pub(super) fn sqlite(conn: &'a rusqlite::Connection) -> Conn<'a> {
        Conn {
            engine: Engine::Sqlite(conn),
        }
    }

    pub(super) fn postgres(session: postgres::Session<'a>) -> Conn<'a> {
        Conn {
            engine: Engine::Postgres(RefCell::new(session)),
        }
    }

    /// Runs a statement; returns the number of rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, DbError> {
        match &self.engine {
            Engine::Sqlite(c) => sqlite::execute(c, sql, params),
            Engine::Postgres(s) => s.borrow_mut().execute(sql, params),
        }
    }

    /// The rows of a query, each read by `f`.
    pub(crate) fn query_map<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        mut f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        match &self.engine {
            Engine::Sqlite(c) => sqlite::query_map(c, sql, params, f),
            Engine::Postgres(s) => {
                // The rows are fetched before `f` runs, so `f` may query again.
                let rows = s.borrow_mut().query(sql, params)?;
                rows.iter().map(|r| f(&Row::Postgres(r))).collect()
            }
        }
    }

    /// The first row of a query read by `f`, or `None` when there is none.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        f: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        match &self.engine {
            Engine::Sqlite(c) => sqlite::query_opt(c, sql, params, f),
            Engine::Postgres(s) => {
                let rows = s.borrow_mut().query(sql, params)?;
                rows.first().map(|r| f(&Row::Postgres(r))).transpose()
            }
        }
    }

    /// The first row of a query read by `f`; no row is an error (counts, `RETURNING`).
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        f: impl FnOnce(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| DbError::Corrupt(format!("no row from `{}`", first_line(sql))))
    }

    /// Makes the rest of this write transaction wait for any other transaction holding the
    /// same `key`, until it ends. Check-then-write sequences (quotas, counters, state
    /// machines, idempotency keys) take the lock of what they check first. SQLite has one
    /// writer at a time anyway, so it is a no-op there; on PostgreSQL it is a transaction
    /// advisory lock on a hash of `key` (a collision only makes two keys wait for each other).
    pub(crate) fn lock(&self, key: &str) -> Result<(), DbError> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(()),
            Engine::Postgres(s) => s.borrow_mut().lock(key),
        }
    }

    /// Appends a row to the feed (`events`) with `insert`, a statement that does not name
    /// `seq` and ends with `RETURNING seq`; returns the new `seq`.
    ///
    /// SQLite has one writer, so `seq` (AUTOINCREMENT) is assigned in commit order. On
    /// PostgreSQL a sequence is not: a transaction can take 5, another take 6 and commit
    /// first, and a device that pulled up to 6 would never see 5. There, the feed lock (see
    /// `postgres::Session::lock_feed`) is taken before the number is drawn and held until
    /// commit, so numbers are drawn and committed in the same order.
    pub(crate) fn insert_feed_row(&self, insert: &str, params: Params<'_>) -> Result<i64, DbError> {
        if let Engine::Postgres(s) = &self.engine {
            s.borrow_mut().lock_feed()?;
        }
        self.query_row(insert, params, |r| r.get(0))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}
