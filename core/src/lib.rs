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
pub mod catalog_source;
pub mod date;
pub mod error;
pub mod expr;
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
pub use catalog_source::{FieldKind, Localized, NamePolicy, RegionLevel};
pub use date::Date;
pub use error::{CatalogError, ValidateError};
pub use region::RegionTable;
pub use report::{Finding, Issue, Severity};
pub use validate::{ValidationContext, ValidationReport};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
