//! The upload step of a sync pass: one tus upload per distinct file content and account
//! (recorded in the uploads table), its URL recorded before the first PATCH and its confirmed
//! offset after each chunk. After any break the server's offset (HEAD) is the truth; the
//! server keeps the bytes of a cut PATCH, so a dropped connection costs only what never
//! reached it, and when the offset moved the next PATCH follows at once. Uploads nothing
//! refers to any more (a deleted draft) are released with tus termination.

use crate::device::error::Result;
use crate::device::store::outbox;
use crate::device::store::requests;
use crate::device::store::uploads::{
    UploadRow, UploadScope, forget_released, mark_done, mark_uploading, needed, schedule_retry,
    set_confirmed, set_url, unreferenced,
};
use crate::device::sync::engine::{Engine, Stop};
use crate::device::sync::http_api::Failure;
use crate::device::sync::progress::SyncStep;
use crate::device::sync::tus::{PatchOutcome, TusClient};
use crate::now_ms;
use crate::report::{Finding, Issue};
use rusqlite::params;

/// How one file's upload ended.
enum UploadEnd {
    Done,
    /// Refused for good: the requests using the file need fixing.
    Failed(Finding),
}

/// Most times one file may start over (expired upload, whole-file checksum) in one pass.
const MAX_RESTARTS: u32 = 3;

impl Engine<'_> {
    /// Uploads every file of the account in `scope`: those a pending operation needs, or
    /// those attached to drafts (background uploads).
    pub(crate) fn upload_all(
        &mut self,
        account_id: &str,
        token: &str,
        scope: UploadScope,
    ) -> Result<(), Stop> {
        let now = now_ms();
        let due: Vec<UploadRow> = self
            .db
            .read(|c| needed(c, account_id, scope))?
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
                    // Progress in this pass started the counter again (set_confirmed).
                    let attempts = if self.upload_progressed {
                        0
                    } else {
                        row.attempts
                    };
                    let at = self.retry_at(attempts + 1, retry_after);
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
                        &crate::catalog::attachments::too_large(max),
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
        // Its copy on the device (sealed with the account's key when the device has one):
        // read and decrypted chunk by chunk as it is sent.
        let blob = self
            .db
            .read(|c| self.files.blob(c, account_id, &row.sha256))?;
        let mut url = row.url.clone();
        let mut restarts = 0;
        let mut checksum_failures = 0;
        let mut counted = row.confirmed;
        self.upload_progressed = false;
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
                    if !self.files.verify(&blob)? {
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
                self.restart(account_id, row, &mut restarts, &mut url)?;
                continue 'upload;
            };
            if offset > row.size {
                self.restart(account_id, row, &mut restarts, &mut url)?;
                continue 'upload;
            }
            self.confirm(account_id, row, offset, &mut counted)?;
            while offset < row.size {
                self.check_cancel()?;
                let chunk =
                    self.files
                        .read_chunk(&blob, offset, self.config.chunk_size as usize)?;
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
                    Ok(PatchOutcome::ChecksumMismatch) if last => {
                        // The whole file did not match: the server discarded the upload.
                        if too_many(&mut checksum_failures) {
                            return Ok(checksum_failed());
                        }
                        self.restart(account_id, row, &mut restarts, &mut url)?;
                        continue 'upload;
                    }
                    // 409, or a 460 before the end (only from a server checking chunks on its
                    // own): ask where the server stands.
                    Ok(
                        outcome @ (PatchOutcome::OffsetMismatch | PatchOutcome::ChecksumMismatch),
                    ) => {
                        if outcome == PatchOutcome::ChecksumMismatch
                            && too_many(&mut checksum_failures)
                        {
                            return Ok(checksum_failed());
                        }
                        match self.net(|| tus.offset(&current))? {
                            Some(o) if o <= row.size => offset = o,
                            _ => {
                                self.restart(account_id, row, &mut restarts, &mut url)?;
                                continue 'upload;
                            }
                        }
                    }
                    Ok(PatchOutcome::Gone) => {
                        self.restart(account_id, row, &mut restarts, &mut url)?;
                        continue 'upload;
                    }
                    Err(f @ Failure::Network(_)) => {
                        // The server kept what reached it: ask where to go on. When that
                        // moved the offset the network works: the next PATCH goes at once.
                        let before = offset;
                        match self.net_probe(|| tus.offset(&current))? {
                            Some(o) if o <= row.size => offset = o,
                            _ => {
                                self.restart(account_id, row, &mut restarts, &mut url)?;
                                continue 'upload;
                            }
                        }
                        if offset > before {
                            self.report.bytes_uploaded += offset - before;
                        }
                        self.confirm(account_id, row, offset, &mut counted)?;
                        self.dropped(f, offset > before)?;
                    }
                    Err(f) => return Err(Stop::Failure(f)),
                }
            }
            return Ok(UploadEnd::Done);
        }
    }

    /// Releases the uploads nothing refers to any more (a draft deleted before sending, an
    /// attachment removed or replaced): tus termination, then the row goes. Best effort: a
    /// network failure leaves the rest for the next pass.
    pub(crate) fn release_uploads(&mut self, account_id: &str, token: &str) -> Result<(), Stop> {
        let released = self.db.read(|c| unreferenced(c, account_id))?;
        let api = self.api;
        let tus = TusClient::new(api, token);
        for (sha256, url) in released {
            self.check_cancel()?;
            if let Some(url) = &url {
                match tus.terminate(url) {
                    Ok(_) => self.strikes_reset(),
                    Err(f) if f.is_retryable() => return Ok(()),
                    Err(f @ Failure::Unauthorized(_)) => return Err(Stop::Failure(f)),
                    // Refused for good: nothing more the device can do about it.
                    Err(f) => self.report.problems.push(f.describe()),
                }
            }
            self.db
                .write(|tx| forget_released(tx, account_id, &sha256, url.as_deref()))?;
        }
        Ok(())
    }

    /// Forgets the file's tus upload (the server lost, expired or refused it), so the next
    /// attempt creates a new one; the file itself stays.
    fn forget_upload(&self, account_id: &str, row: &UploadRow) -> Result<(), Stop> {
        self.db
            .write(|tx| set_url(tx, account_id, &row.sha256, None))?;
        Ok(())
    }

    /// Starts the file's upload over with a new tus upload (counted in `restarts`).
    fn restart(
        &self,
        account_id: &str,
        row: &UploadRow,
        restarts: &mut u32,
        url: &mut Option<String>,
    ) -> Result<(), Stop> {
        *restarts += 1;
        *url = None;
        self.forget_upload(account_id, row)
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
            self.upload_progressed = true;
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

/// Counts one more failure; true once there were more than [`MAX_RESTARTS`].
fn too_many(failures: &mut u32) -> bool {
    *failures += 1;
    *failures > MAX_RESTARTS
}

/// The end of a file whose content kept failing the server's SHA-256 check.
fn checksum_failed() -> UploadEnd {
    UploadEnd::Failed(Finding::error("upload.checksum_mismatch"))
}
