//! Requests on the device: the local lifecycle (queued -> uploading -> pushed -> the server's
//! states, or needs fixing), the status timeline, and how status changes from the server's
//! feed are applied (each exactly once, keyed by its feed position).

use crate::device::error::Result;
use crate::device::store::attachments::Attachment;
use crate::protocol::{DocumentInfo, RequestPayload, RequestState, ReturnReason, StatusChange};
use crate::report::Issue;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// Where a request stands, as the app shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LocalState {
    /// Finalised and waiting for the network.
    Queued,
    /// Its files are being uploaded.
    Uploading,
    /// Sent to the server; the answer has not arrived yet.
    Pushed,
    /// The server refused it (validation, outdated catalog): revise it and send again.
    NeedsFix,
    /// Accepted by the registry (it has a tracking code).
    Submitted,
    /// Checked by the nagari operator.
    Verified,
    /// Returned for fixing, with reasons: revise it and send again.
    Returned,
    /// Being processed at the registry.
    Processing,
    /// Done: the document is ready.
    Completed,
    /// Refused by the registry, with a reason.
    Rejected,
    /// Withdrawn.
    Cancelled,
}

impl LocalState {
    /// The stable code, as stored and as used for the catalog's `states` labels.
    pub fn code(self) -> &'static str {
        match self {
            LocalState::Queued => "queued",
            LocalState::Uploading => "uploading",
            LocalState::Pushed => "pushed",
            LocalState::NeedsFix => "needs_fix",
            LocalState::Submitted => "submitted",
            LocalState::Verified => "verified",
            LocalState::Returned => "returned",
            LocalState::Processing => "processing",
            LocalState::Completed => "completed",
            LocalState::Rejected => "rejected",
            LocalState::Cancelled => "cancelled",
        }
    }

    /// Parses a stored code; an unknown one reads as `queued` so the request is retried.
    pub(crate) fn from_code(code: &str) -> LocalState {
        match code {
            "uploading" => LocalState::Uploading,
            "pushed" => LocalState::Pushed,
            "needs_fix" => LocalState::NeedsFix,
            other => RequestState::from_code(other)
                .map(LocalState::from)
                .unwrap_or(LocalState::Queued),
        }
    }
}

impl From<RequestState> for LocalState {
    fn from(s: RequestState) -> Self {
        match s {
            RequestState::Submitted => LocalState::Submitted,
            RequestState::Verified => LocalState::Verified,
            RequestState::Returned => LocalState::Returned,
            RequestState::Processing => LocalState::Processing,
            RequestState::Completed => LocalState::Completed,
            RequestState::Rejected => LocalState::Rejected,
            RequestState::Cancelled => LocalState::Cancelled,
        }
    }
}

/// One step of a request's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StatusEntry {
    /// The state entered.
    pub state: LocalState,
    /// When, ms since the Unix epoch.
    pub at_ms: i64,
    /// True when the step came from the registry's feed, false for steps on this device.
    pub from_server: bool,
    /// A message code explaining the step, if any (e.g. `state.not_returned`).
    pub code: Option<String>,
    /// The reviewer's note, if any.
    pub note: Option<String>,
}

/// A request in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RequestSummary {
    /// Local id (UUIDv7).
    pub id: String,
    /// Catalog service id.
    pub service: String,
    /// Where it stands.
    pub state: LocalState,
    /// The receipt code, once accepted.
    pub tracking_code: Option<String>,
    /// Created on this device (or first seen in the feed), ms since the Unix epoch.
    pub created_ms: i64,
    /// Last change, ms since the Unix epoch.
    pub updated_ms: i64,
}

/// A request with everything an app shows on its detail screen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RequestInfo {
    /// Local id (UUIDv7).
    pub id: String,
    /// Catalog service id.
    pub service: String,
    /// Where it stands.
    pub state: LocalState,
    /// The last state the server reported, if any.
    pub server_state: Option<RequestState>,
    /// The server's id, once accepted.
    pub server_id: Option<String>,
    /// The receipt code, once accepted.
    pub tracking_code: Option<String>,
    /// The catalog version the form was validated against.
    pub catalog_version: String,
    /// Field values as sent (empty for requests only seen in the feed).
    pub values: HashMap<String, String>,
    /// The village whose nagari handles it.
    pub village: Option<String>,
    /// The citizen it was submitted for, if an operator submitted it.
    pub on_behalf_of: Option<String>,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// What to fix when the server refused it (`needs_fix`).
    pub issues: Vec<Issue>,
    /// What to fix when the registry returned it.
    pub reasons: Vec<ReturnReason>,
    /// The finished document, when completed.
    pub document: Option<DocumentInfo>,
    /// The reviewer's last note.
    pub note: Option<String>,
    /// Status timeline, oldest first.
    pub timeline: Vec<StatusEntry>,
    /// True while a cancellation waits to be sent.
    pub cancel_pending: bool,
    /// The last sync error for this request, for display ("will retry").
    pub last_error: Option<String>,
    /// When the next send is due, if it is waiting for a retry.
    pub next_attempt_ms: Option<i64>,
    /// True when `cancel` is possible now.
    pub can_cancel: bool,
    /// True when `revise` is possible now.
    pub can_revise: bool,
    /// Created, ms since the Unix epoch.
    pub created_ms: i64,
    /// Last change, ms since the Unix epoch.
    pub updated_ms: i64,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RequestRow {
    pub(crate) id: String,
    pub(crate) service: String,
    pub(crate) catalog_version: String,
    pub(crate) payload: Option<RequestPayload>,
    pub(crate) server_id: Option<String>,
    pub(crate) tracking_code: Option<String>,
    pub(crate) state: LocalState,
    pub(crate) server_state: Option<RequestState>,
    pub(crate) issues: Vec<Issue>,
    pub(crate) reasons: Vec<ReturnReason>,
    pub(crate) document: Option<DocumentInfo>,
    pub(crate) note: Option<String>,
    pub(crate) last_seq: Option<i64>,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
}

