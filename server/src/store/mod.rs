//! Persistence: every SQL statement of the server lives here, behind the narrow [`Db`] API
//! (one module per group of tables adds its methods to it), so handlers never see SQL. The
//! SQL is written once and runs on SQLite or PostgreSQL through the executor seam in
//! [`sql`](self::sql). Attachment files live in the `blobs` store.

pub(crate) mod accounts;
pub(crate) mod administration;
pub(crate) mod blobs;
pub(crate) mod catalog;
#[cfg(test)]
mod concurrency;
mod db;
pub(crate) mod drafts;
pub(crate) mod exports;
#[cfg(test)]
mod feed_audience;
pub(crate) mod holidays;
pub(crate) mod identity;
pub(crate) mod push;
pub(crate) mod rate_limits;
pub(crate) mod requests;
mod schema;
pub(crate) mod sessions;
pub(crate) mod sql;
pub mod testing;
pub(crate) mod uploads;

pub use db::{Db, DbError};
pub(crate) use db::{new_id, now_ms};
pub use schema::SchemaError;
