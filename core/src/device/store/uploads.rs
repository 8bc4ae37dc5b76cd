//! The uploads table: one tus upload per distinct file content and account, with its URL
//! (recorded before the first PATCH), the offset the server confirmed, and its retry pacing.
//! The upload step of a sync pass (`sync/upload.rs`) drives it. A row exists from the moment
//! a file is sent (or attached, with background uploads) until no draft or request of the
//! account refers to its content any more; then the pass terminates it on the server.

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

/// Which unfinished uploads a step of the pass takes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadScope {
    /// Those a pending submit or revise needs.
    Queued,
    /// Those of files attached to drafts only (background uploads before "send").
    Drafts,
}

/// A pending submit or revise of the account needs the row's content.
const NEEDED_BY_QUEUE: &str =
    "EXISTS (SELECT 1 FROM attachments a JOIN outbox o ON o.request_id = a.request_id
    WHERE a.account_id = u.account_id AND a.sha256 = u.sha256
      AND o.status = 'pending' AND o.kind <> 'cancel')";

/// A draft of the account holds the row's content.
const HELD_BY_DRAFT: &str = "EXISTS (SELECT 1 FROM attachments a
    WHERE a.account_id = u.account_id AND a.sha256 = u.sha256 AND a.draft_id IS NOT NULL)";

/// No draft or request of the account refers to the row's content any more.
const UNREFERENCED: &str = "NOT EXISTS (SELECT 1 FROM attachments a
    WHERE a.account_id = u.account_id AND a.sha256 = u.sha256)";

/// Unfinished uploads of the account in `scope`, oldest first.
pub(crate) fn needed(
    conn: &Connection,
    account_id: &str,
    scope: UploadScope,
) -> Result<Vec<UploadRow>> {
    let wanted = match scope {
        UploadScope::Queued => NEEDED_BY_QUEUE.to_string(),
        UploadScope::Drafts => format!("{HELD_BY_DRAFT} AND NOT {NEEDED_BY_QUEUE}"),
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT u.sha256, u.size, u.media_type,
                (SELECT a.file_name FROM attachments a WHERE a.account_id = u.account_id AND a.sha256 = u.sha256 LIMIT 1),
                u.url, u.confirmed, u.attempts, u.next_attempt_ms
         FROM uploads u
         WHERE u.account_id = ?1 AND u.done = 0 AND u.failed_code IS NULL AND {wanted}
         ORDER BY u.rowid"
    ))?;
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

/// Records the server's offset; an offset that grew starts the retry counter again (the
/// network works, it only drops now and then).
pub(crate) fn set_confirmed(
    conn: &Connection,
    account_id: &str,
    sha256: &str,
    offset: u64,
) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET attempts = CASE WHEN ?3 > confirmed THEN 0 ELSE attempts END,
             confirmed = ?3
         WHERE account_id = ?1 AND sha256 = ?2",
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

/// Uploads of the account that nothing refers to any more (a deleted draft, a removed or
/// replaced attachment): content hash and tus URL, if one was created.
pub(crate) fn unreferenced(
    conn: &Connection,
    account_id: &str,
) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT u.sha256, u.url FROM uploads u WHERE u.account_id = ?1 AND {UNREFERENCED}
         ORDER BY u.rowid"
    ))?;
    let rows = stmt.query_map(params![account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Forgets an upload that was released on the server (`url`, now terminated). Should the
/// content have been attached again meanwhile, the row stays and starts over.
pub(crate) fn forget_released(
    conn: &Connection,
    account_id: &str,
    sha256: &str,
    url: Option<&str>,
) -> Result<()> {
    let deleted = conn.execute(
        &format!(
            "DELETE FROM uploads AS u WHERE u.account_id = ?1 AND u.sha256 = ?2 AND {UNREFERENCED}"
        ),
        params![account_id, sha256],
    )?;
    if deleted == 0 {
        conn.execute(
            "UPDATE uploads SET url = NULL, confirmed = 0, done = 0
             WHERE account_id = ?1 AND sha256 = ?2 AND url IS ?3",
            params![account_id, sha256, url],
        )?;
    }
    Ok(())
}
