//! Storage side of `POST /v1/sync/push`: applies a batch of operations in ONE transaction,
//! with the idempotency key checked and recorded in that same transaction, so a replay returns
//! the stored outcome and a concurrent duplicate can never apply twice (the writer lock
//! serialises batches and `(user_id, op_id)` is a primary key).
//!
//! Only operations that changed something (accepted) are recorded: a rejected, conflicting or
//! outdated operation applied nothing, so evaluating it again is just as idempotent, and it lets
//! a client retry the same `op_id` once the missing attachment finished uploading.

use crate::store::requests::{Scope, insert_event, visible_request};
use crate::store::uploads::owned_blob_size;
use crate::store::{Db, DbError, new_id};
use crate::{tracking, workflow};
use ceria_core::Issue;
use ceria_core::protocol::{Operation, OperationOutcome, RequestPayload, RequestState, UserInfo};
use rusqlite::{OptionalExtension, Transaction, params};

/// What the payload check (done before the transaction, it needs no database) concluded.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    /// Valid under the server catalog (or nothing to validate: cancel).
    Valid,
    /// Errors to fix.
    Invalid(Vec<Issue>),
    /// Invalid, and the device validated against an older catalog: the current version.
    Outdated(String),
}

/// An operation ready to apply.
#[derive(Debug, Clone)]
pub(crate) struct PreparedOp {
    /// The operation.
    pub op: Operation,
    /// SHA-256 of its canonical JSON, to tell a replay from a reused key.
    pub hash: String,
    /// The payload check.
    pub verdict: Verdict,
}

/// What applying one operation did, before it is worded for the client.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Applied {
    /// Accepted now, or the stored outcome of an earlier identical operation.
    Done(OperationOutcome),
    /// The key was used before with a different payload.
    KeyReused,
    /// The request does not exist or is not visible to the caller.
    NotFound,
    /// A revision of a request that is not `returned`.
    NotReturned(RequestState),
    /// A cancel in a state that does not allow it.
    Illegal {
        /// Current state.
        from: RequestState,
        /// Wanted state.
        to: RequestState,
    },
    /// A revision that changes the service.
    ServiceChanged {
        /// The service of the stored request.
        service: String,
    },
    /// Attachments (requirement ids) whose files are not completely uploaded by the caller.
    MissingAttachments(Vec<String>),
    /// The payload check's errors.
    Invalid(Vec<Issue>),
    /// The payload check's outdated verdict.
    Outdated(String),
    /// The submitter filed `max` requests of this service for this person in the last day.
    QuotaReached {
        /// The limit.
        max: u32,
    },
    /// A revision names another person than the request is for.
    PersonChanged,
}

/// Limits of what one account may file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PushLimits {
    /// Requests per service, per person, per submitting account in [`DAY_MS`].
    pub max_requests_per_day: u32,
}

/// The quota window: 24 hours.
const DAY_MS: i64 = 24 * 3600 * 1000;

/// Whether `caller` already filed `limits.max_requests_per_day` requests of `service` for
/// `citizen` in the last day (an idempotent replay never gets here).
fn quota_reached(
    tx: &Transaction<'_>,
    caller: &UserInfo,
    citizen: &str,
    service: &str,
    limits: &PushLimits,
    now: i64,
) -> Result<bool, DbError> {
    let filed: i64 = tx
        .prepare_cached(
            "SELECT count(*) FROM requests WHERE submitted_by = ?1 AND citizen_nik = ?2
               AND service = ?3 AND created_ms > ?4",
        )?
        .query_row(
            params![caller.id, citizen, service, now.saturating_sub(DAY_MS)],
            |r| r.get(0),
        )?;
    Ok(filed >= i64::from(limits.max_requests_per_day))
}

/// The person a payload is for: `on_behalf_of` (already normalised to digits), or the
/// citizen filing for themself.
fn person_of(caller: &UserInfo, payload: &RequestPayload) -> String {
    payload
        .on_behalf_of
        .clone()
        .unwrap_or_else(|| caller.username.clone())
}

