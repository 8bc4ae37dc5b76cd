//! The PostgreSQL side of the seam: store SQL on a rust-postgres connection, and the
//! PostgreSQL database handle (a small pool of connections of our own).
//!
//! The client is the synchronous `postgres` crate: the store's API is blocking and every
//! caller already runs it on `spawn_blocking` (as for SQLite), so an async client would only
//! add a second runtime hop; the sync client drives its own small runtime and must never be
//! called on an async worker thread (tokio would panic: the server's integration suite on
//! PostgreSQL exercises every route, so such a call fails a test). `sqlx` was not used: its
//! SQLite driver links its own `libsqlite3-sys`, which conflicts with rusqlite's.
//!
//! Connections are plain TCP (`NoTls`): for a database on the loopback or a private network.
//!
//! Writes run at READ COMMITTED (PostgreSQL's default); what SQLite's single writer made
//! atomic is made atomic here by the locks the store takes ([`super::Conn::lock`], the feed
//! lock) and by unique constraints. A transaction that still loses a race (a serialization
//! failure, a deadlock, or a unique key taken by a concurrent insert) is rolled back and run
//! again from the start, at most [`MAX_ATTEMPTS`] times: the closure sees the winner's row
//! and answers as it would have one moment later (for example an idempotent push replays the
//! stored outcome).

pub(crate) mod schema;

use super::{Conn, Params, Value};
use crate::store::DbError;
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{NoTls, Statement};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Connections one server instance opens at most (PostgreSQL's default limit is 100, to be
/// shared by every instance and the operators' tools).
const MAX_CONNECTIONS: usize = 24;
/// Connections kept open while idle.
const MAX_IDLE: usize = 16;
/// How many times a write transaction that lost a race is tried in all.
pub(crate) const MAX_ATTEMPTS: u32 = 8;
/// Prepared statements kept per connection (the store has fewer; a bound all the same).
const MAX_STATEMENTS: usize = 512;
/// The two-key advisory lock of the feed (`'CERI'`, 1); one-key locks of
/// [`Session::lock`] live in another key space.
const FEED_LOCK: (i32, i32) = (0x4345_5249, 1);

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        // PostgreSQL types parameters strictly (`LIMIT $1` is BIGINT, `$1 > 0` INTEGER);
        // store code binds plain integers and text, converted here to what was asked.
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                _ if <&str as ToSql>::accepts(ty) => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer for a {ty} parameter").into()),
            },
            Value::Text(t) if <&str as ToSql>::accepts(ty) => t.to_sql(ty, out),
            Value::Text(_) => Err(format!("text for a {ty} parameter").into()),
            Value::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Reads an integer column whatever its width (`SELECT 1` is INTEGER, `count(*)` BIGINT).
pub(super) fn integer(row: &postgres::Row, i: usize) -> Result<Option<i64>, DbError> {
    let ty = row
        .columns()
        .get(i)
        .map(|c| c.type_().clone())
        .ok_or_else(|| DbError::Corrupt(format!("no column {i}")))?;
    Ok(match ty {
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(i64::from),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(i64::from),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(i64::from),
        _ => row.try_get::<_, Option<i64>>(i)?,
    })
}

/// `?N` placeholders as `$N` (outside quoted text and names).
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None if ch == '\'' || ch == '"' => quote = Some(ch),
            None if ch == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(ch);
    }
    out
}

/// What [`Session`] needs of a client or a transaction.
pub(crate) trait Client {
    fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error>;
    fn query(
        &mut self,
        st: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error>;
    fn execute(
        &mut self,
        st: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error>;
}

macro_rules! client {
    ($t:ty) => {
        impl Client for $t {
            fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
                <$t>::prepare(self, sql)
            }
            fn query(
                &mut self,
                st: &Statement,
                params: &[&(dyn ToSql + Sync)],
            ) -> Result<Vec<postgres::Row>, postgres::Error> {
                <$t>::query(self, st, params)
            }
            fn execute(
                &mut self,
                st: &Statement,
                params: &[&(dyn ToSql + Sync)],
            ) -> Result<u64, postgres::Error> {
                <$t>::execute(self, st, params)
            }
        }
    };
}
client!(postgres::Client);
client!(postgres::Transaction<'_>);

/// A connection or transaction with the statements prepared on its connection.
pub(crate) struct Session<'a> {
    client: &'a mut (dyn Client + 'a),
    statements: &'a mut HashMap<String, Statement>,
    feed_locked: bool,
}

