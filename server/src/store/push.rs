//! Storage side of `POST /v1/sync/push`: applies a batch of operations in ONE transaction,
//! with the idempotency key checked and recorded in that same transaction, so a replay returns
//! the stored outcome and a concurrent duplicate can never apply twice: the batches of one
//! account run one after the other (SQLite's writer lock; on PostgreSQL the account's lock,
//! taken first, also by another instance), and `(user_id, op_id)` is a primary key (a
//! duplicate that still raced in is run again and replays the stored outcome).
//!
//! Only operations that changed something (accepted) are recorded: a rejected, conflicting or
//! outdated operation applied nothing, so evaluating it again is just as idempotent, and it lets
//! a client retry the same `op_id` once the missing attachment finished uploading.

use super::sql::{Conn, ToValue};
use crate::store::requests::{Scope, insert_event, request_lock, visible_request};
use crate::store::uploads::owned_blob_sizes;
use crate::store::{Db, DbError, new_id};
use crate::{tracking, workflow};
use ceria_core::Issue;
use ceria_core::protocol::{Operation, OperationOutcome, RequestPayload, RequestState, UserInfo};

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
    tx: &Conn<'_>,
    caller: &UserInfo,
    citizen: &str,
    service: &str,
    limits: &PushLimits,
    now: i64,
) -> Result<bool, DbError> {
    // Counted up to the limit only: the check costs the same however many the account filed.
    let filed: i64 = tx.query_row(
        "SELECT count(*) FROM (SELECT 1 FROM requests WHERE submitted_by = ?1
           AND citizen_nik = ?2 AND service = ?3 AND created_ms > ?4 LIMIT ?5) AS recent",
        &[
            &caller.id,
            &citizen,
            &service,
            &now.saturating_sub(DAY_MS),
            &limits.max_requests_per_day,
        ],
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
    tx: &Conn<'_>,
    user_id: &str,
    op: &PreparedOp,
) -> Result<Option<Applied>, DbError> {
    let row: Option<(String, String)> = tx.query_opt(
        "SELECT payload_hash, outcome FROM operations WHERE user_id = ?1 AND op_id = ?2",
        &[&user_id, &op.op.op_id()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(match row {
        None => None,
        Some((hash, _)) if hash != op.hash => Some(Applied::KeyReused),
        Some((_, outcome)) => Some(Applied::Done(serde_json::from_str(&outcome)?)),
    })
}

fn record(
    tx: &Conn<'_>,
    user_id: &str,
    op: &PreparedOp,
    outcome: &OperationOutcome,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO operations (user_id, op_id, payload_hash, outcome, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[&user_id, &op.op.op_id(), &op.hash, &serde_json::to_string(outcome)?, &now],
    )?;
    Ok(())
}

/// The attachments (requirement ids) of `payload` whose files `owner_id` has not completely
/// uploaded and that the request being revised, `kept_from`, does not already have. A
/// revision may keep the files already attached, whoever uploaded them: a citizen revising
/// what their nagari operator filed for them keeps the operator's scans (the reviewer asked
/// for one change, not for every file again).
fn missing_attachments(
    tx: &Conn<'_>,
    owner_id: &str,
    payload: &RequestPayload,
    kept_from: Option<&str>,
) -> Result<Vec<String>, DbError> {
    let sha256s: Vec<String> = payload
        .attachments
        .iter()
        .map(|a| a.sha256.to_ascii_lowercase())
        .collect();
    let refs: Vec<&str> = sha256s.iter().map(String::as_str).collect();
    let mut sizes = owned_blob_sizes(tx, owner_id, &refs)?;
    if let Some(request_id) = kept_from {
        let attached = tx.query_map(
            "SELECT sha256, size FROM request_attachments WHERE request_id = ?1",
            &[&request_id],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?.max(0) as u64)),
        )?;
        sizes.extend(attached);
    }
    let mut missing = Vec::new();
    for (a, sha256) in payload.attachments.iter().zip(&sha256s) {
        if sizes.get(sha256) != Some(&a.size) && !missing.contains(&a.requirement) {
            missing.push(a.requirement.clone());
        }
    }
    Ok(missing)
}

