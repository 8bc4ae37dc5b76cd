//! The filesystem blob store (the default): `blobs/<sha256>` under the data directory, plus
//! `uploads/<id>.part` for uploads in progress.
//!
//! A blob is written as a partial file, fsynced, then renamed to its hash (and the directory
//! fsynced), so a crash leaves either no blob or a whole one. Identical content is stored once:
//! when the blob already exists the partial file is simply dropped.

use super::{is_sha256_hex, is_upload_id};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Where blobs and partial uploads live.
#[derive(Debug, Clone)]
pub(crate) struct FileBlobs {
    blob_dir: PathBuf,
    upload_dir: PathBuf,
}

pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    // Directory fsync makes the rename durable; not supported on every platform.
    match File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
        Err(e) if cfg!(windows) => {
            let _ = e;
            Ok(())
        }
        Err(e) => Err(e),
    }
}

impl FileBlobs {
    /// Opens the store, creating its directories.
    pub(crate) fn open(blob_dir: PathBuf, upload_dir: PathBuf) -> io::Result<FileBlobs> {
        fs::create_dir_all(&blob_dir)?;
        fs::create_dir_all(&upload_dir)?;
        Ok(FileBlobs {
            blob_dir,
            upload_dir,
        })
    }

    /// Path of a blob (`None` for anything but a SHA-256 hex string).
    pub(crate) fn blob_path(&self, sha256: &str) -> Option<PathBuf> {
        is_sha256_hex(sha256).then(|| self.blob_dir.join(sha256))
    }

    /// Path of an upload's partial file (`None` for a malformed id).
    pub(crate) fn part_path(&self, upload_id: &str) -> Option<PathBuf> {
        is_upload_id(upload_id).then(|| self.upload_dir.join(format!("{upload_id}.part")))
    }

