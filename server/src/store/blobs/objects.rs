//! The S3-compatible blob store (`--blob-store s3://BUCKET[/prefix]`): `blobs/<sha256>` and
//! the parts of unfinished uploads as `uploads/<id>/<offset>`, in a bucket every instance
//! reaches.
//!
//! S3 has no append, so each PATCH's bytes become one object named by the offset they start
//! at; the offset the client may resume from is the one in the (shared) database, so an upload
//! started through one instance continues through any other. A part is written whole before
//! the offset moves: a part starting at or past the recorded offset was never confirmed and is
//! replaced. At completion the parts are streamed in order through SHA-256 into the blob, which
//! appears at once (an S3 put is atomic), then the parts are deleted. Memory stays bounded by
//! the write buffer whatever the file size.
//!
//! Two instances never write one upload's parts at the same moment: each PATCH is the
//! upload's one writer under its lease in the shared database (`http::uploads::lease`).

use super::{is_sha256_hex, is_upload_id};
use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use std::io;
use std::sync::Arc;
use tokio::io::AsyncWriteExt;

/// Bytes buffered before a write turns into a multipart upload (S3's smallest part is 5 MiB):
/// the most one PATCH holds in memory.
const WRITE_BUFFER: usize = 5 * 1024 * 1024;

/// A bucket (and a key prefix in it) holding blobs and upload parts.
#[derive(Debug, Clone)]
pub(crate) struct ObjectBlobs {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(other),
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_string())
}

impl ObjectBlobs {
    /// The store in `bucket` under `prefix`; endpoint, region and credentials come from the
    /// usual AWS environment variables (`AWS_ENDPOINT_URL`, `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). Plain HTTP is allowed only when the
    /// endpoint says `http://` (a local S3-compatible server).
    pub(crate) fn open(bucket: &str, prefix: &str) -> io::Result<ObjectBlobs> {
        // The HTTP client is built without a TLS provider of its own: ring, as for the rest of
        // the tree (already installed is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if std::env::var("AWS_ENDPOINT_URL").is_ok_and(|u| u.starts_with("http://")) {
            builder = builder.with_allow_http(true);
        }
        let store = builder.build().map_err(io_error)?;
        Ok(ObjectBlobs {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    fn key(&self, rest: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(rest)
        } else {
            ObjectPath::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn blob_key(&self, sha256: &str) -> io::Result<ObjectPath> {
        if !is_sha256_hex(sha256) {
            return Err(invalid("sha256"));
        }
        Ok(self.key(&format!("blobs/{sha256}")))
    }

    fn parts_prefix(&self, upload_id: &str) -> io::Result<ObjectPath> {
        if !is_upload_id(upload_id) {
            return Err(invalid("upload id"));
        }
        Ok(self.key(&format!("uploads/{upload_id}")))
    }

    /// The parts of an upload as (offset, size, key), by offset.
    async fn parts(&self, upload_id: &str) -> io::Result<Vec<(u64, u64, ObjectPath)>> {
        let prefix = self.parts_prefix(upload_id)?;
        let mut listing = self.store.list(Some(&prefix));
        let mut parts = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(io_error)?;
            let Some(offset) = meta
                .location
                .filename()
                .and_then(|name| name.parse::<u64>().ok())
            else {
                continue;
            };
            parts.push((offset, meta.size, meta.location));
        }
        parts.sort_by_key(|p| p.0);
        Ok(parts)
    }

    /// The parts that make the file, in order; a gap or an overlap means an offset was
    /// confirmed without its bytes, which is refused rather than stored as a wrong file.
    async fn chain(&self, upload_id: &str) -> io::Result<Vec<ObjectPath>> {
        let mut next = 0u64;
        let mut keys = Vec::new();
        for (start, size, key) in self.parts(upload_id).await? {
            if start != next {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("upload {upload_id}: a part starts at {start}, expected {next}"),
                ));
            }
            next += size;
            keys.push(key);
        }
        Ok(keys)
    }

