//! The uploads table: one tus upload per distinct file content and account, with its URL
//! (recorded before the first PATCH), the offset the server confirmed, and its retry pacing.
//! The upload step of a sync pass (`sync/upload.rs`) drives it.

use crate::device::error::Result;
use crate::device::store::requests::{self, LocalState};
use rusqlite::{Connection, params};

/// An upload the device still has to finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadRow {
    pub(crate) sha256: String,
    pub(crate) size: u64,
    pub(crate) media_type: String,
    pub(crate) file_name: String,
    pub(crate) url: Option<String>,
    pub(crate) confirmed: u64,
    pub(crate) attempts: u32,
    pub(crate) next_attempt_ms: i64,
}

/// Records that a file must be uploaded for the account (once per content).
pub(crate) fn ensure(
    conn: &Connection,
    account_id: &str,
    sha256: &str,
    size: u64,
    media_type: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO uploads (account_id, sha256, size, media_type) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(account_id, sha256) DO UPDATE SET failed_code = NULL, attempts = 0,
             next_attempt_ms = 0 WHERE done = 0",
        params![
            account_id,
            sha256,
            i64::try_from(size).unwrap_or(i64::MAX),
            media_type
        ],
    )?;
    Ok(())
}

/// Unfinished uploads that a pending submit or revise of the account needs.
pub(crate) fn needed(conn: &Connection, account_id: &str) -> Result<Vec<UploadRow>> {
    let mut stmt = conn.prepare(
        "SELECT u.sha256, u.size, u.media_type,
                (SELECT a.file_name FROM attachments a WHERE a.account_id = u.account_id AND a.sha256 = u.sha256 LIMIT 1),
                u.url, u.confirmed, u.attempts, u.next_attempt_ms
         FROM uploads u
         WHERE u.account_id = ?1 AND u.done = 0 AND u.failed_code IS NULL
           AND EXISTS (SELECT 1 FROM attachments a JOIN outbox o ON o.request_id = a.request_id
                       WHERE a.account_id = u.account_id AND a.sha256 = u.sha256
                         AND o.status = 'pending' AND o.kind <> 'cancel')
         ORDER BY u.rowid",
    )?;
    let rows = stmt.query_map(params![account_id], |r| {
        Ok(UploadRow {
            sha256: r.get(0)?,
            size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            media_type: r.get(2)?,
            file_name: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            url: r.get(4)?,
            confirmed: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
            attempts: u32::try_from(r.get::<_, i64>(6)?).unwrap_or(u32::MAX),
            next_attempt_ms: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// True when the content is fully uploaded for the account.
pub(crate) fn is_done(conn: &Connection, account_id: &str, sha256: &str) -> Result<bool> {
    let done: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
        "SELECT done FROM uploads WHERE account_id = ?1 AND sha256 = ?2",
        params![account_id, sha256],
        |r| r.get(0),
    ))?;
    Ok(done == Some(1))
}

/// The earliest retry time of the account's unfinished uploads that wait for one.
pub(crate) fn next_retry_ms(conn: &Connection, account_id: &str, now: i64) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT min(next_attempt_ms) FROM uploads
         WHERE account_id = ?1 AND done = 0 AND failed_code IS NULL AND next_attempt_ms > ?2",
        params![account_id, now],
        |r| r.get(0),
    )?)
}

pub(crate) fn set_url(
    conn: &Connection,
    account_id: &str,
    sha256: &str,
    url: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET url = ?3, confirmed = 0 WHERE account_id = ?1 AND sha256 = ?2",
        params![account_id, sha256, url],
    )?;
    Ok(())
}

pub(crate) fn set_confirmed(
    conn: &Connection,
    account_id: &str,
    sha256: &str,
    offset: u64,
) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET confirmed = ?3 WHERE account_id = ?1 AND sha256 = ?2",
        params![
            account_id,
            sha256,
            i64::try_from(offset).unwrap_or(i64::MAX)
        ],
    )?;
    Ok(())
}

pub(crate) fn mark_done(conn: &Connection, account_id: &str, sha256: &str) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET done = 1, confirmed = size, last_error = NULL WHERE account_id = ?1 AND sha256 = ?2",
        params![account_id, sha256],
    )?;
    Ok(())
}

pub(crate) fn schedule_retry(
    conn: &Connection,
    account_id: &str,
    sha256: &str,
    next_attempt_ms: i64,
    error: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET attempts = attempts + 1, next_attempt_ms = ?3, last_error = ?4
         WHERE account_id = ?1 AND sha256 = ?2",
        params![account_id, sha256, next_attempt_ms, error],
    )?;
    Ok(())
}

/// Requests of the account whose operation waits for uploads move from queued to uploading.
pub(crate) fn mark_uploading(conn: &Connection, account_id: &str, now: i64) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT r.id FROM requests r JOIN outbox o ON o.request_id = r.id
         JOIN attachments a ON a.request_id = r.id
         JOIN uploads u ON u.account_id = a.account_id AND u.sha256 = a.sha256
         WHERE r.account_id = ?1 AND r.state = 'queued' AND o.status = 'pending'
           AND o.kind <> 'cancel' AND u.done = 0",
    )?;
    let ids = stmt
        .query_map(params![account_id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for id in ids {
        requests::set_state(conn, &id, LocalState::Uploading, now, None)?;
    }
    Ok(())
}
