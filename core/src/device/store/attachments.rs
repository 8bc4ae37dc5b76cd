//! Attached files: the `attachments` table (which draft or request, which content; the
//! catalog's rules, `crate::catalog::attachments`, are checked by the drafting API before a
//! file is copied in). The files themselves live in the managed
//! directory ([`super::files`]); a file is deleted only when no attachment refers to it any
//! more.

use crate::device::error::Result;
use crate::device::store::files::{Blob, FileStore};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;

/// A file attached to a draft or request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Attachment {
    /// Local id.
    pub id: String,
    /// The catalog attachment requirement it satisfies.
    pub requirement: String,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, e.g. `image/jpeg`.
    pub media_type: String,
    /// The original file name (for display).
    pub file_name: String,
    /// Where the managed copy lives; valid until the attachment is removed. On a device with
    /// an encryption key the file is sealed (not an image any more): it tells that the copy
    /// exists, it is not for showing.
    pub path: String,
}

/// Where a stored attachment belongs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner<'a> {
    Draft(&'a str),
    Request(&'a str),
}

/// A new attachment row.
pub(crate) struct NewAttachment<'a> {
    pub(crate) account_id: &'a str,
    pub(crate) owner: Owner<'a>,
    pub(crate) requirement: &'a str,
    pub(crate) sha256: &'a str,
    pub(crate) size: u64,
    pub(crate) media_type: &'a str,
    pub(crate) file_name: &'a str,
}

/// Stores an attachment row; returns its id.
pub(crate) fn insert(conn: &Connection, a: &NewAttachment<'_>, now: i64) -> Result<String> {
    let id = crate::device::store::db::new_id();
    let (draft, request) = match a.owner {
        Owner::Draft(d) => (Some(d), None),
        Owner::Request(r) => (None, Some(r)),
    };
    conn.execute(
        "INSERT INTO attachments (id, account_id, draft_id, request_id, requirement, sha256, size, media_type, file_name, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            a.account_id,
            draft,
            request,
            a.requirement,
            a.sha256,
            i64::try_from(a.size).unwrap_or(i64::MAX),
            a.media_type,
            a.file_name,
            now
        ],
    )?;
    Ok(id)
}

/// The attachments of a draft or request, in the order they were added.
pub(crate) fn list(
    conn: &Connection,
    files: &FileStore,
    owner: Owner<'_>,
) -> Result<Vec<Attachment>> {
    let (column, id) = match owner {
        Owner::Draft(d) => ("draft_id", d),
        Owner::Request(r) => ("request_id", r),
    };
    let sql = format!(
        "SELECT id, requirement, sha256, size, media_type, file_name, account_id FROM attachments
         WHERE {column} = ?1 ORDER BY created_ms, id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(params![id], |r| {
            Ok((
                Attachment {
                    id: r.get(0)?,
                    requirement: r.get(1)?,
                    sha256: r.get(2)?,
                    size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                    media_type: r.get(4)?,
                    file_name: r.get(5)?,
                    path: String::new(),
                },
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut keys = files.keys();
    rows.into_iter()
        .map(|(mut a, account)| {
            let blob = keys.blob(conn, &account, &a.sha256)?;
            a.path = files.path(&blob).to_string_lossy().into_owned();
            Ok(a)
        })
        .collect()
}

/// How many files a draft has for one requirement.
pub(crate) fn count_for(conn: &Connection, draft_id: &str, requirement: &str) -> Result<u32> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM attachments WHERE draft_id = ?1 AND requirement = ?2",
        params![draft_id, requirement],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Removes an attachment of a draft of `account_id`; returns false when there is none.
pub(crate) fn delete_from_draft(conn: &Connection, account_id: &str, id: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM attachments WHERE id = ?1 AND account_id = ?2 AND draft_id IS NOT NULL",
        params![id, account_id],
    )? > 0)
}

/// The draft an attachment belongs to, if it belongs to a draft of `account_id`.
pub(crate) fn draft_of(conn: &Connection, account_id: &str, id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT draft_id FROM attachments WHERE id = ?1 AND account_id = ?2 AND draft_id IS NOT NULL",
            params![id, account_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// `account_id`'s copies among `candidates` (content hashes) that no attachment refers to
/// any more: on a device with a key each account's copies are its own; without one, a copy
/// is shared by every account.
pub(crate) fn unreferenced(
    conn: &Connection,
    files: &FileStore,
    account_id: &str,
    candidates: &[String],
) -> Result<Vec<Blob>> {
    let mut own =
        conn.prepare("SELECT 1 FROM attachments WHERE sha256 = ?1 AND account_id = ?2 LIMIT 1")?;
    let mut any = conn.prepare("SELECT 1 FROM attachments WHERE sha256 = ?1 LIMIT 1")?;
    let mut out = Vec::new();
    let mut keys = files.keys();
    for sha in candidates {
        let blob = keys.blob(conn, account_id, sha)?;
        let used = if blob.is_sealed() {
            own.exists(params![sha, account_id])?
        } else {
            any.exists(params![sha])?
        };
        if !used {
            out.push(blob);
        }
    }
    Ok(out)
}

/// The hashes of the files of a draft or request.
pub(crate) fn hashes(conn: &Connection, owner: Owner<'_>) -> Result<Vec<String>> {
    let (column, id) = match owner {
        Owner::Draft(d) => ("draft_id", d),
        Owner::Request(r) => ("request_id", r),
    };
    let sql = format!("SELECT DISTINCT sha256 FROM attachments WHERE {column} = ?1");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// The hash of one attachment.
pub(crate) fn sha_of(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sha256 FROM attachments WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The hash of one attachment of `account_id`.
pub(crate) fn sha_of_owned(
    conn: &Connection,
    account_id: &str,
    id: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sha256 FROM attachments WHERE id = ?1 AND account_id = ?2",
            params![id, account_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The file names of every copy still referenced by an attachment of any account.
pub(crate) fn referenced(conn: &Connection, files: &FileStore) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT DISTINCT account_id, sha256 FROM attachments")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut keys = files.keys();
    rows.iter()
        .map(|(account, sha)| Ok(keys.blob(conn, account, sha)?.name))
        .collect()
}
