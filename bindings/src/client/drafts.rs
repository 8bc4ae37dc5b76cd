//! The forms part of [`CeriaClient`]: drafts with live validation, attachments, finalising a
//! draft into a queued request, and requests with their status timelines (cancel, revise).
//!
//! Every call reads or writes the device store: "Blocking (disk)", call off the main thread.
//! All of it works offline; `sync` sends what was finalised.

use crate::client::CeriaClient;
use crate::client::catalog::parse_today;
use crate::guard::guard;
use ceria_core::{
    Attachment, DeviceError, Draft, DraftSummary, Issue, RequestInfo, RequestSummary,
    ValidationContext, ValidationReport,
};
use std::collections::{BTreeMap, HashMap};

#[uniffi::export]
impl CeriaClient {
    // ---- drafts ----

    /// Starts an empty draft of a catalog service for the current account.
    ///
    /// Blocking (disk). Errors: `Unauthorized` (`account.none`: nobody logged in),
    /// `InvalidInput` (`service.unknown`).
    pub fn create_draft(&self, service_id: String) -> Result<Draft, DeviceError> {
        guard(|| self.device.create_draft(&service_id))
    }

    /// Sets field values by field id (an empty text clears a field), saves them at once (a
    /// killed app loses nothing) and returns the live validation of the whole form: issues
    /// worded in both languages, missing attachments, which fields to show and require now.
    ///
    /// Blocking (disk). Errors: `NotFound` (`draft.not_found`), `InvalidInput`.
    pub fn set_values(
        &self,
        draft_id: String,
        values: HashMap<String, String>,
    ) -> Result<ValidationReport, DeviceError> {
        guard(|| self.device.set_values(&draft_id, values))
    }

    /// Checks one field as the person types, without saving: the draft's values with
    /// `field` set to `value`, validated as a whole, and the issues of that field only.
    /// `today` as `YYYY-MM-DD` (null: today in the regency).
    ///
    /// Blocking (disk). Errors: `NotFound` (`draft.not_found`), `InvalidInput`
    /// (`field.unknown`).
    pub fn check_field(
        &self,
        draft_id: String,
        field: String,
        value: String,
        today: Option<String>,
    ) -> Result<Vec<Issue>, DeviceError> {
        guard(|| {
            let draft = self.device.draft(&draft_id)?;
            let catalog = self.device.catalog();
            let today = parse_today(&catalog, today.as_deref())?;
            let mut values: BTreeMap<String, String> = draft.values.into_iter().collect();
            if value.trim().is_empty() {
                values.remove(&field);
            } else {
                values.insert(field.clone(), value);
            }
            let ctx = ValidationContext {
                today,
                regions: None,
            };
            catalog
                .validate_field(&draft.service, &field, &values, &ctx)
                .map_err(|e| DeviceError::from_validate(&catalog, e))
        })
    }

    /// Sets the village (Kemendagri code) whose nagari handles the request, and for nagari
    /// operators the NIK of the citizen it is for; null or empty leaves the default (an
    /// operator's own village, else the form's village field).
    ///
    /// Blocking (disk). Errors: `NotFound` (`draft.not_found`).
    pub fn set_draft_context(
        &self,
        draft_id: String,
        village: Option<String>,
        on_behalf_of: Option<String>,
    ) -> Result<Draft, DeviceError> {
        guard(|| {
            self.device
                .set_draft_context(&draft_id, village, on_behalf_of)
        })
    }

    /// A draft with its values, attachments and live validation.
    ///
    /// Blocking (disk). Errors: `NotFound` (`draft.not_found`).
    pub fn draft(&self, draft_id: String) -> Result<Draft, DeviceError> {
        guard(|| self.device.draft(&draft_id))
    }

    /// The current account's drafts, most recently edited first.
    ///
    /// Blocking (disk). Errors: `Unauthorized` (`account.none`).
    pub fn drafts(&self) -> Result<Vec<DraftSummary>, DeviceError> {
        guard(|| self.device.drafts())
    }

