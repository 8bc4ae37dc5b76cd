//! SQLite support shared by the device store and the server store (feature `sqlite`).

pub mod migrate;

pub use migrate::{MigrateError, migrate};
