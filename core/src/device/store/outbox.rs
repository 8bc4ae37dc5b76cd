//! The outbox: operations waiting to be pushed. The operation id (the server's idempotency
//! key) is fixed when the operation is queued and never changes, so a replay after a crash or
//! a broken connection can only ever be applied once. Each operation has its own retry
//! schedule (attempts, next attempt time, last error).

use crate::device::error::Result;
use crate::protocol::Operation;
use rusqlite::{Connection, OptionalExtension, params};

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    Submit,
    Revise,
    Cancel,
}

impl OpKind {
    fn code(self) -> &'static str {
        match self {
            OpKind::Submit => "submit",
            OpKind::Revise => "revise",
            OpKind::Cancel => "cancel",
        }
    }

    fn from_code(code: &str) -> OpKind {
        match code {
            "revise" => OpKind::Revise,
            "cancel" => OpKind::Cancel,
            _ => OpKind::Submit,
        }
    }
}

/// A queued operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpRow {
    pub(crate) op_id: String,
    pub(crate) request_id: String,
    pub(crate) kind: OpKind,
    /// The operation as it will be sent; `None` for a cancel whose server id is not known yet.
    pub(crate) body: Option<Operation>,
    pub(crate) attempts: u32,
    pub(crate) next_attempt_ms: i64,
    pub(crate) last_error: Option<String>,
    /// The request's feed position when the operation was queued.
    pub(crate) base_seq: Option<i64>,
}

/// Queues an operation.
#[allow(clippy::too_many_arguments)]
pub(crate) fn enqueue(
    conn: &Connection,
    account_id: &str,
    request_id: &str,
    op_id: &str,
    kind: OpKind,
    body: Option<&Operation>,
    base_seq: Option<i64>,
    now: i64,
) -> Result<()> {
    let body = body.map(serde_json::to_string).transpose()?;
    conn.execute(
        "INSERT INTO outbox (op_id, account_id, request_id, kind, body_json, base_seq, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            op_id,
            account_id,
            request_id,
            kind.code(),
            body,
            base_seq,
            now
        ],
    )?;
    Ok(())
}

const COLUMNS: &str =
    "op_id, request_id, kind, body_json, attempts, next_attempt_ms, last_error, base_seq";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(OpRow, Option<String>)> {
    let kind: String = r.get(2)?;
    Ok((
        OpRow {
            op_id: r.get(0)?,
            request_id: r.get(1)?,
            kind: OpKind::from_code(&kind),
            body: None,
            attempts: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(u32::MAX),
            next_attempt_ms: r.get(5)?,
            last_error: r.get(6)?,
            base_seq: r.get(7)?,
        },
        r.get(3)?,
    ))
}

fn decode((mut row, body): (OpRow, Option<String>)) -> Result<OpRow> {
    row.body = body.as_deref().map(serde_json::from_str).transpose()?;
    Ok(row)
}

fn query(conn: &Connection, filter: &str, arg: &str) -> Result<Vec<OpRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND {filter} ORDER BY ord");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![arg], from_row)?;
    rows.map(|r| decode(r?)).collect()
}

/// The account's pending operations, in the order they were queued.
pub(crate) fn pending(conn: &Connection, account_id: &str) -> Result<Vec<OpRow>> {
    query(conn, "account_id = ?1", account_id)
}

/// The pending operations of one request, in order.
pub(crate) fn pending_for(conn: &Connection, request_id: &str) -> Result<Vec<OpRow>> {
    query(conn, "request_id = ?1", request_id)
}

/// True when a submit or revise of the request still waits for its answer.
pub(crate) fn send_pending(conn: &Connection, request_id: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM outbox WHERE request_id = ?1 AND status = 'pending' AND kind <> 'cancel' LIMIT 1",
            params![request_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Counts an attempt before the operation goes on the wire, so a crash during the send is
/// remembered (a later local cancel then knows the server may have it).
pub(crate) fn begin_attempt(conn: &Connection, op_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1 WHERE op_id = ?1",
        params![op_id],
    )?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub(crate) fn schedule_retry(
    conn: &Connection,
    op_id: &str,
    next_attempt_ms: i64,
    error: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET next_attempt_ms = ?2, last_error = ?3 WHERE op_id = ?1",
        params![op_id, next_attempt_ms, error],
    )?;
    Ok(())
}

/// Sets the body of a cancel once the request's server id is known.
pub(crate) fn set_body(conn: &Connection, op_id: &str, body: &Operation) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET body_json = ?2 WHERE op_id = ?1",
        params![op_id, serde_json::to_string(body)?],
    )?;
    Ok(())
}