    async fn delete(&self, key: &ObjectPath) -> io::Result<()> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }

    /// Nothing to create: parts appear with their bytes. Checks the id.
    pub(crate) fn create_part(&self, upload_id: &str) -> io::Result<()> {
        self.parts_prefix(upload_id).map(|_| ())
    }

    /// A writer for the part starting at `offset`; parts at or past it were never confirmed
    /// and are removed first.
    pub(crate) async fn append_at(&self, upload_id: &str, offset: u64) -> io::Result<PartWriter> {
        self.truncate_part(upload_id, offset).await?;
        let key = self.key(&format!("uploads/{upload_id}/{offset:020}"));
        Ok(PartWriter {
            writer: BufWriter::with_capacity(self.store.clone(), key, WRITE_BUFFER),
            start: offset,
            written: 0,
        })
    }

    /// Removes the parts starting at or past `offset`.
    pub(crate) async fn truncate_part(&self, upload_id: &str, offset: u64) -> io::Result<()> {
        for (start, _, key) in self.parts(upload_id).await? {
            if start >= offset {
                self.delete(&key).await?;
            }
        }
        Ok(())
    }

    /// SHA-256 (hex) and size of the parts read in order.
    pub(crate) async fn hash_part(&self, upload_id: &str) -> io::Result<(String, u64)> {
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        for key in self.chain(upload_id).await? {
            let mut stream = self.store.get(&key).await.map_err(io_error)?.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(io_error)?;
                size += chunk.len() as u64;
                hasher.update(&chunk);
            }
        }
        Ok((hex::encode(hasher.finalize()), size))
    }

    /// Streams the parts into `blobs/<sha256>` (unless that content is stored already), checking
    /// the hash on the way, then deletes the parts.
    pub(crate) async fn promote(&self, upload_id: &str, sha256: &str) -> io::Result<()> {
        let blob = self.blob_key(sha256)?;
        if !self.exists(&blob).await? {
            let mut writer = BufWriter::with_capacity(self.store.clone(), blob, WRITE_BUFFER);
            match self.copy_parts(upload_id, sha256, &mut writer).await {
                Ok(()) => writer.shutdown().await?,
                Err(e) => {
                    // Aborted, the blob never appears.
                    let _ = writer.abort().await;
                    return Err(e);
                }
            }
        }
        self.remove_part(upload_id).await
    }

    async fn copy_parts(
        &self,
        upload_id: &str,
        sha256: &str,
        writer: &mut BufWriter,
    ) -> io::Result<()> {
        let mut hasher = Sha256::new();
        for key in self.chain(upload_id).await? {
            let mut stream = self.store.get(&key).await.map_err(io_error)?.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(io_error)?;
                hasher.update(&chunk);
                writer.write_all(&chunk).await?;
            }
        }
        if hex::encode(hasher.finalize()) != sha256 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("upload {upload_id}: the parts changed after they were hashed"),
            ));
        }
        Ok(())
    }

    async fn exists(&self, key: &ObjectPath) -> io::Result<bool> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(io_error(e)),
        }
    }

    /// True when the blob is stored.
    #[cfg(test)]
    pub(crate) async fn has_blob(&self, sha256: &str) -> io::Result<bool> {
        self.exists(&self.blob_key(sha256)?).await
    }

    /// The first `len` bytes of a blob, `None` when it is absent.
    pub(crate) async fn read_head(&self, sha256: &str, len: usize) -> io::Result<Option<Vec<u8>>> {
        let Ok(key) = self.blob_key(sha256) else {
            return Ok(None);
        };
        let meta = match self.store.head(&key).await {
            Ok(meta) => meta,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(io_error(e)),
        };
        let end = meta.size.min(len as u64);
        if end == 0 {
            return Ok(Some(Vec::new()));
        }
        let bytes = self.store.get_range(&key, 0..end).await.map_err(io_error)?;
        Ok(Some(bytes.to_vec()))
    }

    /// A whole blob, `None` when it is absent.
    pub(crate) async fn read_blob(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        let Ok(key) = self.blob_key(sha256) else {
            return Ok(None);
        };
        match self.store.get(&key).await {
            Ok(got) => Ok(Some(got.bytes().await.map_err(io_error)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io_error(e)),
        }
    }

    /// Removes a blob (absent is fine).
    pub(crate) async fn remove_blob(&self, sha256: &str) -> io::Result<()> {
        self.delete(&self.blob_key(sha256)?).await
    }

    /// Removes every part of an upload.
    pub(crate) async fn remove_part(&self, upload_id: &str) -> io::Result<()> {
        for (_, _, key) in self.parts(upload_id).await? {
            self.delete(&key).await?;
        }
        Ok(())
    }
}

/// Writes one PATCH's bytes as one part object.
pub(crate) struct PartWriter {
    writer: BufWriter,
    start: u64,
    written: u64,
}

impl std::fmt::Debug for PartWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartWriter")
            .field("start", &self.start)
            .field("written", &self.written)
            .finish()
    }
}

impl PartWriter {
    /// Appends bytes (buffered, then streamed as a multipart upload).
    pub(crate) async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.writer.write_all(data).await?;
        self.written += data.len() as u64;
        Ok(())
    }

    /// Bytes appended so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Stores the part (an empty one is not stored); returns the new offset.
    pub(crate) async fn sync(mut self) -> io::Result<u64> {
        if self.written == 0 {
            self.writer.abort().await.map_err(io_error)?;
        } else {
            self.writer.shutdown().await?;
        }
        Ok(self.start + self.written)
    }

    /// Drops the part: nothing of it is stored.
    pub(crate) async fn discard(mut self) -> io::Result<()> {
        self.writer.abort().await.map_err(io_error)
    }
}
