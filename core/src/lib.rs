//! # ceria-core
//!
//! The shared heart of Ceria, the offline-first civil-registration product: what a citizen can
//! request from the civil registry (Disdukcapil), what each request needs, and the validation
//! that runs identically on the phone (offline) and on the registry server.
//!
//! - [`Catalog`]: the service catalog (services, form fields, attachments, code lists,
//!   messages), loaded from JSON and type-checked; the embedded default is
//!   [`Catalog::embedded`].
//! - [`Catalog::validate`]: full-form validation with rules, giving a [`ValidationReport`] of
//!   [`Issue`]s worded in Bahasa Indonesia and English with stable codes.
//! - Domain validators under [`validate`]: [`validate::nik`], [`validate::nomor_kk`],
//!   [`validate::name`], [`validate::phone`], [`validate::date`], [`validate::region`].
//! - [`expr`]: the rule language of the catalog.
//! - [`protocol`]: the sync protocol's JSON bodies, shared with the server.
//! - With the `device` feature, [`device`]: the on-device store and the offline sync engine.
//! - With the `sqlite` feature (implied by `device`), [`sqlite`]: the migration runner shared by
//!   the device and server stores.
//!
//! Everything here is blocking and synchronous; UI callers run it off the main thread.

pub mod catalog;
pub mod expr;
pub mod protocol;
pub mod report;
pub mod validate;

#[cfg(feature = "sqlite")]
pub mod sqlite;

#[cfg(feature = "device")]
pub mod device;

pub use catalog::Catalog;
pub use catalog::compile::{ENGINE_CODES, field_type};
pub use catalog::error::{CatalogError, ValidateError};
pub use catalog::source::{FieldKind, Localized, NamePolicy, RegionLevel};
pub use report::{Finding, Issue, Severity};
pub use validate::date::Date;
pub use validate::region::RegionTable;
pub use validate::{
    ValidationContext, ValidationReport, form_values_from_json, form_values_from_json_bytes,
};

#[cfg(feature = "device")]
pub use device::{
    Account, Attachment, CancelToken, DEVICE_CODES, Device, DeviceConfig, DeviceError, Draft,
    DraftSummary, LocalState, RequestInfo, RequestSummary, StatusEntry, SyncListener, SyncProgress,
    SyncReport, SyncStep,
};

/// Milliseconds since the Unix epoch, from the system clock (0 if the clock is before 1970).
/// The one clock of the device store, the server and the CLI.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Every message code the domain validators can emit (each needs a message in the catalog).
pub fn validator_codes() -> Vec<&'static str> {
    [
        validate::nik::CODES,
        validate::nomor_kk::CODES,
        validate::name::CODES,
        validate::phone::CODES,
        validate::region::CODES,
    ]
    .concat()
}

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
#[cfg(feature = "uniffi")]
mod ffi;
#[cfg(feature = "uniffi")]
pub use ffi::SortedStringMap;