/// Closes an operation with the server's answer (`done`) or as given up (`failed`, a fatal
/// error that must not loop).
pub(crate) fn finish(
    conn: &Connection,
    op_id: &str,
    failed: bool,
    result_json: &str,
    error: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET status = ?2, result_json = ?3, last_error = ?4 WHERE op_id = ?1",
        params![
            op_id,
            if failed { "failed" } else { "done" },
            result_json,
            error
        ],
    )?;
    Ok(())
}

/// Drops an operation that was never sent (a local cancellation).
pub(crate) fn remove(conn: &Connection, op_id: &str) -> Result<()> {
    conn.execute("DELETE FROM outbox WHERE op_id = ?1", params![op_id])?;
    Ok(())
}

/// How many operations of the account wait to be sent.
pub(crate) fn pending_count(conn: &Connection, account_id: &str) -> Result<u32> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE account_id = ?1 AND status = 'pending'",
        params![account_id],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The earliest retry time of the account's pending operations that are waiting for one.
pub(crate) fn next_retry_ms(conn: &Connection, account_id: &str, now: i64) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT min(next_attempt_ms) FROM outbox
         WHERE account_id = ?1 AND status = 'pending' AND next_attempt_ms > ?2",
        params![account_id, now],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::store::accounts::{self, tests::login};
    use crate::device::store::db::Db;
    use crate::protocol::Role;

    #[test]
    fn queue_retry_finish() {
        let db = Db::open_in_memory().unwrap();
        db.write(|tx| accounts::record_login(tx, &login("a", Role::Citizen, None), 1))
            .unwrap();
        db.write(|tx| {
            tx.execute(
                "INSERT INTO requests (id, account_id, origin, service, catalog_version, state, created_ms, updated_ms)
                 VALUES ('r', 'a', 'device', 's', '1', 'queued', 0, 0)",
                [],
            )?;
            Ok(())
        })
        .unwrap();
        let op = Operation::Cancel {
            op_id: "op-2".into(),
            request_id: "srv".into(),
        };
        db.write(|tx| enqueue(tx, "a", "r", "op-1", OpKind::Submit, None, None, 1))
            .unwrap();
        db.write(|tx| enqueue(tx, "a", "r", "op-2", OpKind::Cancel, Some(&op), Some(4), 1))
            .unwrap();
        // The same key can never be queued twice.
        assert!(
            db.write(|tx| enqueue(tx, "a", "r", "op-1", OpKind::Submit, None, None, 1))
                .is_err()
        );

        let ops = db.read(|c| pending(c, "a")).unwrap();
        assert_eq!(
            ops.iter().map(|o| o.op_id.as_str()).collect::<Vec<_>>(),
            ["op-1", "op-2"]
        );
        assert_eq!(ops[1].body.as_ref(), Some(&op));
        assert_eq!(ops[1].base_seq, Some(4));
        assert!(db.read(|c| send_pending(c, "r")).unwrap());

        db.write(|tx| begin_attempt(tx, "op-1")).unwrap();
        db.write(|tx| schedule_retry(tx, "op-1", 500, "offline"))
            .unwrap();
        let op1 = &db.read(|c| pending_for(c, "r")).unwrap()[0];
        assert_eq!((op1.attempts, op1.next_attempt_ms), (1, 500));
        assert_eq!(op1.last_error.as_deref(), Some("offline"));
        assert_eq!(db.read(|c| next_retry_ms(c, "a", 100)).unwrap(), Some(500));
        assert_eq!(db.read(|c| next_retry_ms(c, "a", 600)).unwrap(), None);

        db.write(|tx| finish(tx, "op-1", false, "{}", None))
            .unwrap();
        assert!(!db.read(|c| send_pending(c, "r")).unwrap());
        assert_eq!(db.read(|c| pending_count(c, "a")).unwrap(), 1);
        db.write(|tx| remove(tx, "op-2")).unwrap();
        assert_eq!(db.read(|c| pending_count(c, "a")).unwrap(), 0);
    }
}