/// Creates a finalised request in state `queued`; returns its id.
pub(crate) fn create(
    conn: &Connection,
    account_id: &str,
    payload: &RequestPayload,
    now: i64,
) -> Result<String> {
    let id = crate::device::store::db::new_id();
    conn.execute(
        "INSERT INTO requests (id, account_id, origin, service, catalog_version, payload_json, state, created_ms, updated_ms)
         VALUES (?1, ?2, 'device', ?3, ?4, ?5, 'queued', ?6, ?6)",
        params![id, account_id, payload.service, payload.catalog_version, serde_json::to_string(payload)?, now],
    )?;
    add_history(conn, &id, LocalState::Queued, now, None)?;
    Ok(id)
}

/// Replaces the payload of a request being revised and queues it again.
pub(crate) fn requeue(
    conn: &Connection,
    id: &str,
    payload: &RequestPayload,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE requests SET payload_json = ?2, catalog_version = ?3, state = 'queued', needs_fix = 0,
             issues_json = '[]', updated_ms = ?4 WHERE id = ?1",
        params![id, serde_json::to_string(payload)?, payload.catalog_version, now],
    )?;
    add_history(conn, id, LocalState::Queued, now, None)
}

/// Appends a step of this device to the timeline.
pub(crate) fn add_history(
    conn: &Connection,
    id: &str,
    state: LocalState,
    now: i64,
    code: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO request_history (request_id, state, at_ms, source, code) VALUES (?1, ?2, ?3, 'device', ?4)",
        params![id, state.code(), now, code],
    )?;
    Ok(())
}

/// Sets the shown state (and records the step when it changes).
pub(crate) fn set_state(
    conn: &Connection,
    id: &str,
    state: LocalState,
    now: i64,
    code: Option<&str>,
) -> Result<()> {
    let changed = conn.execute(
        "UPDATE requests SET state = ?2, updated_ms = ?3 WHERE id = ?1 AND state <> ?2",
        params![id, state.code(), now],
    )?;
    if changed > 0 {
        add_history(conn, id, state, now, code)?;
    }
    Ok(())
}

/// Marks the request as refused by the server, with what to fix.
pub(crate) fn mark_needs_fix(
    conn: &Connection,
    id: &str,
    issues: &[Issue],
    code: &str,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE requests SET needs_fix = 1, issues_json = ?2 WHERE id = ?1",
        params![id, serde_json::to_string(issues)?],
    )?;
    set_state(conn, id, LocalState::NeedsFix, now, Some(code))
}

/// Records the server's acceptance: its id, the tracking code and the state. The timeline
/// step comes from the status feed (with the registry's time), so none is added here.
pub(crate) fn mark_accepted(
    conn: &Connection,
    id: &str,
    server_id: &str,
    tracking_code: &str,
    state: LocalState,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE requests SET server_id = ?2, tracking_code = ?3, needs_fix = 0, issues_json = '[]',
             state = ?4, updated_ms = ?5 WHERE id = ?1",
        params![id, server_id, tracking_code, state.code(), now],
    )?;
    Ok(())
}

const COLUMNS: &str = "id, service, catalog_version, payload_json, server_id, tracking_code, state,
    server_state, issues_json, reasons_json, document_json, note, last_seq, created_ms, updated_ms";

