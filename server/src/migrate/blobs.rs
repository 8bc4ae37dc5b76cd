//! The files: every blob the registry's `blobs` index lists, and the confirmed bytes of every
//! unfinished upload, carried into the target blob store through the store's own seam (a
//! content-addressed `promote`, so a second run finds them there and changes nothing), then
//! each blob read back from the target and checked against its SHA-256. When the target is
//! the data directory itself, nothing moves and every blob is still read and checked.

use super::MigrateError;
use crate::config::BlobStoreLocation;
use crate::store::blobs::BlobStore;
use crate::store::blobs::files::FileBlobs;
use sha2::{Digest, Sha256};
use std::path::Path;

/// What [`copy_and_verify`] did.
pub(super) struct BlobCopy {
    pub(super) blobs: u64,
    pub(super) bytes: u64,
    pub(super) copied: u64,
    pub(super) partial_uploads: u64,
}

/// Copies the blobs and unfinished uploads of the registry `source` (read through its
/// snapshot) from `data_dir` into `target`, and verifies every blob there.
pub(super) fn copy_and_verify(
    source: &rusqlite::Connection,
    data_dir: &Path,
    target: &BlobStoreLocation,
) -> Result<BlobCopy, MigrateError> {
    let indexed: Vec<(String, i64)> = source
        .prepare("SELECT sha256, size FROM blobs ORDER BY sha256")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let partial: Vec<(String, i64)> = source
        .prepare(
            "SELECT id, upload_offset FROM uploads WHERE completed_ms IS NULL AND upload_offset > 0
             ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;

    let mut config = crate::Config::new(data_dir, ([127, 0, 0, 1], 0).into());
    // A registry that already kept its files in a bucket has no `blobs/` here: they are
    // verified where the target store names them, nothing is copied.
    let files = match config.blob_dir().is_dir() && *target != BlobStoreLocation::DataDir {
        true => Some(FileBlobs::open(config.blob_dir(), config.upload_dir())?),
        false => None,
    };
    config.blob_store = target.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let store = BlobStore::open(&config)?;
    runtime.block_on(async {
        let mut report = BlobCopy {
            blobs: 0,
            bytes: 0,
            copied: 0,
            partial_uploads: 0,
        };
        for (sha256, size) in &indexed {
            if let Some(files) = &files {
                let path = files
                    .blob_path(sha256)
                    .ok_or_else(|| MigrateError::Verification(format!("blob name {sha256}")))?;
                let bytes = tokio::fs::read(&path).await?;
                let staging = uuid::Uuid::new_v4().to_string();
                store.create_part(&staging).await?;
                let mut writer = store.append_at(&staging, 0).await?;
                writer.write(&bytes).await?;
                writer.sync().await?;
                store.promote(&staging, sha256).await?;
                report.copied += 1;
            }
            let stored = store.read_blob(sha256).await?.ok_or_else(|| {
                MigrateError::Verification(format!("blob {sha256} is missing in the blob store"))
            })?;
            let actual = hex::encode(Sha256::digest(&stored));
            if actual != *sha256 || i64::try_from(stored.len()).ok() != Some(*size) {
                return Err(MigrateError::Verification(format!(
                    "blob {sha256} ({size} bytes) reads back as {actual} ({} bytes)",
                    stored.len()
                )));
            }
            report.blobs += 1;
            report.bytes += stored.len() as u64;
        }
        if let Some(files) = &files {
            for (id, offset) in &partial {
                let Some(path) = files.part_path(id) else {
                    continue;
                };
                let mut bytes = match tokio::fs::read(&path).await {
                    Ok(b) => b,
                    // Swept or never written: the upload restarts from its stored offset's
                    // check (HEAD answers what the store holds).
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e.into()),
                };
                // Only confirmed bytes: anything past the offset was never acknowledged.
                bytes.truncate(usize::try_from(*offset).unwrap_or(usize::MAX));
                store.create_part(id).await?;
                let mut writer = store.append_at(id, 0).await?;
                writer.write(&bytes).await?;
                writer.sync().await?;
                report.partial_uploads += 1;
            }
        }
        Ok(report)
    })
}
