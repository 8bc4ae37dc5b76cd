//! The drafting part of the [`Device`] API: drafts with live validation, attachments (limits
//! checked at attach time, files copied into the managed directory) and finalising a draft
//! into a queued request with its outbox operation.

use crate::catalog::Catalog;
use crate::catalog::attachments::{AttachedFile, SNIFF_BYTES, media_type_of, too_large};
use crate::catalog::error::ValidateError;
use crate::catalog::source::{FieldKind, RegionLevel};
use crate::device::Device;
use crate::device::error::{DeviceError, Error, Result};
use crate::device::store::accounts;
use crate::device::store::attachments::{self, Attachment, NewAttachment, Owner};
use crate::device::store::db::new_id;
use crate::device::store::drafts::{self, Draft, DraftRow, DraftSummary};
use crate::device::store::files::ImportError;
use crate::device::store::outbox::{self, OpKind};
use crate::device::store::requests::{self, RequestInfo};
use crate::device::store::uploads;
use crate::now_ms;
use crate::protocol::{AttachmentRef, Operation, RequestPayload, Role};
use crate::report::{Finding, Severity};
use crate::validate::nik::strip_separators;
use crate::validate::{ValidationContext, ValidationReport};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Validates a form against `catalog` with today's date in the regency.
pub(crate) fn validate_form(
    catalog: &Catalog,
    service: &str,
    values: &BTreeMap<String, String>,
    attached: &BTreeSet<String>,
) -> Result<ValidationReport, ValidateError> {
    catalog.validate(service, values, attached, &ValidationContext::default())
}

impl Device {
    fn draft_row(&self, account: &str, id: &str) -> Result<DraftRow> {
        self.db
            .read(|c| drafts::get(c, account, id))?
            .ok_or_else(|| Error::not_found("draft.not_found"))
    }

    fn draft_attachments(&self, id: &str) -> Result<Vec<Attachment>> {
        self.db
            .read(|c| attachments::list(c, &self.files, Owner::Draft(id)))
    }

    fn check(&self, row: &DraftRow, atts: &[Attachment]) -> Result<ValidationReport> {
        let attached: BTreeSet<String> = atts.iter().map(|a| a.requirement.clone()).collect();
        validate_form(&self.catalog(), &row.service, &row.values, &attached).map_err(Error::from)
    }

    fn view(&self, row: DraftRow) -> Result<Draft> {
        let atts = self.draft_attachments(&row.id)?;
        let report = self.check(&row, &atts)?;
        Ok(Draft {
            id: row.id,
            service: row.service,
            values: row.values.into_iter().collect(),
            attachments: atts,
            village: row.village,
            on_behalf_of: row.on_behalf_of,
            revises: row.revises,
            valid: report.valid,
            issues: report.issues,
            missing_attachments: report.missing_attachments,
            created_ms: row.created_ms,
            updated_ms: row.updated_ms,
        })
    }

