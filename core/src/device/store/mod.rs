//! The device's local store: one SQLite database ([`db`]) with its schema ([`schema`]), one
//! module per table (accounts, drafts, requests, attachments with their content-addressed
//! files, the outbox of operations waiting to be sent, the uploads of those files), each a set of functions that run inside
//! a `Db::read` / `Db::write` call. No network code lives here.

pub(crate) mod accounts;
pub(crate) mod attachments;
pub(crate) mod db;
pub(crate) mod drafts;
pub(crate) mod outbox;
pub(crate) mod requests;
pub(crate) mod schema;
pub(crate) mod uploads;