/// Stores the attachment list of a request (replacing the one a revision had), in one
/// statement.
fn store_attachments(
    tx: &Conn<'_>,
    request_id: &str,
    payload: &RequestPayload,
    replace: bool,
) -> Result<(), DbError> {
    if replace {
        tx.execute(
            "DELETE FROM request_attachments WHERE request_id = ?1",
            &[&request_id],
        )?;
    }
    if payload.attachments.is_empty() {
        return Ok(());
    }
    let rows: Vec<(String, i64)> = payload
        .attachments
        .iter()
        .map(|a| {
            let size =
                i64::try_from(a.size).map_err(|_| DbError::Corrupt("attachment size".into()))?;
            Ok((a.sha256.to_ascii_lowercase(), size))
        })
        .collect::<Result<_, DbError>>()?;
    let mut params: Vec<&dyn ToValue> = vec![&request_id];
    let mut values = Vec::with_capacity(rows.len());
    for (a, (sha256, size)) in payload.attachments.iter().zip(&rows) {
        let n = params.len();
        values.push(format!(
            "(?1, ?{}, ?{}, ?{}, ?{})",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ));
        params.extend([&a.requirement as &dyn ToValue, sha256, size, &a.media_type]);
    }
    tx.execute(
        &format!(
            "INSERT INTO request_attachments (request_id, requirement, sha256, size, media_type)
             VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        ),
        &params,
    )?;
    Ok(())
}

/// A status change of the feed, appended once every operation of the batch ran: appending
/// takes the feed lock on PostgreSQL, held until commit, so it comes last.
struct FeedEntry {
    request_id: String,
    from: Option<RequestState>,
    to: RequestState,
}

fn verdict_block(v: &Verdict) -> Option<Applied> {
    match v {
        Verdict::Valid => None,
        Verdict::Invalid(issues) => Some(Applied::Invalid(issues.clone())),
        Verdict::Outdated(version) => Some(Applied::Outdated(version.clone())),
    }
}