fn stored_outcome(
    tx: &Transaction<'_>,
    user_id: &str,
    op: &PreparedOp,
) -> Result<Option<Applied>, DbError> {
    let row: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT payload_hash, outcome FROM operations WHERE user_id = ?1 AND op_id = ?2",
        )?
        .query_row(params![user_id, op.op.op_id()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    Ok(match row {
        None => None,
        Some((hash, _)) if hash != op.hash => Some(Applied::KeyReused),
        Some((_, outcome)) => Some(Applied::Done(serde_json::from_str(&outcome)?)),
    })
}

fn record(
    tx: &Transaction<'_>,
    user_id: &str,
    op: &PreparedOp,
    outcome: &OperationOutcome,
    now: i64,
) -> Result<(), DbError> {
    tx.prepare_cached(
        "INSERT INTO operations (user_id, op_id, payload_hash, outcome, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![user_id, op.op.op_id(), op.hash, serde_json::to_string(outcome)?, now])?;
    Ok(())
}

fn missing_attachments(
    tx: &Transaction<'_>,
    owner_id: &str,
    payload: &RequestPayload,
) -> Result<Vec<String>, DbError> {
    let mut missing = Vec::new();
    for a in &payload.attachments {
        let size = owned_blob_size(tx, owner_id, &a.sha256.to_ascii_lowercase())?;
        if size != Some(a.size) && !missing.contains(&a.requirement) {
            missing.push(a.requirement.clone());
        }
    }
    Ok(missing)
}

fn store_attachments(
    tx: &Transaction<'_>,
    request_id: &str,
    payload: &RequestPayload,
) -> Result<(), DbError> {
    tx.prepare_cached("DELETE FROM request_attachments WHERE request_id = ?1")?
        .execute([request_id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO request_attachments (request_id, requirement, sha256, size, media_type)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    )?;
    for a in &payload.attachments {
        let size = i64::try_from(a.size).map_err(|_| DbError::Corrupt("attachment size".into()))?;
        stmt.execute(params![
            request_id,
            a.requirement,
            a.sha256.to_ascii_lowercase(),
            size,
            a.media_type
        ])?;
    }
    Ok(())
}

fn unused_tracking_code(tx: &Transaction<'_>) -> Result<String, DbError> {
    let mut rng = rand::rng();
    let mut stmt = tx.prepare_cached("SELECT 1 FROM requests WHERE tracking_code = ?1")?;
    loop {
        let code = tracking::generate(&mut rng);
        if stmt
            .query_row([&code], |r| r.get::<_, i64>(0))
            .optional()?
            .is_none()
        {
            return Ok(code);
        }
    }
}

fn verdict_block(v: &Verdict) -> Option<Applied> {
    match v {
        Verdict::Valid => None,
        Verdict::Invalid(issues) => Some(Applied::Invalid(issues.clone())),
        Verdict::Outdated(version) => Some(Applied::Outdated(version.clone())),
    }
}

fn apply_one(
    tx: &Transaction<'_>,
    caller: &UserInfo,
    scope: &Scope,
    op: &PreparedOp,
    limits: &PushLimits,
    now: i64,
) -> Result<Applied, DbError> {
    if let Some(replayed) = stored_outcome(tx, &caller.id, op)? {
        return Ok(replayed);
    }
    let outcome = match &op.op {
        Operation::Submit {
            local_id, request, ..
        } => {
            if let Some(blocked) = verdict_block(&op.verdict) {
                return Ok(blocked);
            }
            let missing = missing_attachments(tx, &caller.id, request)?;
            if !missing.is_empty() {
                return Ok(Applied::MissingAttachments(missing));
            }
            let citizen = person_of(caller, request);
            if quota_reached(tx, caller, &citizen, &request.service, limits, now)? {
                return Ok(Applied::QuotaReached {
                    max: limits.max_requests_per_day,
                });
            }
            let id = new_id();
            let code = unused_tracking_code(tx)?;
            tx.prepare_cached(
                "INSERT INTO requests (id, tracking_code, local_id, service, village, citizen_nik,
                    submitted_by, state, catalog_version, payload, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'submitted', ?8, ?9, ?10, ?10)",
            )?
            .execute(params![
                id,
                code,
                local_id,
                request.service,
                request.village,
                citizen,
                caller.id,
                request.catalog_version,
                serde_json::to_string(request)?,
                now
            ])?;
            store_attachments(tx, &id, request)?;
            insert_event(
                tx,
                &id,
                &caller.id,
                None,
                RequestState::Submitted,
                now,
                None,
                &[],
                None,
            )?;
            OperationOutcome::Accepted {
                request_id: id,
                tracking_code: code,
                state: RequestState::Submitted,
            }
        }
        Operation::Revise {
            request_id,
            request,
            ..
        } => {
            let Some(current) = visible_request(tx, request_id, scope)? else {
                return Ok(Applied::NotFound);
            };
            if !workflow::can_revise(current.state) {
                return Ok(Applied::NotReturned(current.state));
            }
            if current.service != request.service {
                return Ok(Applied::ServiceChanged {
                    service: current.service,
                });
            }
            if let Some(blocked) = verdict_block(&op.verdict) {
                return Ok(blocked);
            }
            if person_of(caller, request) != current.citizen_nik {
                return Ok(Applied::PersonChanged);
            }
            let missing = missing_attachments(tx, &caller.id, request)?;
            if !missing.is_empty() {
                return Ok(Applied::MissingAttachments(missing));
            }
            tx.prepare_cached(
                "UPDATE requests SET payload = ?2, village = ?3, catalog_version = ?4,
                    state = 'submitted', updated_ms = ?5 WHERE id = ?1",
            )?
            .execute(params![
                request_id,
                serde_json::to_string(request)?,
                request.village,
                request.catalog_version,
                now
            ])?;
            store_attachments(tx, request_id, request)?;
            insert_event(
                tx,
                request_id,
                &caller.id,
                Some(RequestState::Returned),
                RequestState::Submitted,
                now,
                None,
                &[],
                None,
            )?;
            OperationOutcome::Accepted {
                request_id: request_id.clone(),
                tracking_code: current.tracking_code,
                state: RequestState::Submitted,
            }
        }
        Operation::Cancel { request_id, .. } => {
            let Some(current) = visible_request(tx, request_id, scope)? else {
                return Ok(Applied::NotFound);
            };
            if !workflow::can_cancel(current.state) {
                return Ok(Applied::Illegal {
                    from: current.state,
                    to: RequestState::Cancelled,
                });
            }
            tx.prepare_cached(
                "UPDATE requests SET state = 'cancelled', updated_ms = ?2 WHERE id = ?1",
            )?
            .execute(params![request_id, now])?;
            insert_event(
                tx,
                request_id,
                &caller.id,
                Some(current.state),
                RequestState::Cancelled,
                now,
                None,
                &[],
                None,
            )?;
            OperationOutcome::Accepted {
                request_id: request_id.clone(),
                tracking_code: current.tracking_code,
                state: RequestState::Cancelled,
            }
        }
    };
    record(tx, &caller.id, op, &outcome, now)?;
    Ok(Applied::Done(outcome))
}

impl Db {
    /// Applies a push for `caller`, all operations in one transaction, in order.
    pub(crate) fn apply_push(
        &self,
        caller: &UserInfo,
        ops: &[PreparedOp],
        limits: &PushLimits,
        now: i64,
    ) -> Result<Vec<Applied>, DbError> {
        let scope = Scope::of(caller);
        self.write(|tx| {
            ops.iter()
                .map(|op| apply_one(tx, caller, &scope, op, limits, now))
                .collect()
        })
    }
}
