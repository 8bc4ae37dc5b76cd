//! The push step of a sync pass: queued operations go out in batches of at most
//! [`MAX_PUSH_OPERATIONS`], in the order they were queued (per request), once the files they
//! reference are uploaded. Each answer is recorded in one transaction with the state change it
//! causes, so a replay after a crash finds either nothing done or everything done.

use crate::device::error::Result;
use crate::device::store::outbox::{self, OpKind, OpRow};
use crate::device::store::requests::{self, LocalState};
use crate::device::store::uploads;
use crate::device::sync::engine::{Engine, Stop};
use crate::device::sync::http_api::Failure;
use crate::device::sync::progress::SyncStep;
use crate::now_ms;
use crate::protocol::{
    MAX_PUSH_OPERATIONS, Operation, OperationOutcome, OperationResult, PushRequest, PushResponse,
    RequestState,
};
use crate::report::{Finding, Issue, Severity};
use rusqlite::{Connection, params};
use std::collections::{BTreeSet, HashSet};

/// Tallies of one batch's answers.
#[derive(Debug, Default)]
struct Tally {
    answered: u32,
    accepted: u32,
    needs_fix: u32,
    conflicts: u32,
    /// Operations refused because the device's catalog is outdated: (request id, server version).
    outdated: Vec<(String, String)>,
}