    /// Starts an empty draft of a catalog service for the current account.
    pub fn create_draft(&self, service: &str) -> Result<Draft, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            if !self
                .catalog()
                .source()
                .services
                .iter()
                .any(|s| s.id == service)
            {
                return Err(Error::invalid(
                    "service.unknown",
                    &[("service", service.to_string())],
                ));
            }
            let id = self.db.write(|tx| {
                drafts::insert(tx, &account, service, &BTreeMap::new(), None, now_ms())
            })?;
            self.draft_view(&id)
        })
    }

    /// Sets field values (an empty text clears the field), saves at once, and returns the live
    /// validation of the whole form.
    pub fn set_values(
        &self,
        draft_id: &str,
        values: HashMap<String, String>,
    ) -> Result<ValidationReport, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let mut row = self.draft_row(&account, draft_id)?;
            row.values = drafts::merge_values(&row.values, &values);
            self.db
                .write(|tx| drafts::save_values(tx, draft_id, &row.values, now_ms()))?;
            let atts = self.draft_attachments(draft_id)?;
            self.check(&row, &atts)
        })
    }

    /// Sets the village whose nagari handles the request (default: an operator's own
    /// village, else the form's village field) and, for operators, the citizen's NIK.
    pub fn set_draft_context(
        &self,
        draft_id: &str,
        village: Option<String>,
        on_behalf_of: Option<String>,
    ) -> Result<Draft, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            self.draft_row(&account, draft_id)?;
            let clean =
                |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            // The NIK as 16 digits however it was typed or pasted, as the registry stores it.
            let on_behalf_of = clean(on_behalf_of).map(|n| strip_separators(&n));
            let village = clean(village);
            self.db.write(|tx| {
                drafts::save_context(
                    tx,
                    draft_id,
                    village.as_deref(),
                    on_behalf_of.as_deref(),
                    now_ms(),
                )
            })?;
            self.draft_view(draft_id)
        })
    }

    /// A draft with its attachments and live validation.
    pub fn draft(&self, draft_id: &str) -> Result<Draft, DeviceError> {
        self.handle(|| self.draft_view(draft_id))
    }

    /// [`Device::draft`] inside the device (no wording).
    pub(crate) fn draft_view(&self, draft_id: &str) -> Result<Draft> {
        let account = self.current()?;
        let row = self.draft_row(&account, draft_id)?;
        self.view(row)
    }

    /// The current account's drafts, most recently edited first.
    pub fn drafts(&self) -> Result<Vec<DraftSummary>, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            self.db.read(|c| drafts::list(c, &account))
        })
    }

    /// Deletes a draft and its attached files (unless a request still uses the same file).
    pub fn delete_draft(&self, draft_id: &str) -> Result<(), DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let (deleted, hashes) = self.db.write(|tx| {
                let hashes = attachments::hashes(tx, Owner::Draft(draft_id))?;
                Ok((drafts::delete(tx, &account, draft_id)?, hashes))
            })?;
            if !deleted {
                return Err(Error::not_found("draft.not_found"));
            }
            self.release_files(&account, &hashes)
        })
    }

    /// Attaches a file to a draft for a catalog attachment requirement. The file is checked
    /// against the catalog's limits first (type of its content, count, size: refused with
    /// `attachment.media_type` / `attachment.too_many` / `attachment.too_large`), then copied
    /// into the device's managed directory, so the original may be deleted afterwards.
    pub fn attach(
        &self,
        draft_id: &str,
        requirement: &str,
        source_path: &str,
        _declared_media_type: &str,
    ) -> Result<Attachment, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let row = self.draft_row(&account, draft_id)?;
            let catalog = self.catalog();
            let source = Path::new(source_path);
            let size = match std::fs::metadata(source) {
                Ok(m) if m.is_file() => m.len(),
                _ => {
                    return Err(Error::invalid(
                        "attachment.unreadable",
                        &[("path", source_path.to_string())],
                    ));
                }
            };
            let count = self
                .db
                .read(|c| attachments::count_for(c, draft_id, requirement))?;
            // `{attachment}` in the messages reads as the requirement's label.
            let label = catalog
                .attachment(&row.service, requirement)
                .map(|a| &a.label);
            let refuse = |finding: Finding| {
                let issue = catalog.issue_with_label(None, &finding, label);
                Error::validation(finding.code, &finding.params, vec![issue])
            };
            // The file's content decides its type, not what the picker declared: the registry
            // judges it the same way.
            let media_type = match read_head(source) {
                Ok(head) => media_type_of(&head),
                Err(_) => {
                    return Err(Error::invalid(
                        "attachment.unreadable",
                        &[("path", source_path.to_string())],
                    ));
                }
            };
            let file = AttachedFile {
                requirement,
                media_type,
                size,
            };
            catalog
                .check_attachment(&row.service, file, count)
                .map_err(refuse)?;
            let max = catalog.max_attachment_bytes();
            let key = self.db.read(|c| self.files.account_key(c, &account))?;
            let _files = self.files_lock.lock().unwrap_or_else(|p| p.into_inner());
            let imported = match self.files.import(source, max, key.as_ref()) {
                Ok(i) => i,
                Err(ImportError::TooLarge(max)) => return Err(refuse(too_large(max))),
                Err(ImportError::Io(_)) => {
                    return Err(Error::invalid(
                        "attachment.unreadable",
                        &[("path", source_path.to_string())],
                    ));
                }
            };
            let file_name = source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| imported.sha256.clone());
            let media_type = media_type.to_string();
            let now = now_ms();
            let id = self.db.write(|tx| {
                let new = NewAttachment {
                    account_id: &account,
                    owner: Owner::Draft(draft_id),
                    requirement,
                    sha256: &imported.sha256,
                    size: imported.size,
                    media_type: &media_type,
                    file_name: &file_name,
                };
                let id = attachments::insert(tx, &new, now)?;
                drafts::touch(tx, draft_id, now)?;
                if self.config.background_uploads {
                    // The next sync pass starts uploading it, before the draft is sent.
                    uploads::ensure(tx, &account, &imported.sha256, imported.size, &media_type)?;
                }
                Ok(id)
            })?;
            Ok(Attachment {
                id,
                requirement: requirement.to_string(),
                path: imported.path.to_string_lossy().into_owned(),
                sha256: imported.sha256,
                size: imported.size,
                media_type,
                file_name,
            })
        })
    }

    /// Removes an attachment from a draft.
    pub fn remove_attachment(&self, attachment_id: &str) -> Result<(), DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let now = now_ms();
            let removed = self.db.write(|tx| {
                let Some(draft) = attachments::draft_of(tx, &account, attachment_id)? else {
                    return Ok(None);
                };
                let sha = attachments::sha_of(tx, attachment_id)?;
                attachments::delete_from_draft(tx, &account, attachment_id)?;
                drafts::touch(tx, &draft, now)?;
                Ok(sha)
            })?;
            match removed {
                Some(sha) => self.release_files(&account, &[sha]),
                None => Err(Error::not_found("attachment.not_found")),
            }
        })
    }

    /// The content of an attachment of the current account (decrypted on a device with a
    /// key), for a preview: `Attachment::path` is sealed there. Whole in memory, which the
    /// catalog's size limit bounds.
    pub fn attachment_content(&self, attachment_id: &str) -> Result<Vec<u8>, DeviceError> {
        self.handle(|| {
            let account = self.current()?;
            let blob =
                self.db.read(
                    |c| match attachments::sha_of_owned(c, &account, attachment_id)? {
                        Some(sha) => self.files.blob(c, &account, &sha).map(Some),
                        None => Ok(None),
                    },
                )?;
            let blob = blob.ok_or_else(|| Error::not_found("attachment.not_found"))?;
            Ok(self.files.read_chunk(&blob, 0, usize::MAX)?)
        })
    }

    /// Deletes `account_id`'s managed files among `hashes` that nothing refers to any more
    /// (cheaper than a full collection, which lists the whole directory).
    pub(crate) fn release_files(&self, account_id: &str, hashes: &[String]) -> Result<()> {
        if hashes.is_empty() {
            return Ok(());
        }
        let _files = self.files_lock.lock().unwrap_or_else(|p| p.into_inner());
        let gone = self
            .db
            .read(|c| attachments::unreferenced(c, &self.files, account_id, hashes))?;
        for blob in gone {
            self.files.remove(&blob)?;
        }
        Ok(())
    }

    /// Deletes every managed file that nothing refers to any more.
    pub(crate) fn collect_files_locked(&self) -> Result<()> {
        let _files = self.files_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.collect_files()
    }

    /// Finalises a draft: it must validate (warnings allowed). Creates the request in state
    /// `queued` with the catalog version it was checked against, and queues its operation
    /// (a new submission, or a revision of the request the draft revises) under an
    /// idempotency key that never changes. The draft is consumed.
    pub fn finalise(&self, draft_id: &str) -> Result<RequestInfo, DeviceError> {
        self.handle(|| {
            let account_id = self.current()?;
            let account = self
                .db
                .read(|c| accounts::get(c, &account_id))?
                .ok_or_else(|| Error::not_found("account.not_found"))?;
            let row = self.draft_row(&account_id, draft_id)?;
            let atts = self.draft_attachments(draft_id)?;
            let catalog = self.catalog();
            let report = self.check(&row, &atts)?;
            if !report.valid {
                let errors = report
                    .issues
                    .iter()
                    .filter(|i| i.severity == Severity::Error)
                    .count();
                return Err(Error::validation(
                    "draft.invalid",
                    &[("errors", errors.to_string())],
                    report.issues,
                ));
            }
            // The files again, as a whole (the catalog may have changed since they were
            // attached); the registry runs the same check on the push.
            let problems = catalog.check_attachments(
                &row.service,
                atts.iter().map(|a| AttachedFile {
                    requirement: &a.requirement,
                    media_type: &a.media_type,
                    size: a.size,
                }),
            );
            if !problems.is_empty() {
                let issues: Vec<_> = problems
                    .iter()
                    .map(|p| catalog.attachment_issue(&row.service, &p.requirement, &p.finding))
                    .collect();
                return Err(Error::validation(
                    "draft.invalid",
                    &[("errors", issues.len().to_string())],
                    issues,
                ));
            }
            let village = row
                .village
                .clone()
                .or_else(|| {
                    if account.role == Role::Operator {
                        account.village.clone()
                    } else {
                        None
                    }
                })
                .or_else(|| village_from_form(&catalog, &row))
                .ok_or_else(|| Error::invalid("draft.village_missing", &[]))?;
            let payload = RequestPayload {
                service: row.service.clone(),
                catalog_version: catalog.version().to_string(),
                values: row.values.clone(),
                attachments: atts
                    .iter()
                    .map(|a| AttachmentRef {
                        requirement: a.requirement.clone(),
                        sha256: a.sha256.clone(),
                        size: a.size,
                        media_type: a.media_type.clone(),
                    })
                    .collect(),
                village,
                on_behalf_of: row.on_behalf_of.clone(),
            };
            let request_id = self
                .db
                .write(|tx| queue_draft(tx, &account_id, &row, &atts, &payload))?;
            let Some((request_id, replaced)) = request_id else {
                return Err(Error::invalid("request.not_revisable", &[]));
            };
            self.release_files(&account_id, &replaced)?;
            self.request_info(&request_id)
        })
    }
}

