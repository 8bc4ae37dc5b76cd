//! The HTTP edge of the server: turns requests into calls of the domain and the store, and
//! their results into JSON or `application/problem+json` answers.
//!
//! [`app::router`] merges the `router()` of each resource module and adds the layers
//! (problem rendering, panic catching, request log, body read timeout); [`serve`] serves it
//! within the connection limits.

pub(crate) mod app;
pub(crate) mod auth;
pub(crate) mod client_addr;
pub(crate) mod error;
pub(crate) mod hashing;
pub(crate) mod limits;
pub(crate) mod openapi;
pub(crate) mod serve;
pub(crate) mod state;
pub(crate) mod tus;

pub(crate) mod accounts;
pub(crate) mod catalog;
pub(crate) mod exports;
pub(crate) mod holidays;
pub(crate) mod identity;
pub(crate) mod review;
pub(crate) mod stats;
pub(crate) mod sync;
pub(crate) mod uploads;
pub(crate) mod users;