impl<'a> Session<'a> {
    fn new(
        client: &'a mut (dyn Client + 'a),
        statements: &'a mut HashMap<String, Statement>,
    ) -> Session<'a> {
        Session {
            client,
            statements,
            feed_locked: false,
        }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(&dollar_placeholders(sql))?;
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    pub(super) fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<usize, DbError> {
        let st = self.statement(sql)?;
        let values: Vec<Value<'_>> = params.iter().map(|p| p.value()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        let n = self.client.execute(&st, &refs)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn query(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<Vec<postgres::Row>, DbError> {
        let st = self.statement(sql)?;
        let values: Vec<Value<'_>> = params.iter().map(|p| p.value()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        Ok(self.client.query(&st, &refs)?)
    }

    pub(super) fn lock(&mut self, key: &str) -> Result<(), DbError> {
        self.query(
            "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))) AS locked",
            &[&key],
        )?;
        Ok(())
    }

    /// Takes the feed lock, once per transaction: held until commit, it makes transactions
    /// that append to the feed draw their numbers one after another, each only once the
    /// previous one committed (locks are released after a commit is visible), so the feed
    /// grows in commit order and a cursor never jumps over a row committed later.
    pub(super) fn lock_feed(&mut self) -> Result<(), DbError> {
        if !self.feed_locked {
            self.query(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(?1, ?2)) AS locked",
                &[&FEED_LOCK.0, &FEED_LOCK.1],
            )?;
            self.feed_locked = true;
        }
        Ok(())
    }
}

/// One pooled connection.
struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, Statement>,
}

#[derive(Default)]
struct Pool {
    idle: Vec<PgConn>,
    open: usize,
}

/// A PostgreSQL database shared by any number of server instances.
pub(crate) struct PgDb {
    config: postgres::Config,
    pool: Mutex<Pool>,
    freed: Condvar,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb")
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

impl Drop for PgDb {
    /// Closing a sync client blocks on its runtime, which panics on an async worker thread,
    /// where the last handle on the database may well be dropped (a server shutting down):
    /// the connections are closed on a thread of their own.
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.lock_pool().idle);
        if !idle.is_empty() {
            let _ = std::thread::Builder::new()
                .name("ceria-pg-close".into())
                .spawn(move || drop(idle));
        }
    }
}

impl PgDb {
    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`) and brings the schema
    /// up to date.
    pub(crate) fn open(url: &str) -> Result<PgDb, DbError> {
        let config: postgres::Config = url.parse()?;
        let db = PgDb {
            config,
            pool: Mutex::new(Pool::default()),
            freed: Condvar::new(),
        };
        let mut conn = db.take()?;
        let migrated = schema::migrate(&mut conn.client);
        db.give_back(conn);
        migrated?;
        Ok(db)
    }

    fn lock_pool(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> Result<PgConn, DbError> {
        let mut pool = self.lock_pool();
        loop {
            if let Some(conn) = pool.idle.pop() {
                if !conn.client.is_closed() {
                    return Ok(conn);
                }
                pool.open -= 1;
                continue;
            }
            if pool.open < MAX_CONNECTIONS {
                pool.open += 1;
                break;
            }
            pool = self.freed.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
        drop(pool);
        match self.config.connect(NoTls) {
            Ok(client) => Ok(PgConn {
                client,
                statements: HashMap::new(),
            }),
            Err(e) => {
                self.lock_pool().open -= 1;
                self.freed.notify_one();
                Err(e.into())
            }
        }
    }

    fn give_back(&self, conn: PgConn) {
        let mut pool = self.lock_pool();
        if conn.client.is_closed() || pool.idle.len() >= MAX_IDLE {
            pool.open -= 1;
        } else {
            pool.idle.push(conn);
        }
        drop(pool);
        self.freed.notify_one();
    }

    /// Runs `f` on a connection, outside a transaction (each statement sees the latest
    /// commits, as SQLite readers do).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Conn<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut conn = self.take()?;
        let result = {
            let PgConn { client, statements } = &mut conn;
            f(&Conn::postgres(Session::new(client, statements)))
        };
        self.give_back(conn);
        result
    }

    /// Runs `f` in a transaction, committed when `f` returns `Ok`; run again when it lost a
    /// race (see the module documentation).
    pub(crate) fn write<T>(
        &self,
        mut f: impl FnMut(&Conn<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut attempt = 1;
        loop {
            let mut conn = self.take()?;
            let result = (|| -> Result<T, DbError> {
                let PgConn { client, statements } = &mut conn;
                let mut tx = client.transaction()?;
                let value = f(&Conn::postgres(Session::new(&mut tx, statements)))?;
                tx.commit()?;
                Ok(value)
            })();
            self.give_back(conn);
            match result {
                Err(e) if e.lost_a_race() && attempt < MAX_ATTEMPTS => {
                    // A short, growing pause so the winner can commit.
                    std::thread::sleep(Duration::from_millis(u64::from(attempt)));
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}