fn apply_one(
    tx: &Conn<'_>,
    caller: &UserInfo,
    scope: &Scope,
    op: &PreparedOp,
    limits: &PushLimits,
    now: i64,
    feed: &mut Vec<FeedEntry>,
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
            let missing = missing_attachments(tx, &caller.id, request, None)?;
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
            let payload = serde_json::to_string(request)?;
            let mut rng = rand::rng();
            // A receipt code no request has: drawn again in the rare case it is taken (also
            // by a concurrent transaction, which the unique index makes wait), without a
            // separate lookup.
            let code = loop {
                let code = tracking::generate(&mut rng);
                let stored = tx.query_opt(
                    "INSERT INTO requests (id, tracking_code, local_id, service, village,
                        citizen_nik, submitted_by, state, catalog_version, payload, created_ms,
                        updated_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'submitted', ?8, ?9, ?10, ?10)
                     ON CONFLICT (tracking_code) DO NOTHING RETURNING id",
                    &[
                        &id,
                        &code,
                        local_id,
                        &request.service,
                        &request.village,
                        &citizen,
                        &caller.id,
                        &request.catalog_version,
                        &payload,
                        &now,
                    ],
                    |r| r.get::<String>(0),
                )?;
                if stored.is_some() {
                    break code;
                }
            };
            store_attachments(tx, &id, request, false)?;
            feed.push(FeedEntry {
                request_id: id.clone(),
                from: None,
                to: RequestState::Submitted,
            });
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
            let missing = missing_attachments(tx, &caller.id, request, Some(request_id))?;
            if !missing.is_empty() {
                return Ok(Applied::MissingAttachments(missing));
            }
            tx.execute(
                "UPDATE requests SET payload = ?2, village = ?3, catalog_version = ?4,
                    state = 'submitted', updated_ms = ?5 WHERE id = ?1",
                &[
                    request_id,
                    &serde_json::to_string(request)?,
                    &request.village,
                    &request.catalog_version,
                    &now,
                ],
            )?;
            store_attachments(tx, request_id, request, true)?;
            feed.push(FeedEntry {
                request_id: request_id.clone(),
                from: Some(RequestState::Returned),
                to: RequestState::Submitted,
            });
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
            tx.execute(
                "UPDATE requests SET state = 'cancelled', updated_ms = ?2 WHERE id = ?1",
                &[request_id, &now],
            )?;
            feed.push(FeedEntry {
                request_id: request_id.clone(),
                from: Some(current.state),
                to: RequestState::Cancelled,
            });
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
        // The requests the batch changes, locked in one order after the account (and before
        // the feed) so that concurrent batches and reviews wait rather than deadlock.
        let mut touched: Vec<&str> = ops
            .iter()
            .filter_map(|op| match &op.op {
                Operation::Submit { .. } => None,
                Operation::Revise { request_id, .. } | Operation::Cancel { request_id, .. } => {
                    Some(request_id.as_str())
                }
            })
            .collect();
        touched.sort_unstable();
        touched.dedup();
        self.write(|tx| {
            tx.lock(&format!("push:{}", caller.id))?;
            for id in &touched {
                tx.lock(&request_lock(id))?;
            }
            let mut feed = Vec::new();
            let applied = ops
                .iter()
                .map(|op| apply_one(tx, caller, &scope, op, limits, now, &mut feed))
                .collect::<Result<Vec<_>, _>>()?;
            for e in &feed {
                insert_event(
                    tx,
                    &e.request_id,
                    &caller.id,
                    e.from,
                    e.to,
                    now,
                    None,
                    &[],
                    None,
                )?;
            }
            Ok(applied)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::requests::TransitionResult;
    use crate::store::testing::{accepted_id, account, store_test, submission, verify};
    use ceria_core::protocol::{AttachmentRef, Role};

    const LIMITS: PushLimits = PushLimits {
        max_requests_per_day: 10,
    };
    const VILLAGE: &str = "13.05.01.2001";
    const NIK: &str = "1305015107900001";

    /// A completed upload of `sha256` (`size` bytes) by `owner_id`.
    fn uploaded(db: &Db, owner_id: &str, sha256: &str, size: i64) {
        db.write(|tx| {
            tx.execute(
                "INSERT INTO blobs (sha256, size, created_ms) VALUES (?1, ?2, 1)
                 ON CONFLICT (sha256) DO NOTHING",
                &[&sha256, &size],
            )?;
            tx.execute(
                "INSERT INTO uploads (id, owner_id, length, upload_offset, metadata, sha256,
                    created_ms, expires_ms, completed_ms)
                 VALUES (?1, ?2, ?3, ?3, '', ?4, 1, 9999999999999, 1)",
                &[&new_id(), &owner_id, &size, &sha256],
            )
        })
        .unwrap();
    }

    fn with_file(mut op: PreparedOp, sha256: &str, size: u64) -> PreparedOp {
        if let Operation::Submit { request, .. } | Operation::Revise { request, .. } = &mut op.op {
            request.attachments = vec![AttachmentRef {
                requirement: "kk".into(),
                sha256: sha256.into(),
                size,
                media_type: "image/jpeg".into(),
            }];
        }
        op
    }

    fn revision(op_id: &str, request_id: &str, sha256: &str, size: u64) -> PreparedOp {
        let Operation::Submit { request, .. } = submission(op_id, VILLAGE, None).op else {
            unreachable!("a submission")
        };
        let op = PreparedOp {
            op: Operation::Revise {
                op_id: op_id.into(),
                request_id: request_id.into(),
                request,
            },
            hash: format!("hash-{op_id}"),
            verdict: Verdict::Valid,
        };
        with_file(op, sha256, size)
    }

    store_test!(
        a_revision_keeps_files_already_attached_whoever_uploaded_them,
        |db| {
            let operator = account(db, "operator.v1", Role::Operator, Some(VILLAGE));
            let citizen = account(db, NIK, Role::Citizen, None);
            let officer = account(db, "officer", Role::Officer, None);
            let (scan, other) = ("a".repeat(64), "b".repeat(64));
            uploaded(db, &operator.id, &scan, 2_000);
            uploaded(db, &operator.id, &other, 3_000);
            // The operator files for her, with their scan, and the request is returned.
            let filed = with_file(submission("filed", VILLAGE, Some(NIK)), &scan, 2_000);
            let id = accepted_id(&db.apply_push(&operator, &[filed], &LIMITS, 1).unwrap()[0]);
            let returned = db
                .transition(
                    &id,
                    &Scope::All,
                    &officer.id,
                    RequestState::Returned,
                    Some("Perbaiki nama"),
                    &[],
                    None,
                    2,
                    |_| Ok::<(), ()>(()),
                )
                .unwrap();
            assert!(matches!(returned, TransitionResult::Applied(_)));
            verify(db, &citizen.id, &operator.id);

            // A file of the operator's that the request does not have is still not hers to use.
            let foreign = db
                .apply_push(&citizen, &[revision("r1", &id, &other, 3_000)], &LIMITS, 3)
                .unwrap();
            assert_eq!(foreign[0], Applied::MissingAttachments(vec!["kk".into()]));
            // The wrong size of the attached file neither.
            let resized = db
                .apply_push(&citizen, &[revision("r2", &id, &scan, 2_001)], &LIMITS, 3)
                .unwrap();
            assert_eq!(resized[0], Applied::MissingAttachments(vec!["kk".into()]));
            // Keeping the scan already attached is accepted.
            let kept = db
                .apply_push(&citizen, &[revision("r3", &id, &scan, 2_000)], &LIMITS, 3)
                .unwrap();
            assert!(
                matches!(&kept[0], Applied::Done(OperationOutcome::Accepted { state, .. })
                if *state == RequestState::Submitted),
                "{kept:?}"
            );
        }
    );
}