    fn part(&self, upload_id: &str) -> io::Result<PathBuf> {
        self.part_path(upload_id)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "upload id"))
    }

    /// Creates an empty partial file.
    pub(crate) fn create_part(&self, upload_id: &str) -> io::Result<()> {
        let file = File::create(self.part(upload_id)?)?;
        file.sync_all()?;
        sync_dir(&self.upload_dir)
    }

    /// Opens a partial file for appending at `offset`: bytes beyond it (written before a crash,
    /// never confirmed) are cut off first.
    pub async fn append_at(&self, upload_id: &str, offset: u64) -> io::Result<PartWriter> {
        let path = self.part(upload_id)?;
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .await?;
        file.set_len(offset).await?;
        let mut file = file;
        tokio::io::AsyncSeekExt::seek(&mut file, io::SeekFrom::Start(offset)).await?;
        Ok(PartWriter {
            file,
            start: offset,
            written: 0,
        })
    }

    /// Cuts a partial file back to `offset` (a patch whose checksum failed).
    pub(crate) fn truncate_part(&self, upload_id: &str, offset: u64) -> io::Result<()> {
        let file = OpenOptions::new().write(true).open(self.part(upload_id)?)?;
        file.set_len(offset)?;
        file.sync_all()
    }

    /// SHA-256 (hex) and size of a partial file.
    pub(crate) fn hash_part(&self, upload_id: &str) -> io::Result<(String, u64)> {
        let mut file = File::open(self.part(upload_id)?)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        Ok((hex::encode(hasher.finalize()), size))
    }

    /// Moves a complete partial file to `blobs/<sha256>`, or drops it when that content is
    /// already stored.
    pub(crate) fn promote(&self, upload_id: &str, sha256: &str) -> io::Result<()> {
        let part = self.part(upload_id)?;
        let blob = self
            .blob_path(sha256)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "sha256"))?;
        if blob.exists() {
            return fs::remove_file(part);
        }
        File::open(&part)?.sync_all()?;
        fs::rename(&part, &blob)?;
        sync_dir(&self.blob_dir)
    }

    /// The first bytes of a blob (enough to tell its media type), `None` when it is absent.
    pub(crate) fn read_head(&self, sha256: &str, len: usize) -> io::Result<Option<Vec<u8>>> {
        let Some(path) = self.blob_path(sha256) else {
            return Ok(None);
        };
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut head = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut head)?;
        Ok(Some(head))
    }

    /// Removes a blob nothing refers to any more (absent is fine).
    pub(crate) fn remove_blob(&self, sha256: &str) -> io::Result<()> {
        let path = self
            .blob_path(sha256)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "sha256"))?;
        match fs::remove_file(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Removes a partial file if present.
    pub(crate) fn remove_part(&self, upload_id: &str) -> io::Result<()> {
        match fs::remove_file(self.part(upload_id)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// Appends a patch to a partial file.
#[derive(Debug)]
pub(crate) struct PartWriter {
    file: tokio::fs::File,
    start: u64,
    written: u64,
}

impl PartWriter {
    /// Appends bytes.
    pub async fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.file.write_all(data).await?;
        self.written += data.len() as u64;
        Ok(())
    }

    /// Bytes appended so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    /// Gives the bytes up. tokio writes files in the background: the write in flight is
    /// awaited, or it could land after the truncation that follows and undo it.
    pub(crate) async fn discard(mut self) -> io::Result<()> {
        self.file.flush().await
    }

    /// Makes the appended bytes durable; returns the new offset. Only after this may the
    /// offset be advertised.
    pub async fn sync(mut self) -> io::Result<u64> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(self.start + self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, FileBlobs) {
        let dir = tempfile::tempdir().unwrap();
        let s = FileBlobs::open(dir.path().join("blobs"), dir.path().join("uploads")).unwrap();
        (dir, s)
    }

    #[test]
    fn ids_and_hashes_cannot_escape_the_store() {
        let (_d, s) = store();
        assert!(s.part_path("../../etc/passwd").is_none());
        assert!(
            s.part_path("0190a0e0-0000-7000-8000-000000000000")
                .is_some()
        );
        assert!(
            s.part_path("0190A0E0-0000-7000-8000-000000000000")
                .is_none()
        );
        assert!(s.blob_path(&"a".repeat(64)).is_some());
        assert!(s.blob_path(&"A".repeat(64)).is_none());
        assert!(s.blob_path("../x").is_none());
    }

    #[tokio::test]
    async fn append_resume_truncate_and_promote_once() {
        let (_d, s) = store();
        let id = uuid::Uuid::now_v7().to_string();
        s.create_part(&id).unwrap();
        let mut w = s.append_at(&id, 0).await.unwrap();
        w.write(b"hello ").await.unwrap();
        w.write(b"GARBAGE").await.unwrap();
        assert_eq!(w.sync().await.unwrap(), 13);
        // Only 6 bytes were confirmed: resuming at 6 cuts the rest.
        let mut w = s.append_at(&id, 6).await.unwrap();
        w.write(b"world").await.unwrap();
        assert_eq!(w.written(), 5);
        assert_eq!(w.sync().await.unwrap(), 11);
        let (sha, size) = s.hash_part(&id).unwrap();
        assert_eq!(size, 11);
        assert_eq!(sha, hex::encode(Sha256::digest(b"hello world")));
        s.promote(&id, &sha).unwrap();
        assert_eq!(
            fs::read(s.blob_path(&sha).unwrap()).unwrap(),
            b"hello world"
        );
        assert!(!s.part_path(&id).unwrap().exists());
        // Same content again: stored once, the part is dropped.
        let id2 = uuid::Uuid::now_v7().to_string();
        s.create_part(&id2).unwrap();
        let mut w = s.append_at(&id2, 0).await.unwrap();
        w.write(b"hello world").await.unwrap();
        w.sync().await.unwrap();
        s.truncate_part(&id2, 11).unwrap();
        s.promote(&id2, &sha).unwrap();
        assert!(!s.part_path(&id2).unwrap().exists());
        assert_eq!(fs::read_dir(s.blob_dir.clone()).unwrap().count(), 1);
        s.remove_part(&id2).unwrap();
    }
}
