//! `ceria admin migrate --to postgres://… [--blob-store s3://…]`: the words and exit statuses
//! around `ceria_server::migrate` (a SQLite registry moved into PostgreSQL, verified).

use crate::exit::{self, Failure};
use ceria_server::BlobStoreLocation;
use ceria_server::migrate::{self, MigrateError, MigrationReport};
use std::path::Path;

fn failure(e: &MigrateError) -> Failure {
    let status = match e {
        MigrateError::NoRegistry(_) => exit::NOT_FOUND,
        MigrateError::TargetNotEmpty { .. }
        | MigrateError::Schema(_)
        | MigrateError::Value { .. }
        | MigrateError::Verification(_) => exit::INVALID,
        MigrateError::Db(_)
        | MigrateError::Source(_)
        | MigrateError::Target(_)
        | MigrateError::Blobs(_) => exit::INTERNAL,
    };
    Failure::new(status, e.to_string())
}

/// Runs `ceria admin migrate`.
pub fn run(
    data: &Path,
    to: &str,
    blob_store: Option<BlobStoreLocation>,
    json: bool,
) -> Result<u8, Failure> {
    let blob_store = blob_store.unwrap_or_default();
    let report = migrate::migrate(data, to, &blob_store).map_err(|e| failure(&e))?;
    if json {
        crate::output::json_line(&report);
    } else {
        say_report(&report);
    }
    Ok(exit::OK)
}

fn say_report(r: &MigrationReport) {
    say!(
        "Dipindahkan dan diperiksa / migrated and verified: {} baris/rows in {} tabel/tables, \
         {} berkas/files ({} bytes) in {}",
        r.rows(),
        r.tables.len(),
        r.blobs,
        r.blob_bytes,
        r.blob_store
    );
    for t in &r.tables {
        say!("  {:<24} {:>9}", t.table, t.rows);
    }
    for s in &r.sequences {
        say!("  urutan / sequence {} -> {}", s.column, s.next);
    }
    if r.blobs_copied > 0 || r.partial_uploads > 0 {
        say!(
            "  {} berkas disalin / files copied, {} unggahan belum selesai / unfinished uploads carried over",
            r.blobs_copied,
            r.partial_uploads
        );
    }
}