    /// Deletes a draft and its attached files.
    ///
    /// Blocking (disk). Errors: `NotFound` (`draft.not_found`).
    pub fn delete_draft(&self, draft_id: String) -> Result<(), DeviceError> {
        guard(|| self.device.delete_draft(&draft_id))
    }

    // ---- attachments ----

    /// Attaches a file (a photo or scan of one page) to a draft for an attachment requirement
    /// of its service; call again for more pages. The file is checked against the catalog's
    /// limits first, then copied into the store, so the original may be deleted afterwards.
    ///
    /// Blocking (disk). Errors: `Validation` (`attachment.media_type`, `attachment.too_many`,
    /// `attachment.too_large`, `attachment.unknown`, with the issue), `InvalidInput`
    /// (`attachment.unreadable`), `NotFound` (`draft.not_found`).
    pub fn attach(
        &self,
        draft_id: String,
        requirement: String,
        source_path: String,
        media_type: String,
    ) -> Result<Attachment, DeviceError> {
        guard(|| {
            self.device
                .attach(&draft_id, &requirement, &source_path, &media_type)
        })
    }

    /// Removes an attachment from a draft.
    ///
    /// Blocking (disk). Errors: `NotFound` (`attachment.not_found`).
    pub fn remove_attachment(&self, attachment_id: String) -> Result<(), DeviceError> {
        guard(|| self.device.remove_attachment(&attachment_id))
    }

    /// The content of an attachment, decrypted when the store is encrypted (then
    /// `Attachment.path` holds a sealed file): for a preview or thumbnail.
    ///
    /// Blocking (disk). Errors: `NotFound` (`attachment.not_found`).
    pub fn attachment_content(&self, attachment_id: String) -> Result<Vec<u8>, DeviceError> {
        guard(|| self.device.attachment_content(&attachment_id))
    }

    /// Finalises a draft into a request queued for the next `sync` (state `queued`). The form
    /// must validate (warnings are allowed); the draft is consumed.
    ///
    /// Blocking (disk). Errors: `Validation` (`draft.invalid`, with every issue),
    /// `InvalidInput` (`draft.village_missing`), `NotFound` (`draft.not_found`).
    pub fn finalise(&self, draft_id: String) -> Result<RequestInfo, DeviceError> {
        guard(|| self.device.finalise(&draft_id))
    }

    // ---- requests ----

    /// The current account's requests, newest first.
    ///
    /// Blocking (disk). Errors: `Unauthorized` (`account.none`).
    pub fn requests(&self) -> Result<Vec<RequestSummary>, DeviceError> {
        guard(|| self.device.requests())
    }

    /// A request with everything its detail screen shows: state, tracking code, status
    /// timeline (oldest first), what to fix, the finished document, what can be done now.
    ///
    /// Blocking (disk). Errors: `NotFound` (`request.not_found`).
    pub fn request(&self, request_id: String) -> Result<RequestInfo, DeviceError> {
        guard(|| self.device.request(&request_id))
    }

    /// Cancels a request: at once when nothing reached the server yet, otherwise with the next
    /// `sync` (the registry accepts it while `submitted` or `returned`).
    ///
    /// Blocking (disk). Errors: `InvalidInput` (`request.not_cancellable`, param `state`),
    /// `NotFound` (`request.not_found`).
    pub fn cancel(&self, request_id: String) -> Result<RequestInfo, DeviceError> {
        guard(|| self.device.cancel(&request_id))
    }

    /// Opens a draft to fix a request that the registry returned or the server refused,
    /// prefilled with what was sent; finalising it queues the revision. Revising again
    /// returns the same draft.
    ///
    /// Blocking (disk). Errors: `InvalidInput` (`request.not_revisable`, param `state`),
    /// `NotFound` (`request.not_found`).
    pub fn revise(&self, request_id: String) -> Result<Draft, DeviceError> {
        guard(|| self.device.revise(&request_id))
    }
}
