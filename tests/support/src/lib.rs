//! The one home of test support, shared by the server's, the CLI's and the end-to-end tests:
//!
//! - [`server`]: the reference server in-process on loopback ([`TestServer`]) with accounts,
//!   an HTTP client, tus uploads, sync and review calls;
//! - [`fixtures`]: citizen NIKs, operation ids, the catalog authors' example forms and request
//!   payloads built from them;
//! - [`cli`]: the `ceria` binary run as a process (commands, `ceria serve` as a child);
//! - [`device`] (feature `device`): test devices that queue requests and sync until done;
//! - [`postgres`]: a fresh PostgreSQL database per test server and per CLI test when
//!   `CERIA_TEST_POSTGRES_URL` is set (`scripts/suites/postgres.sh`);
//! - [`s3`]: the local S3-compatible server of `scripts/suites/s3.sh` and a bucket's keys;
//! - [`tus`]: tus requests on raw connections (a slow body, to make two requests overlap);
//! - [`web`]: a cookie-keeping client of the staff web console (sign-in, forms, tokens).
//!
//! A dev-dependency only (`publish = false`); it may panic freely, as tests do.

pub mod cli;
#[cfg(feature = "device")]
pub mod device;
pub mod fixtures;
pub mod postgres;
pub mod s3;
pub mod server;
pub mod tus;
pub mod web;

/// Milliseconds since the Unix epoch: the clock of core, device and server alike.
pub use ceria_core::now_ms;
#[cfg(feature = "device")]
pub use device::{device_config, queue_ktp, sync_until_done};
pub use fixtures::{
    Fixture, example_form, fixture, fixture_today, jpeg_bytes, newer_catalog, nik, op_id, payload,
    submit, valid_example, write_file,
};
pub use server::{OFFICER, PASSWORD, Reply, TestServer, VILLAGE_X, VILLAGE_Y, agent, b64};
