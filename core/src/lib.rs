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
//! - Domain validators: [`nik`], [`nomor_kk`], [`name`], [`phone`], [`date`], [`region`].
//! - [`protocol`]: the sync protocol's JSON bodies, shared with the server.
//! - With the `device` feature: the on-device store and the offline sync engine.
//!
//! Everything here is blocking and synchronous; UI callers run it off the main thread.

pub mod catalog;
mod catalog_compile;
pub mod catalog_source;
pub mod date;
pub mod error;
pub mod expr;
mod expr_ast;
mod expr_builtin;
mod expr_check;
mod expr_eval;
mod expr_lexer;
mod expr_parser;
pub mod name;
pub mod nik;
pub mod nomor_kk;
pub mod phone;
pub mod protocol;
pub mod region;
pub mod region_table;
pub mod report;
pub mod validate;
pub mod value;

pub use catalog::Catalog;
pub use catalog_compile::{ENGINE_CODES, field_type};
pub use catalog_source::{FieldKind, Localized, NamePolicy, RegionLevel};
pub use date::Date;
pub use error::{CatalogError, ValidateError};
pub use region::RegionTable;
pub use report::{Finding, Issue, Severity};
pub use validate::{
    ValidationContext, ValidationReport, form_values_from_json, form_values_from_json_bytes,
};

/// Every message code the domain validators can emit (each needs a message in the catalog).
pub fn validator_codes() -> Vec<&'static str> {
    [
        nik::CODES,
        nomor_kk::CODES,
        name::CODES,
        phone::CODES,
        region::CODES,
    ]
    .concat()
}

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
#[cfg(feature = "uniffi")]
mod ffi;
#[cfg(feature = "uniffi")]
pub use ffi::SortedStringMap;

#[cfg(feature = "device")]
mod accounts;
#[cfg(feature = "device")]
mod attachments;
#[cfg(feature = "device")]
mod db;
#[cfg(feature = "device")]
mod device;
#[cfg(feature = "device")]
mod device_drafts;
#[cfg(feature = "device")]
mod device_error;
#[cfg(feature = "device")]
mod device_requests;
#[cfg(feature = "device")]
mod drafts;
#[cfg(feature = "device")]
mod http_api;
#[cfg(feature = "device")]
mod outbox;
#[cfg(feature = "device")]
mod progress;
#[cfg(feature = "device")]
mod requests;
#[cfg(feature = "device")]
mod schema;
#[cfg(feature = "device")]
mod sync;
#[cfg(feature = "device")]
mod sync_push;
#[cfg(feature = "device")]
mod sync_upload;
#[cfg(feature = "device")]
pub mod transport;
#[cfg(feature = "device")]
mod tus_client;

#[cfg(feature = "device")]
pub use accounts::Account;
#[cfg(feature = "device")]
pub use attachments::Attachment;
#[cfg(feature = "device")]
pub use device::{Device, DeviceConfig};
#[cfg(feature = "device")]
pub use device_error::{DEVICE_CODES, DeviceError};
#[cfg(feature = "device")]
pub use drafts::{Draft, DraftSummary};
#[cfg(feature = "device")]
pub use progress::{CancelToken, SyncListener, SyncProgress, SyncStep};
#[cfg(feature = "device")]
pub use requests::{LocalState, RequestInfo, RequestSummary, StatusEntry};
#[cfg(feature = "device")]
pub use sync::SyncReport;

#[cfg(all(test, feature = "device"))]
mod device_testkit;
#[cfg(all(test, feature = "device"))]
mod device_tests;
