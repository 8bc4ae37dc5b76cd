//! The device's local store: one SQLite database ([`db`]) with its schema ([`schema`]), one
//! module per table (accounts, drafts, requests, attachments, the content-addressed
//! files (sealed per account when the device has a key), the outbox of operations waiting to be sent, the uploads of those files), each a set of functions that run inside
//! a `Db::read` / `Db::write` call. No network code lives here.

pub(crate) mod accounts;
pub(crate) mod attachments;
pub(crate) mod db;
pub(crate) mod drafts;
pub(crate) mod files;
pub(crate) mod keys;
pub(crate) mod outbox;
pub(crate) mod requests;
pub(crate) mod schema;
pub(crate) mod sealed;
pub(crate) mod uploads;
