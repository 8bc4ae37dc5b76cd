//! The request part of the [`Device`] API: listing requests, the detail view with its status
//! timeline, cancelling (locally while nothing was sent, otherwise through a Cancel
//! operation) and revising a returned or refused request into a new draft.

use crate::device::Device;
use crate::device::error::{DeviceError, Error, Result};
use crate::device::store::attachments::{self, NewAttachment, Owner};
use crate::device::store::db::new_id;
use crate::device::store::drafts::{self, Draft};
use crate::device::store::outbox::{self, OpKind};
use crate::device::store::requests::{self, LocalState, RequestInfo, RequestRow, RequestSummary};
use crate::now_ms;
use crate::protocol::Operation;

/// True when the request can be revised into a new draft now (ignoring pending operations).
pub(crate) fn revisable(row: &RequestRow) -> bool {
    row.payload.is_some() && matches!(row.state, LocalState::Returned | LocalState::NeedsFix)
}

/// True when a cancellation is possible now (ignoring a cancellation already queued).
fn cancellable(row: &RequestRow) -> bool {
    match row.state {
        LocalState::Queued
        | LocalState::Uploading
        | LocalState::Pushed
        | LocalState::NeedsFix
        | LocalState::Submitted
        | LocalState::Returned => true,
        LocalState::Verified
        | LocalState::Processing
        | LocalState::Completed
        | LocalState::Rejected
        | LocalState::Cancelled => false,
    }
}

/// What a cancel call does.
enum CancelPlan {
    /// Already queued: nothing to do.
    Nothing,
    /// Nothing ever reached the server: cancelled here.
    Local,
    /// The server may have the request: a Cancel operation is queued.
    Queue,
}

impl Device {
    fn request_row(&self, account: &str, id: &str) -> Result<RequestRow> {
        self.db
            .read(|c| requests::get(c, account, id))?
            .ok_or_else(|| Error::not_found("request.not_found"))
    }

