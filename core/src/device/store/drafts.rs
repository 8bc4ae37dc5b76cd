//! Drafts: forms being filled in, autosaved on every change so a killed app loses nothing.
//! A draft may be linked to a request it revises (returned for fixing, or refused by the
//! server's validation); finalising it then queues a revision instead of a new request.

use crate::device::error::Result;
use crate::device::store::attachments::Attachment;
use crate::report::Issue;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};

/// A draft with its live validation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Draft {
    /// Local id.
    pub id: String,
    /// Catalog service id.
    pub service: String,
    /// Field values as text.
    pub values: HashMap<String, String>,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// The village (Kemendagri code) whose nagari handles the request, when set explicitly.
    pub village: Option<String>,
    /// NIK of the citizen the request is for, when an operator submits on their behalf.
    pub on_behalf_of: Option<String>,
    /// The local request this draft revises, if any.
    pub revises: Option<String>,
    /// True when the form can be finalised (no error; warnings allowed).
    pub valid: bool,
    /// Issues to show, worded.
    pub issues: Vec<Issue>,
    /// Required attachment requirements with no file yet.
    pub missing_attachments: Vec<String>,
    /// Created, ms since the Unix epoch.
    pub created_ms: i64,
    /// Last autosave, ms since the Unix epoch.
    pub updated_ms: i64,
}

/// A draft in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DraftSummary {
    /// Local id.
    pub id: String,
    /// Catalog service id.
    pub service: String,
    /// The local request this draft revises, if any.
    pub revises: Option<String>,
    /// How many fields have a value.
    pub filled_fields: u32,
    /// How many files are attached.
    pub attachment_count: u32,
    /// Last autosave, ms since the Unix epoch.
    pub updated_ms: i64,
}

/// A stored draft, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftRow {
    pub(crate) id: String,
    pub(crate) service: String,
    pub(crate) values: BTreeMap<String, String>,
    pub(crate) village: Option<String>,
    pub(crate) on_behalf_of: Option<String>,
    pub(crate) revises: Option<String>,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
}

/// Creates a draft; returns its id.
pub(crate) fn insert(
    conn: &Connection,
    account_id: &str,
    service: &str,
    values: &BTreeMap<String, String>,
    revises: Option<&str>,
    now: i64,
) -> Result<String> {
    let id = crate::device::store::db::new_id();
    conn.execute(
        "INSERT INTO drafts (id, account_id, service, values_json, revises, created_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            id,
            account_id,
            service,
            serde_json::to_string(values)?,
            revises,
            now
        ],
    )?;
    Ok(id)
}

const COLUMNS: &str =
    "id, service, values_json, village, on_behalf_of, revises, created_ms, updated_ms";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(DraftRow, String)> {
    Ok((
        DraftRow {
            id: r.get(0)?,
            service: r.get(1)?,
            values: BTreeMap::new(),
            village: r.get(3)?,
            on_behalf_of: r.get(4)?,
            revises: r.get(5)?,
            created_ms: r.get(6)?,
            updated_ms: r.get(7)?,
        },
        r.get(2)?,
    ))
}

fn with_values((mut row, json): (DraftRow, String)) -> Result<DraftRow> {
    row.values = serde_json::from_str(&json)?;
    Ok(row)
}

/// One draft of the account.
pub(crate) fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<DraftRow>> {
    let sql = format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1 AND account_id = ?2");
    conn.query_row(&sql, params![id, account_id], from_row)
        .optional()?
        .map(with_values)
        .transpose()
}

/// The account's drafts, most recently edited first.
pub(crate) fn list(conn: &Connection, account_id: &str) -> Result<Vec<DraftSummary>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.service, d.revises, d.values_json, d.updated_ms,
                (SELECT count(*) FROM attachments a WHERE a.draft_id = d.id)
         FROM drafts d WHERE d.account_id = ?1 ORDER BY d.updated_ms DESC, d.id DESC",
    )?;
    let rows = stmt.query_map(params![account_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, service, revises, json, updated_ms, attachments) = row?;
        let values: BTreeMap<String, String> = serde_json::from_str(&json)?;
        out.push(DraftSummary {
            id,
            service,
            revises,
            filled_fields: u32::try_from(values.len()).unwrap_or(u32::MAX),
            attachment_count: u32::try_from(attachments).unwrap_or(u32::MAX),
            updated_ms,
        });
    }
    Ok(out)
}

