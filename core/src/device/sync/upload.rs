//! The upload step of a sync pass and its records: one tus upload per distinct file content
//! and account, its URL recorded before the first PATCH and its confirmed offset after each
//! chunk. After any break the server's offset (HEAD) is the truth, so a dropped connection
//! costs at most the chunk in flight.

use crate::device::error::Result;
use crate::device::store::outbox;
use crate::device::store::requests::{self, LocalState};
use crate::device::sync::engine::{Engine, Stop};
use crate::device::sync::http_api::Failure;
use crate::device::sync::progress::SyncStep;
use crate::device::sync::tus::{PatchOutcome, TusClient};
use crate::now_ms;
use crate::report::{Finding, Issue};
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

fn set_url(conn: &Connection, account_id: &str, sha256: &str, url: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET url = ?3, confirmed = 0 WHERE account_id = ?1 AND sha256 = ?2",
        params![account_id, sha256, url],
    )?;
    Ok(())
}

fn set_confirmed(conn: &Connection, account_id: &str, sha256: &str, offset: u64) -> Result<()> {
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

fn mark_done(conn: &Connection, account_id: &str, sha256: &str) -> Result<()> {
    conn.execute(
        "UPDATE uploads SET done = 1, confirmed = size, last_error = NULL WHERE account_id = ?1 AND sha256 = ?2",
        params![account_id, sha256],
    )?;
    Ok(())
}

fn schedule_retry(
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

/// How one file's upload ended.
enum UploadEnd {
    Done,
    /// Refused for good: the requests using the file need fixing.
    Failed(Finding),
}

/// Most times one file may start over (expired upload, whole-file checksum) in one pass.
const MAX_RESTARTS: u32 = 3;

impl Engine<'_> {
    /// Uploads every file a pending operation of the account needs.
    pub(crate) fn upload_all(&mut self, account_id: &str, token: &str) -> Result<(), Stop> {
        let now = now_ms();
        let due: Vec<UploadRow> = self
            .db
            .read(|c| needed(c, account_id))?
            .into_iter()
            .filter(|u| u.next_attempt_ms <= now)
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        self.progress.bytes_total += due.iter().map(|u| u.size).sum::<u64>();
        self.db.write(|tx| mark_uploading(tx, account_id, now))?;
        self.step(SyncStep::Uploading);
        for row in due {
            self.check_cancel()?;
            match self.upload_one(account_id, token, &row) {
                Ok(UploadEnd::Done) => {
                    self.report.files_uploaded += 1;
                    self.db.write(|tx| mark_done(tx, account_id, &row.sha256))?;
                }
                Ok(UploadEnd::Failed(finding)) => {
                    self.fail_file(account_id, &row, &finding)?;
                }
                Err(Stop::Failure(f)) if f.is_retryable() => {
                    let retry_after = match &f {
                        Failure::Retry { retry_after_ms, .. } => *retry_after_ms,
                        _ => None,
                    };
                    let at = self.retry_at(row.attempts + 1, retry_after);
                    self.db.write(|tx| {
                        schedule_retry(tx, account_id, &row.sha256, at, &f.describe())
                    })?;
                    return Err(Stop::Failure(f));
                }
                Err(Stop::Failure(Failure::Refused { status: 413, .. })) => {
                    let max = self.catalog().source().limits.max_attachment_bytes;
                    self.fail_file(
                        account_id,
                        &row,
                        &crate::device::store::attachments::too_large(max),
                    )?;
                }
                Err(Stop::Failure(f @ (Failure::Refused { .. } | Failure::Protocol(_)))) => {
                    // Not retried in a loop: reported, and the request asks for a fix.
                    self.report.problems.push(f.describe());
                    let finding = Finding::error("attachment.not_uploaded")
                        .with("attachment", row.file_name.clone());
                    self.fail_file(account_id, &row, &finding)?;
                }
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    fn upload_one(
        &mut self,
        account_id: &str,
        token: &str,
        row: &UploadRow,
    ) -> Result<UploadEnd, Stop> {
        let api = self.api;
        let tus = TusClient::new(api, token);
        let mut url = row.url.clone();
        let mut restarts = 0;
        let mut checksum_failures = 0;
        let mut counted = row.confirmed;
        self.progress.bytes_sent += row.confirmed;
        'upload: loop {
            self.check_cancel()?;
            if restarts > MAX_RESTARTS {
                return Err(Stop::Failure(Failure::Protocol(format!(
                    "upload of {} restarted {restarts} times",
                    row.sha256
                ))));
            }
            let current = match url.clone() {
                Some(u) => u,
                None => {
                    // The copy is what will be sent: a damaged one must not reach the registry.
                    if !self.files.verify(&row.sha256)? {
                        return Ok(UploadEnd::Failed(
                            Finding::error("attachment.not_uploaded")
                                .with("attachment", row.file_name.clone()),
                        ));
                    }
                    let created = self.net(|| {
                        tus.create(row.size, &row.sha256, &row.media_type, &row.file_name)
                    })?;
                    self.db
                        .write(|tx| set_url(tx, account_id, &row.sha256, Some(&created)))?;
                    created
                }
            };
            let Some(mut offset) = self.net(|| tus.offset(&current))? else {
                restarts += 1;
                url = None;
                self.forget_upload(account_id, row)?;
                continue 'upload;
            };
            if offset > row.size {
                restarts += 1;
                url = None;
                self.forget_upload(account_id, row)?;
                continue 'upload;
            }
            self.confirm(account_id, row, offset, &mut counted)?;
            while offset < row.size {
                self.check_cancel()?;
                let chunk =
                    self.files
                        .read_chunk(&row.sha256, offset, self.config.chunk_size as usize)?;
                let len = chunk.len() as u64;
                if len == 0 {
                    return Ok(UploadEnd::Failed(
                        Finding::error("attachment.not_uploaded")
                            .with("attachment", row.file_name.clone()),
                    ));
                }
                let last = offset + len == row.size;
                match tus.patch(&current, offset, chunk) {
                    Ok(PatchOutcome::Advanced(new)) => {
                        if new <= offset || new > row.size {
                            return Err(Stop::Failure(Failure::Protocol(format!(
                                "tus offset went from {offset} to {new}"
                            ))));
                        }
                        self.strikes_reset();
                        self.report.bytes_uploaded += new - offset;
                        offset = new;
                        self.confirm(account_id, row, offset, &mut counted)?;
                    }
                    Ok(PatchOutcome::OffsetMismatch) => match self.net(|| tus.offset(&current))? {
                        Some(o) if o <= row.size => offset = o,
                        _ => {
                            restarts += 1;
                            url = None;
                            self.forget_upload(account_id, row)?;
                            continue 'upload;
                        }
                    },
                    Ok(PatchOutcome::ChecksumMismatch) => {
                        checksum_failures += 1;
                        if checksum_failures > MAX_RESTARTS {
                            return Ok(UploadEnd::Failed(Finding::error(
                                "upload.checksum_mismatch",
                            )));
                        }
                        if last {
                            // The whole file did not match: the server discarded the upload.
                            restarts += 1;
                            url = None;
                            self.forget_upload(account_id, row)?;
                            continue 'upload;
                        }
                    }
                    Ok(PatchOutcome::Gone) => {
                        restarts += 1;
                        url = None;
                        self.forget_upload(account_id, row)?;
                        continue 'upload;
                    }
                    Err(f @ Failure::Network(_)) => {
                        // Part of the chunk may have been kept: ask before sending more.
                        self.strike(f)?;
                        match self.net(|| tus.offset(&current))? {
                            Some(o) if o <= row.size => offset = o,
                            _ => {
                                restarts += 1;
                                url = None;
                                self.forget_upload(account_id, row)?;
                                continue 'upload;
                            }
                        }
                        self.confirm(account_id, row, offset, &mut counted)?;
                    }
                    Err(f) => return Err(Stop::Failure(f)),
                }
            }
            return Ok(UploadEnd::Done);
        }
    }

    /// Forgets the file's tus upload (the server lost, expired or refused it), so the next
    /// attempt creates a new one; the file itself stays.
    fn forget_upload(&self, account_id: &str, row: &UploadRow) -> Result<(), Stop> {
        self.db
            .write(|tx| set_url(tx, account_id, &row.sha256, None))?;
        Ok(())
    }

    /// Records the server-confirmed offset and reports progress.
    fn confirm(
        &mut self,
        account_id: &str,
        row: &UploadRow,
        offset: u64,
        counted: &mut u64,
    ) -> Result<(), Stop> {
        self.db
            .write(|tx| set_confirmed(tx, account_id, &row.sha256, offset))?;
        if offset > *counted {
            self.progress.bytes_sent += offset - *counted;
            *counted = offset;
        }
        self.emit();
        Ok(())
    }

    /// The file cannot be uploaded: every request waiting for it needs fixing.
    fn fail_file(
        &mut self,
        account_id: &str,
        row: &UploadRow,
        finding: &Finding,
    ) -> Result<(), Stop> {
        let catalog = self.catalog();
        let issue: Issue = catalog.issue(None, finding);
        let now = now_ms();
        let failed = self.db.write(|tx| {
            tx.execute(
                "UPDATE uploads SET failed_code = ?3, url = NULL, confirmed = 0 WHERE account_id = ?1 AND sha256 = ?2",
                params![account_id, row.sha256, finding.code],
            )?;
            let mut stmt = tx.prepare(
                "SELECT DISTINCT o.op_id, o.request_id FROM outbox o JOIN attachments a ON a.request_id = o.request_id
                 WHERE a.account_id = ?1 AND a.sha256 = ?2 AND o.status = 'pending' AND o.kind <> 'cancel'",
            )?;
            let ops = stmt
                .query_map(params![account_id, row.sha256], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (op_id, request_id) in &ops {
                let result = serde_json::json!({ "local_failure": finding.code }).to_string();
                outbox::finish(tx, op_id, true, &result, Some(finding.code))?;
                requests::mark_needs_fix(tx, request_id, std::slice::from_ref(&issue), finding.code, now)?;
            }
            Ok(ops.len())
        })?;
        self.report.needs_fix += u32::try_from(failed).unwrap_or(u32::MAX);
        Ok(())
    }
}

/// Requests of the account whose operation waits for uploads move from queued to uploading.
fn mark_uploading(conn: &Connection, account_id: &str, now: i64) -> Result<()> {
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