    /// The current account's requests, newest first.
    pub fn requests(&self) -> Result<Vec<RequestSummary>, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            self.db.read(|c| requests::list(c, &account))
        })
    }

    /// A request with its status timeline, tracking code, what to fix and document info.
    pub fn request(&self, request_id: &str) -> Result<RequestInfo, DeviceError> {
        self.handle(|| self.request_info(request_id))
    }

    /// [`Device::request`] inside the device (no wording).
    pub(crate) fn request_info(&self, request_id: &str) -> Result<RequestInfo> {
        let account = self.current()?;
        let row = self.request_row(&account, request_id)?;
        let (atts, timeline, ops) = self.db.read(|c| {
            Ok((
                attachments::list(c, &self.files, Owner::Request(request_id))?,
                requests::timeline(c, request_id)?,
                outbox::pending_for(c, request_id)?,
            ))
        })?;
        let cancel_pending = ops.iter().any(|o| o.kind == OpKind::Cancel);
        let send_pending = ops.iter().any(|o| o.kind != OpKind::Cancel);
        let last_error = ops.iter().find_map(|o| o.last_error.clone());
        let now = now_ms();
        let next_attempt_ms = ops
            .iter()
            .map(|o| o.next_attempt_ms)
            .filter(|&t| t > now)
            .min();
        let payload = row.payload.clone();
        Ok(RequestInfo {
            can_cancel: !cancel_pending && cancellable(&row),
            can_revise: !send_pending && revisable(&row),
            id: row.id,
            service: row.service,
            state: row.state,
            server_state: row.server_state,
            server_id: row.server_id,
            tracking_code: row.tracking_code,
            catalog_version: row.catalog_version,
            values: payload
                .as_ref()
                .map(|p| p.values.clone().into_iter().collect())
                .unwrap_or_default(),
            village: payload.as_ref().map(|p| p.village.clone()),
            on_behalf_of: payload.as_ref().and_then(|p| p.on_behalf_of.clone()),
            attachments: atts,
            issues: row.issues,
            reasons: row.reasons,
            document: row.document,
            note: row.note,
            timeline,
            cancel_pending,
            last_error,
            next_attempt_ms,
            created_ms: row.created_ms,
            updated_ms: row.updated_ms,
        })
    }

    /// Cancels a request. Before anything reached the server it is cancelled on the device at
    /// once; otherwise a Cancel operation is queued (the registry accepts it while the request
    /// is `submitted` or `returned`). Verified, processing and finished requests cannot be
    /// cancelled (`request.not_cancellable`).
    pub fn cancel(&self, request_id: &str) -> Result<RequestInfo, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let now = now_ms();
            let plan = self.db.write(|tx| {
                let Some(row) = requests::get(tx, &account, request_id)? else {
                    return Ok(None);
                };
                let ops = outbox::pending_for(tx, request_id)?;
                if ops.iter().any(|o| o.kind == OpKind::Cancel) {
                    return Ok(Some(CancelPlan::Nothing));
                }
                if !cancellable(&row) {
                    let state = row.state.code().to_string();
                    return Err(Error::invalid(
                        "request.not_cancellable",
                        &[("state", state)],
                    ));
                }
                // An operation never attempted cannot be on the server: drop it.
                let mut in_flight = false;
                for op in ops.iter().filter(|o| o.kind != OpKind::Cancel) {
                    if op.attempts == 0 {
                        outbox::remove(tx, &op.op_id)?;
                    } else {
                        in_flight = true;
                    }
                }
                if row.server_id.is_none() && !in_flight {
                    requests::set_state(tx, request_id, LocalState::Cancelled, now, None)?;
                    return Ok(Some(CancelPlan::Local));
                }
                let op_id = new_id();
                let body = row.server_id.as_ref().map(|sid| Operation::Cancel {
                    op_id: op_id.clone(),
                    request_id: sid.clone(),
                });
                outbox::enqueue(
                    tx,
                    &account,
                    request_id,
                    &op_id,
                    OpKind::Cancel,
                    body.as_ref(),
                    row.last_seq,
                    now,
                )?;
                if in_flight {
                    return Ok(Some(CancelPlan::Queue));
                }
                // A revision that never left: the server still has the request as it was.
                let waiting = matches!(
                    row.state,
                    LocalState::Queued | LocalState::Uploading | LocalState::NeedsFix
                );
                if let Some(state) = row.server_state.filter(|_| waiting) {
                    requests::set_state(tx, request_id, state.into(), now, None)?;
                }
                Ok(Some(CancelPlan::Queue))
            })?;
            match plan {
                None => Err(Error::not_found("request.not_found")),
                Some(CancelPlan::Nothing | CancelPlan::Local | CancelPlan::Queue) => {
                    self.request_info(request_id)
                }
            }
        })
    }

    /// Opens a draft to fix a request that was returned by the registry or refused by the
    /// server, prefilled with what was sent (values and files). Finalising it queues the
    /// revision. Revising again returns the same draft.
    pub fn revise(&self, request_id: &str) -> Result<Draft, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let row = self.request_row(&account, request_id)?;
            let pending = self.db.read(|c| outbox::send_pending(c, request_id))?;
            let Some(payload) = row.payload.clone().filter(|_| !pending && revisable(&row)) else {
                return Err(Error::invalid(
                    "request.not_revisable",
                    &[("state", row.state.code().to_string())],
                ));
            };
            let now = now_ms();
            let draft_id = self.db.write(|tx| {
                if let Some(existing) = drafts::revising(tx, &account, request_id)? {
                    return Ok(existing);
                }
                let id = drafts::insert(
                    tx,
                    &account,
                    &payload.service,
                    &payload.values,
                    Some(request_id),
                    now,
                )?;
                drafts::save_context(
                    tx,
                    &id,
                    Some(&payload.village),
                    payload.on_behalf_of.as_deref(),
                    now,
                )?;
                for a in attachments::list(tx, &self.files, Owner::Request(request_id))? {
                    let new = NewAttachment {
                        account_id: &account,
                        owner: Owner::Draft(&id),
                        requirement: &a.requirement,
                        sha256: &a.sha256,
                        size: a.size,
                        media_type: &a.media_type,
                        file_name: &a.file_name,
                    };
                    attachments::insert(tx, &new, now)?;
                }
                Ok(id)
            })?;
            self.draft_view(&draft_id)
        })
    }
}
