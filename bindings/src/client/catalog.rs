//! The catalog part of [`CeriaClient`]: services grouped for a menu, their forms and
//! requirements, code lists, state labels, message wording, and stateless form validation.
//!
//! Texts come in both languages at once (`Localized`: `id` and `en`, with `text(lang)`), so an
//! app can switch language without asking again; the catalog is the newest one received from
//! the server, else the one built into the library. These calls only read memory: they do
//! not block on I/O and may run on the main thread.

use crate::client::CeriaClient;
use crate::guard::guard;
use ceria_core::catalog::source::{
    CodeListSource, GroupSource, LimitsSource, RegencySource, ServiceSource,
};
use ceria_core::protocol::IdentityState;
use ceria_core::{Date, DeviceError, LocalState, Localized, ValidationContext, ValidationReport};
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[uniffi::export]
impl CeriaClient {
    /// The catalog version in use, e.g. `2026.11.1`.
    pub fn catalog_version(&self) -> String {
        self.device.catalog().version().to_string()
    }

    /// The regency this catalog serves (name, Kemendagri code, UTC offset).
    pub fn regency(&self) -> RegencySource {
        self.device.catalog().source().regency.clone()
    }

    /// Attachment limits: largest file, most files per requirement, accepted media types.
    pub fn limits(&self) -> LimitsSource {
        self.device.catalog().source().limits.clone()
    }

    /// The service groups (Pendaftaran Penduduk, Pencatatan Sipil), in display order.
    pub fn groups(&self) -> Vec<GroupSource> {
        self.device.catalog().groups().to_vec()
    }

    /// The services of one group (by group id), or of all groups when `group` is null, in
    /// display order. An unknown group gives an empty list.
    pub fn services(&self, group: Option<String>) -> Vec<ServiceSource> {
        let catalog = self.device.catalog();
        catalog
            .services()
            .iter()
            .filter(|s| group.as_deref().is_none_or(|g| s.group == g))
            .cloned()
            .collect()
    }

    /// One service by id (fields, checks, attachment requirements, deadline), or null.
    pub fn service(&self, service_id: String) -> Option<ServiceSource> {
        self.device.catalog().service(&service_id).cloned()
    }

    /// Every code list (religion, marital status, occupation, ...).
    pub fn code_lists(&self) -> Vec<CodeListSource> {
        self.device.catalog().source().code_lists.clone()
    }

    /// One code list by id (a `choice` field's `list`), or null.
    pub fn code_list(&self, list_id: String) -> Option<CodeListSource> {
        self.device.catalog().code_list(&list_id).cloned()
    }

    /// The label of a code in a code list (e.g. `religion`, `1` -> Islam), or null.
    pub fn code_label(&self, list_id: String, code: String) -> Option<Localized> {
        self.device.catalog().code_label(&list_id, &code).cloned()
    }

    /// The label of a request state ("Selesai" / "Completed"), including the states that
    /// exist only on the device (`queued`, `uploading`, `pushed`, `needs_fix`); the code itself
    /// when the catalog has no label.
    pub fn state_label(&self, state: LocalState) -> Localized {
        self.device.catalog().state_label_by_code(state.code())
    }

    /// What a citizen account's identity state (`Account.identity`) means and what the
    /// person can do: verify with the register data or visit the nagari office with the
    /// KTP-el or KK (`identity.unverified`), or that the NIK is theirs (`identity.verified`).
    pub fn identity_message(&self, state: IdentityState) -> Localized {
        self.device.catalog().message(state.message_code(), &[])
    }

    /// Words a message code with its parameters (e.g. a timeline entry's `code`). An unknown
    /// code gives the code itself.
    pub fn message(&self, code: String, params: HashMap<String, String>) -> Localized {
        let params: Vec<(&str, String)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        self.device.catalog().message(&code, &params)
    }

    /// Validates a whole form without storing anything (for forms kept by the app itself,
    /// e.g. a web view). See [`FormInput`].
    ///
    /// Errors: `InvalidInput` (`service.unknown`, `request.malformed` for an input larger
    /// than any real form or a `today` that is not a date).
    pub fn validate_form(&self, form: FormInput) -> Result<ValidationReport, DeviceError> {
        guard(|| {
            let catalog = self.device.catalog();
            let today = parse_today(&catalog, form.today.as_deref())?;
            let values: BTreeMap<String, String> = form.values.into_iter().collect();
            let attached: BTreeSet<String> = form.attached.into_iter().collect();
            let ctx = ValidationContext {
                today,
                regions: None,
            };
            catalog
                .validate(&form.service, &values, &attached, &ctx)
                .map_err(|e| DeviceError::from_validate(&catalog, e))
        })
    }
}

/// A form to validate with `validate_form`. One record rather than four arguments: every
/// argument crossing the FFI costs a native allocation call, which dominates a validation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormInput {
    /// The catalog service id, e.g. `ktp_baru`.
    pub service: String,
    /// Field values by field id, as text.
    pub values: HashMap<String, String>,
    /// The attachment requirement ids that have at least one file.
    #[uniffi(default = [])]
    pub attached: Vec<String>,
    /// Today as `YYYY-MM-DD` (ages and deadlines); null: today in the regency.
    #[uniffi(default = None)]
    pub today: Option<String>,
}

/// Reads an optional `YYYY-MM-DD` argument.
pub(crate) fn parse_today(
    catalog: &ceria_core::Catalog,
    today: Option<&str>,
) -> Result<Option<Date>, DeviceError> {
    match today {
        None => Ok(None),
        Some(text) => Date::parse_iso(text.trim()).map(Some).ok_or_else(|| {
            DeviceError::malformed(catalog, format!("today: `{text}` is not YYYY-MM-DD"))
        }),
    }
}
