//! The attachment store behind one seam, with two backends: [`files`] in the data directory
//! (the default) and [`objects`] in an S3-compatible bucket that several server instances
//! share. Either stores a completed upload once, by its SHA-256, and keeps the bytes of
//! unfinished tus uploads until they complete.
//!
//! An enum rather than a trait object: the backends are a closed set known here, the methods
//! are async (a `dyn` trait would need boxed futures), and the handlers keep calling one
//! concrete type. The filesystem backend's blocking calls run on the blocking pool.

pub(crate) mod files;
pub(crate) mod objects;

use crate::config::BlobStoreLocation;
use files::FileBlobs;
use objects::ObjectBlobs;
use std::io;

/// True for a lower-case 64-digit hex string (a SHA-256 as this server writes it).
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// True for an id this server generates for uploads (UUID text): keeps paths inside the store.
pub(crate) fn is_upload_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

/// Where blobs and the bytes of unfinished uploads live.
#[derive(Debug, Clone)]
pub(crate) enum BlobStore {
    /// `blobs/` and `uploads/` in the data directory.
    Files(FileBlobs),
    /// An S3-compatible bucket.
    Objects(ObjectBlobs),
}

async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(io::Error::other)?
}

impl BlobStore {
    /// Opens the configured store (creating the directories of the filesystem one).
    pub(crate) fn open(config: &crate::Config) -> io::Result<BlobStore> {
        Ok(match &config.blob_store {
            BlobStoreLocation::DataDir => {
                BlobStore::Files(FileBlobs::open(config.blob_dir(), config.upload_dir())?)
            }
            BlobStoreLocation::S3 { bucket, prefix } => {
                BlobStore::Objects(ObjectBlobs::open(bucket, prefix)?)
            }
        })
    }

    /// Prepares the storage of a new upload.
    pub(crate) async fn create_part(&self, upload_id: &str) -> io::Result<()> {
        match self {
            BlobStore::Files(f) => {
                let (f, id) = (f.clone(), upload_id.to_string());
                off_thread(move || f.create_part(&id)).await
            }
            BlobStore::Objects(o) => o.create_part(upload_id),
        }
    }

    /// A writer for a PATCH starting at `offset` (the confirmed offset): bytes stored past it
    /// before a crash, never confirmed, are dropped first.
    pub(crate) async fn append_at(&self, upload_id: &str, offset: u64) -> io::Result<PartWriter> {
        Ok(match self {
            BlobStore::Files(f) => PartWriter::Files(f.append_at(upload_id, offset).await?),
            BlobStore::Objects(o) => PartWriter::Objects(o.append_at(upload_id, offset).await?),
        })
    }

    /// Cuts an upload's bytes back to `offset` (a patch whose checksum failed).
    pub(crate) async fn truncate_part(&self, upload_id: &str, offset: u64) -> io::Result<()> {
        match self {
            BlobStore::Files(f) => {
                let (f, id) = (f.clone(), upload_id.to_string());
                off_thread(move || f.truncate_part(&id, offset)).await
            }
            BlobStore::Objects(o) => o.truncate_part(upload_id, offset).await,
        }
    }

    /// SHA-256 (hex) and size of an upload's bytes.
    pub(crate) async fn hash_part(&self, upload_id: &str) -> io::Result<(String, u64)> {
        match self {
            BlobStore::Files(f) => {
                let (f, id) = (f.clone(), upload_id.to_string());
                off_thread(move || f.hash_part(&id)).await
            }
            BlobStore::Objects(o) => o.hash_part(upload_id).await,
        }
    }

    /// Stores a complete upload as the blob `sha256` (once: when that content is stored
    /// already the upload's bytes are simply dropped).
    pub(crate) async fn promote(&self, upload_id: &str, sha256: &str) -> io::Result<()> {
        match self {
            BlobStore::Files(f) => {
                let (f, id, sha) = (f.clone(), upload_id.to_string(), sha256.to_string());
                off_thread(move || f.promote(&id, &sha)).await
            }
            BlobStore::Objects(o) => o.promote(upload_id, sha256).await,
        }
    }

    /// True when the blob is stored (the handlers go by the database's blob index).
    #[cfg(test)]
    pub(crate) async fn has_blob(&self, sha256: &str) -> io::Result<bool> {
        match self {
            BlobStore::Files(f) => Ok(f.blob_path(sha256).is_some_and(|p| p.exists())),
            BlobStore::Objects(o) => o.has_blob(sha256).await,
        }
    }

    /// The first bytes of a blob (enough to tell its media type), `None` when it is absent.
    /// For blocking code (the push's validation runs on the blocking pool).
    pub(crate) fn read_head_blocking(
        &self,
        sha256: &str,
        len: usize,
    ) -> io::Result<Option<Vec<u8>>> {
        match self {
            BlobStore::Files(f) => f.read_head(sha256, len),
            BlobStore::Objects(o) => tokio::runtime::Handle::try_current()
                .map_err(io::Error::other)?
                .block_on(o.read_head(sha256, len)),
        }
    }

    /// A whole blob (attachments are at most the upload limit), `None` when it is absent.
    pub(crate) async fn read_blob(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        match self {
            BlobStore::Files(f) => {
                let Some(path) = f.blob_path(sha256) else {
                    return Ok(None);
                };
                match tokio::fs::read(path).await {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            }
            BlobStore::Objects(o) => o.read_blob(sha256).await,
        }
    }

    /// Removes a blob nothing refers to any more (absent is fine).
    pub(crate) async fn remove_blob(&self, sha256: &str) -> io::Result<()> {
        match self {
            BlobStore::Files(f) => {
                let (f, sha) = (f.clone(), sha256.to_string());
                off_thread(move || f.remove_blob(&sha)).await
            }
            BlobStore::Objects(o) => o.remove_blob(sha256).await,
        }
    }

    /// Removes an upload's stored bytes, if any.
    pub(crate) async fn remove_part(&self, upload_id: &str) -> io::Result<()> {
        match self {
            BlobStore::Files(f) => {
                let (f, id) = (f.clone(), upload_id.to_string());
                off_thread(move || f.remove_part(&id)).await
            }
            BlobStore::Objects(o) => o.remove_part(upload_id).await,
        }
    }
}

/// Stores one PATCH's bytes.
#[derive(Debug)]
pub(crate) enum PartWriter {
    /// Appends to the partial file.
    Files(files::PartWriter),
    /// Writes one part object.
    Objects(objects::PartWriter),
}

impl PartWriter {
    /// Appends bytes.
    pub(crate) async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            PartWriter::Files(w) => w.write(data).await,
            PartWriter::Objects(w) => w.write(data).await,
        }
    }

    /// Bytes appended so far.
    pub(crate) fn written(&self) -> u64 {
        match self {
            PartWriter::Files(w) => w.written(),
            PartWriter::Objects(w) => w.written(),
        }
    }

    /// Makes the bytes durable; returns the new offset. Only after this may the offset be
    /// advertised.
    pub(crate) async fn sync(self) -> io::Result<u64> {
        match self {
            PartWriter::Files(w) => w.sync().await,
            PartWriter::Objects(w) => w.sync().await,
        }
    }

    /// Gives the bytes up (then [`BlobStore::truncate_part`] cuts what reached the store).
    pub(crate) async fn discard(self) -> io::Result<()> {
        match self {
            PartWriter::Files(w) => w.discard().await,
            PartWriter::Objects(w) => w.discard().await,
        }
    }
}

#[cfg(test)]
mod tests;
