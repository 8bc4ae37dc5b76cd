//! `ceria admin backup --to FILE` and `ceria admin restore --from FILE`: the words and exit
//! statuses around `ceria_server::backup`.

use crate::exit::{self, Failure};
use ceria_server::backup::{self, BackupError, Manifest};
use serde_json::json;
use std::path::Path;

fn failure(e: &BackupError) -> Failure {
    let status = match e {
        BackupError::NoDatabase(_) => exit::NOT_FOUND,
        BackupError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => exit::NOT_FOUND,
        BackupError::NotEmpty(_) | BackupError::Invalid(_) | BackupError::Json(_) => exit::INVALID,
        BackupError::Io(_) | BackupError::Sqlite(_) => exit::INTERNAL,
    };
    Failure::new(status, e.to_string())
}

fn summary(m: &Manifest) -> serde_json::Value {
    json!({
        "database_sha256": m.database_sha256,
        "requests": m.counts.get("requests").copied().unwrap_or(0),
        "accounts": m.counts.get("users").copied().unwrap_or(0),
        "blobs_included": m.blobs_included,
        "blobs": m.blobs.len(),
        "blob_bytes": m.blob_bytes(),
        "swept_meanwhile": m.swept_meanwhile,
    })
}

/// Runs `ceria admin backup`.
pub fn backup(data: &Path, to: &Path, json: bool) -> Result<u8, Failure> {
    let m = backup::backup(data, to).map_err(|e| failure(&e))?;
    if json {
        let mut line = summary(&m);
        line["backup"] = json!(to.display().to_string());
        crate::output::json_line(&line);
    } else {
        say!(
            "Cadangan ditulis / backup written: {} ({} tabel/tables, {} berkas/files, {} bytes)",
            to.display(),
            m.counts.len(),
            m.blobs.len(),
            m.blob_bytes()
        );
        if !m.blobs_included {
            say!(
                "Tanpa berkas lampiran: tidak ada blobs/ di direktori data / no attachments: \
                 the data directory has no blobs/ (kept in object storage)"
            );
        }
    }
    Ok(exit::OK)
}

/// Runs `ceria admin restore`.
pub fn restore(from: &Path, data: &Path, json: bool) -> Result<u8, Failure> {
    let m = backup::restore(from, data).map_err(|e| failure(&e))?;
    if json {
        let mut line = summary(&m);
        line["restored"] = json!(data.display().to_string());
        crate::output::json_line(&line);
    } else {
        say!(
            "Dipulihkan dan diperiksa / restored and verified into {}: {} tabel/tables, {} berkas/files",
            data.display(),
            m.counts.len(),
            m.blobs.len()
        );
    }
    Ok(exit::OK)
}
