//! `ceria-ffi`: the UniFFI surface of the Ceria core for Kotlin, Swift and Python.
//!
//! Thin glue, no business logic: [`CeriaClient`] wraps [`ceria_core::Device`] (opened on a
//! data directory and a server URL), and a few top-level functions ([`validate_nik`],
//! [`default_config`]) need no client. Records, enums, the `SyncListener` callback interface
//! and the error (`CeriaError`, Kotlin's sealed `CeriaException`) are the core's own types,
//! exported by `ceria-core` under its `uniffi` feature; they land in the sibling package
//! `id.ceria.core.model` (see `uniffi.toml`).
//!
//! No call can crash the host process: every exported call runs inside a panic firewall that
//! turns a defect into `CeriaError.Internal`. Bindings are generated with
//! `scripts/gen-bindings`; see `bindings/README.md`.

uniffi::setup_scaffolding!();

mod client;
mod functions;
mod guard;

pub use client::CeriaClient;
pub use client::catalog::FormInput;
pub use functions::{default_config, validate_nik};