/// Applies changes to the stored values: a non-empty text sets the field, an empty (or blank)
/// one clears it. Returns the new values.
pub(crate) fn merge_values(
    current: &BTreeMap<String, String>,
    changes: &HashMap<String, String>,
) -> BTreeMap<String, String> {
    let mut values = current.clone();
    for (field, value) in changes {
        if value.trim().is_empty() {
            values.remove(field);
        } else {
            values.insert(field.clone(), value.clone());
        }
    }
    values
}

/// Saves the values of a draft.
pub(crate) fn save_values(
    conn: &Connection,
    id: &str,
    values: &BTreeMap<String, String>,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE drafts SET values_json = ?2, updated_ms = ?3 WHERE id = ?1",
        params![id, serde_json::to_string(values)?, now],
    )?;
    Ok(())
}

/// Saves who and where the draft is for.
pub(crate) fn save_context(
    conn: &Connection,
    id: &str,
    village: Option<&str>,
    on_behalf_of: Option<&str>,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE drafts SET village = ?2, on_behalf_of = ?3, updated_ms = ?4 WHERE id = ?1",
        params![id, village, on_behalf_of, now],
    )?;
    Ok(())
}

/// Marks the draft as touched (an attachment was added or removed).
pub(crate) fn touch(conn: &Connection, id: &str, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE drafts SET updated_ms = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Deletes a draft and its attachment rows; returns false when there was none.
pub(crate) fn delete(conn: &Connection, account_id: &str, id: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM drafts WHERE id = ?1 AND account_id = ?2",
        params![id, account_id],
    )? > 0)
}

/// The draft already revising a request, if any (revising twice gives the same draft).
pub(crate) fn revising(
    conn: &Connection,
    account_id: &str,
    request_id: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM drafts WHERE account_id = ?1 AND revises = ?2",
            params![account_id, request_id],
            |r| r.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::store::accounts::{self, tests::login};
    use crate::device::store::db::Db;
    use crate::protocol::Role;

    #[test]
    fn merge_sets_and_clears() {
        let mut current = BTreeMap::new();
        current.insert("a".to_string(), "1".to_string());
        current.insert("b".to_string(), "2".to_string());
        let mut changes = HashMap::new();
        changes.insert("a".to_string(), "  ".to_string());
        changes.insert("c".to_string(), "3".to_string());
        let merged = merge_values(&current, &changes);
        assert_eq!(merged.get("a"), None);
        assert_eq!(merged.get("b").map(String::as_str), Some("2"));
        assert_eq!(merged.get("c").map(String::as_str), Some("3"));
    }

    #[test]
    fn drafts_are_per_account() {
        let db = Db::open_in_memory().unwrap();
        db.write(|tx| accounts::record_login(tx, &login("a", Role::Citizen, None), 1))
            .unwrap();
        db.write(|tx| accounts::record_login(tx, &login("b", Role::Citizen, None), 1))
            .unwrap();
        let id = db
            .write(|tx| insert(tx, "a", "ktp_baru", &BTreeMap::new(), None, 10))
            .unwrap();
        assert!(db.read(|c| get(c, "b", &id)).unwrap().is_none());
        let mut values = BTreeMap::new();
        values.insert("nik".to_string(), "1305".to_string());
        db.write(|tx| save_values(tx, &id, &values, 20)).unwrap();
        let row = db.read(|c| get(c, "a", &id)).unwrap().unwrap();
        assert_eq!(row.values, values);
        assert_eq!(row.updated_ms, 20);
        let list = db.read(|c| list(c, "a")).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].filled_fields, 1);
        assert!(!db.write(|tx| delete(tx, "b", &id)).unwrap());
        assert!(db.write(|tx| delete(tx, "a", &id)).unwrap());
    }
}