type RawRow = (RequestRow, Option<String>, String, String, Option<String>);

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    let state: String = r.get(6)?;
    let server_state: Option<String> = r.get(7)?;
    Ok((
        RequestRow {
            id: r.get(0)?,
            service: r.get(1)?,
            catalog_version: r.get(2)?,
            payload: None,
            server_id: r.get(4)?,
            tracking_code: r.get(5)?,
            state: LocalState::from_code(&state),
            server_state: server_state.as_deref().and_then(RequestState::from_code),
            issues: Vec::new(),
            reasons: Vec::new(),
            document: None,
            note: r.get(11)?,
            last_seq: r.get(12)?,
            created_ms: r.get(13)?,
            updated_ms: r.get(14)?,
        },
        r.get(3)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn decode((mut row, payload, issues, reasons, document): RawRow) -> Result<RequestRow> {
    row.payload = payload.as_deref().map(serde_json::from_str).transpose()?;
    row.issues = serde_json::from_str(&issues)?;
    row.reasons = serde_json::from_str(&reasons)?;
    row.document = document.as_deref().map(serde_json::from_str).transpose()?;
    Ok(row)
}

/// One request of the account.
pub(crate) fn get(conn: &Connection, account_id: &str, id: &str) -> Result<Option<RequestRow>> {
    let sql = format!("SELECT {COLUMNS} FROM requests WHERE id = ?1 AND account_id = ?2");
    conn.query_row(&sql, params![id, account_id], from_row)
        .optional()?
        .map(decode)
        .transpose()
}

/// The account's requests, newest first.
pub(crate) fn list(conn: &Connection, account_id: &str) -> Result<Vec<RequestSummary>> {
    let mut stmt = conn.prepare(
        "SELECT id, service, state, tracking_code, created_ms, updated_ms FROM requests
         WHERE account_id = ?1 ORDER BY created_ms DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![account_id], |r| {
        let state: String = r.get(2)?;
        Ok(RequestSummary {
            id: r.get(0)?,
            service: r.get(1)?,
            state: LocalState::from_code(&state),
            tracking_code: r.get(3)?,
            created_ms: r.get(4)?,
            updated_ms: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The timeline of a request, oldest first.
pub(crate) fn timeline(conn: &Connection, id: &str) -> Result<Vec<StatusEntry>> {
    let mut stmt = conn.prepare(
        "SELECT state, at_ms, source, code, note FROM request_history WHERE request_id = ?1
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        let state: String = r.get(0)?;
        let source: String = r.get(2)?;
        Ok(StatusEntry {
            state: LocalState::from_code(&state),
            at_ms: r.get(1)?,
            from_server: source == "server",
            code: r.get(3)?,
            note: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The local request a feed change is about: by server id, else by the local id it echoes.
pub(crate) fn find_for_change(
    conn: &Connection,
    account_id: &str,
    change: &StatusChange,
) -> Result<Option<String>> {
    let by_server: Option<String> = conn
        .query_row(
            "SELECT id FROM requests WHERE account_id = ?1 AND server_id = ?2",
            params![account_id, change.request_id],
            |r| r.get(0),
        )
        .optional()?;
    if by_server.is_some() {
        return Ok(by_server);
    }
    // The server echoes our local id: this finds a request whose push outcome was lost (the
    // process died after the server stored it), so it is not shown twice.
    let Some(local_id) = change.local_id.as_deref() else {
        return Ok(None);
    };
    Ok(conn
        .query_row(
            "SELECT id FROM requests WHERE account_id = ?1 AND id = ?2 AND server_id IS NULL",
            params![account_id, local_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Applies one status change from the feed. Returns false when it was already applied.
/// `op_pending` says whether a submit or revise of this request still waits for its answer;
/// then the shown state stays on the device's step and only the server state is recorded.
pub(crate) fn apply_change(
    conn: &Connection,
    account_id: &str,
    change: &StatusChange,
    op_pending: impl Fn(&str) -> Result<bool>,
    now: i64,
) -> Result<bool> {
    let id = match find_for_change(conn, account_id, change)? {
        Some(id) => id,
        None => {
            // A request this device did not send (an operator submitted for this citizen, or
            // an operator's village queue): shown from the feed alone.
            let id = crate::device::store::db::new_id();
            conn.execute(
                "INSERT INTO requests (id, account_id, origin, service, catalog_version, server_id, tracking_code, state, created_ms, updated_ms)
                 VALUES (?1, ?2, 'server', ?3, '', ?4, ?5, ?6, ?7, ?7)",
                params![id, account_id, change.service, change.request_id, change.tracking_code, change.state.code(), change.at_ms],
            )?;
            id
        }
    };
    let inserted = conn.execute(
        "INSERT INTO request_history (request_id, state, at_ms, source, seq, note)
         VALUES (?1, ?2, ?3, 'server', ?4, ?5) ON CONFLICT(request_id, seq) DO NOTHING",
        params![
            id,
            change.state.code(),
            change.at_ms,
            change.seq,
            change.note
        ],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    let reasons = if change.state == RequestState::Returned {
        Some(serde_json::to_string(&change.reasons)?)
    } else {
        None
    };
    let document = change
        .document
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    conn.execute(
        "UPDATE requests SET server_id = ?2, tracking_code = ?3, server_state = ?4, last_seq = ?5,
             reasons_json = coalesce(?6, reasons_json), document_json = coalesce(?7, document_json),
             note = coalesce(?8, note), updated_ms = ?9
         WHERE id = ?1 AND (last_seq IS NULL OR last_seq < ?5)",
        params![
            id,
            change.request_id,
            change.tracking_code,
            change.state.code(),
            change.seq,
            reasons,
            document,
            change.note,
            now
        ],
    )?;
    if !op_pending(&id)? {
        conn.execute(
            "UPDATE requests SET state = ?2, needs_fix = 0, issues_json = '[]' WHERE id = ?1 AND last_seq = ?3",
            params![id, change.state.code(), change.seq],
        )?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests;