impl Engine<'_> {
    /// Pushes every sendable operation of the account.
    pub(crate) fn push_all(&mut self, account_id: &str, token: &str) -> Result<(), Stop> {
        loop {
            self.check_cancel()?;
            let now = now_ms();
            let batch = self.db.write(|tx| take_batch(tx, account_id, now))?;
            if batch.is_empty() {
                return Ok(());
            }
            self.progress.operations_total += u32::try_from(batch.len()).unwrap_or(u32::MAX);
            self.step(SyncStep::Pushing);
            let body = PushRequest {
                operations: batch.iter().filter_map(|o| o.body.clone()).collect(),
            };
            let api = self.api;
            let sent: Result<PushResponse, Stop> =
                self.net(|| api.json("POST", "/v1/sync/push", Some(token), Some(&body)));
            let response = match sent {
                Ok(r) => r,
                Err(Stop::Failure(f)) if f.is_retryable() => {
                    let retry_after = match &f {
                        Failure::Retry { retry_after_ms, .. } => *retry_after_ms,
                        _ => None,
                    };
                    let error = f.describe();
                    let times: Vec<i64> = batch
                        .iter()
                        .map(|o| self.retry_at(o.attempts + 1, retry_after))
                        .collect();
                    self.db.write(|tx| {
                        for (op, at) in batch.iter().zip(times) {
                            outbox::schedule_retry(tx, &op.op_id, at, &error)?;
                        }
                        Ok(())
                    })?;
                    return Err(Stop::Failure(f));
                }
                Err(Stop::Failure(f @ (Failure::Refused { .. } | Failure::Protocol(_)))) => {
                    // The server cannot take this batch as it is; sending it again would loop.
                    self.give_up(&batch, &f)?;
                    continue;
                }
                Err(other) => return Err(other),
            };
            let tally = self.record_results(&batch, &response.results)?;
            self.report.operations_pushed += tally.answered;
            self.report.accepted += tally.accepted;
            self.report.needs_fix += tally.needs_fix;
            self.report.conflicts += tally.conflicts;
            self.progress.operations_pushed += tally.answered;
            self.emit();
            if !tally.outdated.is_empty() {
                self.recheck_outdated(account_id, &tally.outdated)?;
            }
            if tally.answered == 0 {
                // Nothing answered: the server does not follow the protocol; do not spin.
                return Err(Stop::Failure(Failure::Protocol(
                    "push answered none of the operations".to_string(),
                )));
            }
        }
    }

    fn record_results(
        &mut self,
        batch: &[OpRow],
        results: &[OperationResult],
    ) -> Result<Tally, Stop> {
        let catalog = self.catalog();
        let now = now_ms();
        let retry_times: Vec<i64> = batch
            .iter()
            .map(|o| self.retry_at(o.attempts + 1, None))
            .collect();
        let tally = self.db.write(|tx| {
            let mut tally = Tally::default();
            let mut answered: HashSet<&str> = HashSet::new();
            for result in results {
                let Some(op) = batch.iter().find(|o| o.op_id == result.op_id) else {
                    continue;
                };
                if !answered.insert(op.op_id.as_str()) {
                    continue;
                }
                tally.answered += 1;
                let result_json = serde_json::to_string(result)?;
                match &result.outcome {
                    OperationOutcome::Accepted {
                        request_id,
                        tracking_code,
                        state,
                    } => {
                        tally.accepted += 1;
                        apply_accepted(tx, op, request_id, tracking_code, *state, now)?;
                        outbox::finish(tx, &op.op_id, false, &result_json, None)?;
                    }
                    OperationOutcome::Rejected { issues } => {
                        outbox::finish(tx, &op.op_id, false, &result_json, Some("rejected"))?;
                        if op.kind == OpKind::Cancel {
                            tally.conflicts += 1;
                            requests::add_history(
                                tx,
                                &op.request_id,
                                current_state(tx, &op.request_id)?,
                                now,
                                Some("request.not_cancellable"),
                            )?;
                        } else {
                            tally.needs_fix += 1;
                            requests::mark_needs_fix(
                                tx,
                                &op.request_id,
                                issues,
                                "draft.invalid",
                                now,
                            )?;
                        }
                    }
                    OperationOutcome::Conflict {
                        code,
                        state,
                        message_id,
                        message_en,
                    } => {
                        tally.conflicts += 1;
                        outbox::finish(tx, &op.op_id, false, &result_json, Some(code))?;
                        match (op.kind, state) {
                            (OpKind::Submit, _) | (OpKind::Revise, None) => {
                                tally.needs_fix += 1;
                                let issue = Issue {
                                    field: None,
                                    code: code.clone(),
                                    severity: Severity::Error,
                                    message_id: message_id.clone(),
                                    message_en: message_en.clone(),
                                    params: Default::default(),
                                };
                                requests::mark_needs_fix(tx, &op.request_id, &[issue], code, now)?;
                            }
                            (_, Some(s)) => apply_server_state(tx, &op.request_id, *s, code, now)?,
                            (OpKind::Cancel, None) => {
                                let shown = current_state(tx, &op.request_id)?;
                                requests::add_history(tx, &op.request_id, shown, now, Some(code))?;
                            }
                        }
                    }
                    OperationOutcome::CatalogOutdated { current_version } => {
                        outbox::finish(
                            tx,
                            &op.op_id,
                            false,
                            &result_json,
                            Some("catalog.outdated"),
                        )?;
                        let finding = Finding::error("catalog.outdated")
                            .with("version", current_version.clone());
                        let issue = catalog.issue(None, &finding);
                        if op.kind == OpKind::Cancel {
                            tally.conflicts += 1;
                        } else {
                            tally.needs_fix += 1;
                            requests::mark_needs_fix(
                                tx,
                                &op.request_id,
                                &[issue],
                                "catalog.outdated",
                                now,
                            )?;
                            tally
                                .outdated
                                .push((op.request_id.clone(), current_version.clone()));
                        }
                    }
                }
            }
            for (op, at) in batch.iter().zip(retry_times) {
                if !answered.contains(op.op_id.as_str()) {
                    outbox::schedule_retry(tx, &op.op_id, at, "no result in the push answer")?;
                }
            }
            Ok(tally)
        })?;
        Ok(tally)
    }

    /// After `catalog_outdated`: installs the server's catalog and lists what the form now
    /// lacks under it, so the person sees what to fix.
    fn recheck_outdated(
        &mut self,
        account_id: &str,
        outdated: &[(String, String)],
    ) -> Result<(), Stop> {
        match self.refresh_catalog() {
            Ok(updated) => self.report.catalog_updated |= updated,
            Err(Stop::Failure(f)) if !f.is_retryable() => self.report.problems.push(f.describe()),
            Err(other) => return Err(other),
        }
        let catalog = self.catalog();
        self.db.write(|tx| {
            for (request_id, version) in outdated {
                let Some(row) = requests::get(tx, account_id, request_id)? else {
                    continue;
                };
                let Some(payload) = row.payload else { continue };
                let attached: BTreeSet<String> = payload
                    .attachments
                    .iter()
                    .map(|a| a.requirement.clone())
                    .collect();
                let finding = Finding::error("catalog.outdated").with("version", version.clone());
                let mut issues = vec![catalog.issue(None, &finding)];
                if let Ok(report) = crate::device::drafts::validate_form(
                    &catalog,
                    &payload.service,
                    &payload.values,
                    &attached,
                ) {
                    issues.extend(
                        report
                            .issues
                            .into_iter()
                            .filter(|i| i.severity == Severity::Error),
                    );
                }
                tx.execute(
                    "UPDATE requests SET issues_json = ?2 WHERE id = ?1 AND needs_fix = 1",
                    params![request_id, serde_json::to_string(&issues)?],
                )?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Marks a batch the server will never take as failed, each request needing a fix.
    fn give_up(&mut self, batch: &[OpRow], failure: &Failure) -> Result<(), Stop> {
        let catalog = self.catalog();
        let description = failure.describe();
        self.report.problems.push(description.clone());
        let issue = catalog.issue(None, &Finding::error("sync.protocol"));
        let now = now_ms();
        self.db.write(|tx| {
            for op in batch {
                outbox::finish(tx, &op.op_id, true, "{}", Some(&description))?;
                if op.kind != OpKind::Cancel {
                    requests::mark_needs_fix(
                        tx,
                        &op.request_id,
                        std::slice::from_ref(&issue),
                        "sync.protocol",
                        now,
                    )?;
                }
            }
            Ok(())
        })?;
        self.report.needs_fix += u32::try_from(batch.len()).unwrap_or(u32::MAX);
        Ok(())
    }
}

/// Picks the next batch: due operations whose files are uploaded (a cancel once the server id
/// is known), keeping each request's operations in order. Counts an attempt for each and
/// moves their requests to `pushed` before anything goes on the wire.
fn take_batch(conn: &Connection, account_id: &str, now: i64) -> Result<Vec<OpRow>> {
    let mut batch = Vec::new();
    let mut blocked: HashSet<String> = HashSet::new();
    for mut op in outbox::pending(conn, account_id)? {
        if batch.len() >= MAX_PUSH_OPERATIONS {
            break;
        }
        if blocked.contains(&op.request_id) {
            continue;
        }
        let sendable = op.next_attempt_ms <= now
            && match op.kind {
                OpKind::Submit | OpKind::Revise => match &op.body {
                    Some(Operation::Submit { request, .. })
                    | Some(Operation::Revise { request, .. }) => {
                        let mut all = true;
                        for a in &request.attachments {
                            all &= uploads::is_done(conn, account_id, &a.sha256)?;
                        }
                        all
                    }
                    _ => false,
                },
                OpKind::Cancel => {
                    if op.body.is_none() {
                        let server_id: Option<String> = conn.query_row(
                            "SELECT server_id FROM requests WHERE id = ?1",
                            params![op.request_id],
                            |r| r.get(0),
                        )?;
                        if let Some(server_id) = server_id {
                            let body = Operation::Cancel {
                                op_id: op.op_id.clone(),
                                request_id: server_id,
                            };
                            outbox::set_body(conn, &op.op_id, &body)?;
                            op.body = Some(body);
                        }
                    }
                    op.body.is_some()
                }
            };
        if !sendable {
            blocked.insert(op.request_id.clone());
            continue;
        }
        outbox::begin_attempt(conn, &op.op_id)?;
        if op.kind != OpKind::Cancel {
            let state = current_state(conn, &op.request_id)?;
            if matches!(state, LocalState::Queued | LocalState::Uploading) {
                requests::set_state(conn, &op.request_id, LocalState::Pushed, now, None)?;
            }
        }
        batch.push(op);
    }
    Ok(batch)
}

fn current_state(conn: &Connection, request_id: &str) -> Result<LocalState> {
    let code: String = conn.query_row(
        "SELECT state FROM requests WHERE id = ?1",
        params![request_id],
        |r| r.get(0),
    )?;
    Ok(LocalState::from_code(&code))
}

/// Records an acceptance. When the feed already brought newer news of the request than the
/// operation (a lost answer replayed after a crash), the feed's state wins.
fn apply_accepted(
    conn: &Connection,
    op: &OpRow,
    server_id: &str,
    tracking_code: &str,
    outcome_state: RequestState,
    now: i64,
) -> Result<()> {
    let (last_seq, server_state): (Option<i64>, Option<String>) = conn.query_row(
        "SELECT last_seq, server_state FROM requests WHERE id = ?1",
        params![op.request_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let feed_is_newer = match (last_seq, op.base_seq) {
        (Some(last), Some(base)) => last > base,
        (Some(_), None) => true,
        _ => false,
    };
    let feed_state = server_state.as_deref().and_then(RequestState::from_code);
    let state = match (feed_is_newer, feed_state) {
        (true, Some(s)) => s,
        _ => {
            conn.execute(
                "UPDATE requests SET server_state = ?2 WHERE id = ?1",
                params![op.request_id, outcome_state.code()],
            )?;
            outcome_state
        }
    };
    requests::mark_accepted(
        conn,
        &op.request_id,
        server_id,
        tracking_code,
        state.into(),
        now,
    )
}

/// A conflict named the request's real state on the server: show it.
fn apply_server_state(
    conn: &Connection,
    request_id: &str,
    state: RequestState,
    code: &str,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE requests SET server_state = ?2 WHERE id = ?1",
        params![request_id, state.code()],
    )?;
    if !outbox::send_pending(conn, request_id)? {
        requests::set_state(conn, request_id, state.into(), now, Some(code))?;
    }
    Ok(())
}
