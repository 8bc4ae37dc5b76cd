//! Moving up: copies a SQLite registry (the `ceria.db` of a data directory and its blobs)
//! into an empty PostgreSQL database, for a regency that outgrows one machine
//! (`ceria admin migrate --data DIR --to postgres://…`).
//!
//! The target's schema is made by [`Db::open_postgres`] (the server's own migrations); the
//! rows are copied by [`tables`] from every table of the SQLite schema, in foreign-key order,
//! keeping ids, feed positions and password hashes as they are, in **one** transaction that
//! also moves the PostgreSQL sequences past the copied maxima and compares the row counts of
//! every table before it commits. The blobs (and the bytes of unfinished uploads) are copied
//! first by [`blobs`] to the chosen blob store and read back against their SHA-256. A failure
//! anywhere leaves the target database as it was (empty) and the blob copies are
//! content-addressed, so the command can simply be run again; a target holding any row is
//! refused.

mod blobs;
mod tables;

use crate::config::BlobStoreLocation;
use crate::store::{Db, DbError};
use serde::Serialize;
use std::path::Path;

/// Why a migration stopped (the target database is left unchanged).
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The data directory holds no registry.
    #[error("{0} has no registry (ceria.db)")]
    NoRegistry(String),
    /// The source or target database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Reading the SQLite registry failed.
    #[error("reading the SQLite registry: {0}")]
    Source(#[from] rusqlite::Error),
    /// Writing PostgreSQL failed.
    #[error("writing PostgreSQL: {0}")]
    Target(#[from] postgres::Error),
    /// The target already holds rows: a migration goes into an empty database only.
    #[error("the target database is not empty: table {table} has rows")]
    TargetNotEmpty {
        /// The first table found with rows.
        table: String,
    },
    /// The two schemas do not match (a column with no place in the target, say).
    #[error("schemas differ: {0}")]
    Schema(String),
    /// A value could not be carried over.
    #[error("table {table}, column {column}: {reason}")]
    Value {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// What was wrong.
        reason: String,
    },
    /// A check after the copy failed (counts or hashes).
    #[error("verification failed: {0}")]
    Verification(String),
    /// Reading or writing blobs failed.
    #[error("blobs: {0}")]
    Blobs(#[from] std::io::Error),
}

/// One copied table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Rows copied (equal in both databases: verified).
    pub rows: u64,
}

/// A sequence moved past the copied ids.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SequenceReset {
    /// `table.column`.
    pub column: String,
    /// The next value it hands out.
    pub next: i64,
}

/// What a migration copied and verified.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    /// Every table of the SQLite schema, in copy order.
    pub tables: Vec<TableCopy>,
    /// Sequences set past the copied maxima.
    pub sequences: Vec<SequenceReset>,
    /// Blobs (completed uploads, attachments) verified in the target blob store.
    pub blobs: u64,
    /// Their bytes.
    pub blob_bytes: u64,
    /// Of them, copied into another store (0 when the blobs stay in the data directory).
    pub blobs_copied: u64,
    /// Unfinished uploads whose bytes were carried over (they resume where they stopped).
    pub partial_uploads: u64,
    /// Where the blobs are now (`data directory` or `s3://…`).
    pub blob_store: String,
}

impl MigrationReport {
    /// Rows copied in all.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// Copies the registry of `data_dir` into the empty PostgreSQL database at `target_url` (its
/// schema is created), the blobs into `blob_store` (the data directory: they stay where they
/// are and are verified), and verifies rows and hashes.
pub fn migrate(
    data_dir: &Path,
    target_url: &str,
    blob_store: &BlobStoreLocation,
) -> Result<MigrationReport, MigrateError> {
    let db_path = crate::Config::new(data_dir, ([127, 0, 0, 1], 0).into()).db_path();
    if !db_path.is_file() {
        return Err(MigrateError::NoRegistry(data_dir.display().to_string()));
    }
    // Brings the source to this version's schema (what the target's schema matches).
    drop(Db::open(&db_path)?);
    // Creates the target's schema (and refuses a newer one).
    drop(Db::open_postgres(target_url)?);

    let mut source = rusqlite::Connection::open_with_flags(
        &db_path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // One snapshot for the whole copy, even if a server still writes.
    let snapshot = source.transaction()?;
    let mut target = postgres::Client::connect(target_url, postgres::NoTls)?;
    let plan = tables::plan(&snapshot, &mut target)?;
    tables::ensure_empty(&mut target, &plan)?;

    let blob_report = blobs::copy_and_verify(&snapshot, data_dir, blob_store)?;

    let mut tx = target.transaction()?;
    let copied = tables::copy(&snapshot, &mut tx, &plan)?;
    let sequences = tables::reset_sequences(&mut tx, &plan)?;
    tables::verify_counts(&mut tx, &copied)?;
    tx.commit()?;
    Ok(MigrationReport {
        tables: copied,
        sequences,
        blobs: blob_report.blobs,
        blob_bytes: blob_report.bytes,
        blobs_copied: blob_report.copied,
        partial_uploads: blob_report.partial_uploads,
        blob_store: match blob_store {
            BlobStoreLocation::DataDir => "data directory".to_string(),
            BlobStoreLocation::S3 { bucket, prefix } if prefix.is_empty() => {
                format!("s3://{bucket}")
            }
            BlobStoreLocation::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
        },
    })
}