/// The first bytes of a file, enough to tell its type.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The value of the service's first village-level region field, if filled in.
fn village_from_form(catalog: &Catalog, row: &DraftRow) -> Option<String> {
    let service = catalog
        .source()
        .services
        .iter()
        .find(|s| s.id == row.service)?;
    service
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Region && f.region_level == Some(RegionLevel::Village))
        .find_map(|f| {
            row.values
                .get(&f.id)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        })
}

/// Turns the draft into a queued request and operation in one transaction. Returns the
/// request id and the hashes of the files a revision replaced, or `None` when the request
/// the draft revises can no longer be revised.
fn queue_draft(
    tx: &rusqlite::Connection,
    account_id: &str,
    row: &DraftRow,
    atts: &[Attachment],
    payload: &RequestPayload,
) -> Result<Option<(String, Vec<String>)>> {
    let now = now_ms();
    let op_id = new_id();
    let mut replaced = Vec::new();
    let request_id = match &row.revises {
        None => {
            let id = requests::create(tx, account_id, payload, now)?;
            let op = Operation::Submit {
                op_id: op_id.clone(),
                local_id: id.clone(),
                request: payload.clone(),
            };
            outbox::enqueue(
                tx,
                account_id,
                &id,
                &op_id,
                OpKind::Submit,
                Some(&op),
                None,
                now,
            )?;
            id
        }
        Some(revised) => {
            let Some(request) = requests::get(tx, account_id, revised)? else {
                return Ok(None);
            };
            if outbox::send_pending(tx, revised)? || !crate::device::requests::revisable(&request) {
                return Ok(None);
            }
            let (kind, op) = match &request.server_id {
                Some(server_id) => (
                    OpKind::Revise,
                    Operation::Revise {
                        op_id: op_id.clone(),
                        request_id: server_id.clone(),
                        request: payload.clone(),
                    },
                ),
                // Refused before the registry stored it: send it anew under a new key.
                None => (
                    OpKind::Submit,
                    Operation::Submit {
                        op_id: op_id.clone(),
                        local_id: revised.clone(),
                        request: payload.clone(),
                    },
                ),
            };
            replaced = attachments::hashes(tx, Owner::Request(revised))?;
            tx.execute("DELETE FROM attachments WHERE request_id = ?1", [revised])?;
            requests::requeue(tx, revised, payload, now)?;
            outbox::enqueue(
                tx,
                account_id,
                revised,
                &op_id,
                kind,
                Some(&op),
                request.last_seq,
                now,
            )?;
            revised.clone()
        }
    };
    tx.execute(
        "UPDATE attachments SET request_id = ?1, draft_id = NULL WHERE draft_id = ?2",
        rusqlite::params![request_id, row.id],
    )?;
    for a in atts {
        uploads::ensure(tx, account_id, &a.sha256, a.size, &a.media_type)?;
    }
    tx.execute("DELETE FROM drafts WHERE id = ?1", [&row.id])?;
    Ok(Some((request_id, replaced)))
}
