//! Attached files and the managed, content-addressed file directory (the catalog's rules,
//! `crate::catalog::attachments`, are checked by the drafting API before a file is copied
//! in). Camera and gallery files vanish or change, so every file
//! is copied in (`files/blobs/<sha256[..2]>/<sha256>`); identical content is stored once and a
//! file is deleted only when no draft or request of any account refers to it any more.

use crate::device::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A file attached to a draft or request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Attachment {
    /// Local id.
    pub id: String,
    /// The catalog attachment requirement it satisfies.
    pub requirement: String,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, e.g. `image/jpeg`.
    pub media_type: String,
    /// The original file name (for display).
    pub file_name: String,
    /// Where the managed copy lives (for thumbnails); valid until the attachment is removed.
    pub path: String,
}

/// A file copied into the managed directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Imported {
    pub(crate) sha256: String,
    pub(crate) size: u64,
}

/// Why a copy did not complete.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ImportError {
    /// The file grew beyond the limit while being copied.
    #[error("file larger than {0} bytes")]
    TooLarge(u64),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The managed, content-addressed file directory.
#[derive(Debug)]
pub(crate) struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// Opens (creating) the directory and removes copies a killed process left half-done.
    pub(crate) fn open(root: &Path) -> std::io::Result<FileStore> {
        fs::create_dir_all(root.join("blobs"))?;
        let tmp = root.join("tmp");
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp)?;
        Ok(FileStore {
            root: root.to_path_buf(),
        })
    }

    /// Where the content with this hash is kept.
    pub(crate) fn blob_path(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("__");
        self.root.join("blobs").join(prefix).join(sha256)
    }

    /// Copies `source` in, hashing as it goes; refuses more than `max_bytes`. The copy is
    /// written to a temporary file, flushed to disk and renamed, so a blob path never holds a
    /// partial file.
    pub(crate) fn import(&self, source: &Path, max_bytes: u64) -> Result<Imported, ImportError> {
        let mut input = File::open(source)?;
        let tmp_path = self
            .root
            .join("tmp")
            .join(crate::device::store::db::new_id());
        let result = self.copy_hashed(&mut input, &tmp_path, max_bytes);
        if result.is_err() {
            // Best effort: the next open clears tmp/ anyway.
            let _ = fs::remove_file(&tmp_path);
        }
        result
    }

    fn copy_hashed(
        &self,
        input: &mut File,
        tmp_path: &Path,
        max_bytes: u64,
    ) -> Result<Imported, ImportError> {
        let mut out = File::create(tmp_path)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > max_bytes {
                return Err(ImportError::TooLarge(max_bytes));
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            out.write_all(chunk)?;
        }
        let sha256 = hex::encode(hasher.finalize());
        let dest = self.blob_path(&sha256);
        if dest.exists() {
            // The same content is already stored (and was flushed when it was).
            drop(out);
            fs::remove_file(tmp_path)?;
        } else {
            out.sync_all()?;
            drop(out);
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::rename(tmp_path, &dest)?;
        }
        Ok(Imported { sha256, size })
    }

    /// Reads up to `len` bytes of a blob from `offset`.
    pub(crate) fn read_chunk(
        &self,
        sha256: &str,
        offset: u64,
        len: usize,
    ) -> std::io::Result<Vec<u8>> {
        let mut file = File::open(self.blob_path(sha256))?;
        file.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut buf)?;
        Ok(buf)
    }

    /// True when the blob exists and its content still hashes to its name.
    pub(crate) fn verify(&self, sha256: &str) -> std::io::Result<bool> {
        let mut file = match File::open(self.blob_path(sha256)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(hex::encode(hasher.finalize()) == sha256)
    }

    /// Deletes one blob (gone already is fine).
    pub(crate) fn remove(&self, sha256: &str) -> std::io::Result<()> {
        match fs::remove_file(self.blob_path(sha256)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Deletes every blob not in `keep`; returns how many were deleted.
    pub(crate) fn collect_garbage(&self, keep: &HashSet<String>) -> std::io::Result<usize> {
        let mut removed = 0;
        for dir in fs::read_dir(self.root.join("blobs"))? {
            let dir = dir?;
            if !dir.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(dir.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().into_owned();
                if !keep.contains(&name) {
                    fs::remove_file(file.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// Where a stored attachment belongs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner<'a> {
    Draft(&'a str),
    Request(&'a str),
}

/// A new attachment row.
pub(crate) struct NewAttachment<'a> {
    pub(crate) account_id: &'a str,
    pub(crate) owner: Owner<'a>,
    pub(crate) requirement: &'a str,
    pub(crate) sha256: &'a str,
    pub(crate) size: u64,
    pub(crate) media_type: &'a str,
    pub(crate) file_name: &'a str,
}

/// Stores an attachment row; returns its id.
pub(crate) fn insert(conn: &Connection, a: &NewAttachment<'_>, now: i64) -> Result<String> {
    let id = crate::device::store::db::new_id();
    let (draft, request) = match a.owner {
        Owner::Draft(d) => (Some(d), None),
        Owner::Request(r) => (None, Some(r)),
    };
    conn.execute(
        "INSERT INTO attachments (id, account_id, draft_id, request_id, requirement, sha256, size, media_type, file_name, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            a.account_id,
            draft,
            request,
            a.requirement,
            a.sha256,
            i64::try_from(a.size).unwrap_or(i64::MAX),
            a.media_type,
            a.file_name,
            now
        ],
    )?;
    Ok(id)
}

fn from_row(files: &FileStore, r: &rusqlite::Row<'_>) -> rusqlite::Result<Attachment> {
    let sha256: String = r.get(2)?;
    Ok(Attachment {
        id: r.get(0)?,
        requirement: r.get(1)?,
        path: files.blob_path(&sha256).to_string_lossy().into_owned(),
        sha256,
        size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        media_type: r.get(4)?,
        file_name: r.get(5)?,
    })
}

/// The attachments of a draft or request, in the order they were added.
pub(crate) fn list(
    conn: &Connection,
    files: &FileStore,
    owner: Owner<'_>,
) -> Result<Vec<Attachment>> {
    let (column, id) = match owner {
        Owner::Draft(d) => ("draft_id", d),
        Owner::Request(r) => ("request_id", r),
    };
    let sql = format!(
        "SELECT id, requirement, sha256, size, media_type, file_name FROM attachments
         WHERE {column} = ?1 ORDER BY created_ms, id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![id], |r| from_row(files, r))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How many files a draft has for one requirement.
pub(crate) fn count_for(conn: &Connection, draft_id: &str, requirement: &str) -> Result<u32> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM attachments WHERE draft_id = ?1 AND requirement = ?2",
        params![draft_id, requirement],
        |r| r.get(0),
    )?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Removes an attachment of a draft of `account_id`; returns false when there is none.
pub(crate) fn delete_from_draft(conn: &Connection, account_id: &str, id: &str) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM attachments WHERE id = ?1 AND account_id = ?2 AND draft_id IS NOT NULL",
        params![id, account_id],
    )? > 0)
}

/// The draft an attachment belongs to, if it belongs to a draft of `account_id`.
pub(crate) fn draft_of(conn: &Connection, account_id: &str, id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT draft_id FROM attachments WHERE id = ?1 AND account_id = ?2 AND draft_id IS NOT NULL",
            params![id, account_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The hashes among `candidates` that no attachment of any account refers to any more.
pub(crate) fn unreferenced(conn: &Connection, candidates: &[String]) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT 1 FROM attachments WHERE sha256 = ?1 LIMIT 1")?;
    let mut out = Vec::new();
    for sha in candidates {
        if !stmt.exists(params![sha])? {
            out.push(sha.clone());
        }
    }
    Ok(out)
}

/// The hashes of the files of a draft or request.
pub(crate) fn hashes(conn: &Connection, owner: Owner<'_>) -> Result<Vec<String>> {
    let (column, id) = match owner {
        Owner::Draft(d) => ("draft_id", d),
        Owner::Request(r) => ("request_id", r),
    };
    let sql = format!("SELECT DISTINCT sha256 FROM attachments WHERE {column} = ?1");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// The hash of one attachment.
pub(crate) fn sha_of(conn: &Connection, id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sha256 FROM attachments WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Every hash still referenced by an attachment of any account.
pub(crate) fn referenced(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT DISTINCT sha256 FROM attachments")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<HashSet<String>>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_dedupes_and_collects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(&dir.path().join("files")).unwrap();
        let src = dir.path().join("photo.jpg");
        fs::write(&src, b"same bytes").unwrap();
        let a = store.import(&src, 1024).unwrap();
        let b = store.import(&src, 1024).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.size, 10);
        assert_eq!(a.sha256, hex::encode(Sha256::digest(b"same bytes")));
        assert!(store.verify(&a.sha256).unwrap());
        assert_eq!(store.read_chunk(&a.sha256, 5, 100).unwrap(), b"bytes");
        // Removing the source does not affect the managed copy.
        fs::remove_file(&src).unwrap();
        assert!(store.blob_path(&a.sha256).exists());

        let keep: HashSet<String> = HashSet::new();
        assert_eq!(store.collect_garbage(&keep).unwrap(), 1);
        assert!(!store.verify(&a.sha256).unwrap());
    }

    #[test]
    fn import_stops_at_the_limit_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(&dir.path().join("files")).unwrap();
        let src = dir.path().join("big.bin");
        fs::write(&src, vec![7u8; 200_000]).unwrap();
        assert!(matches!(
            store.import(&src, 100_000),
            Err(ImportError::TooLarge(100_000))
        ));
        assert_eq!(
            fs::read_dir(dir.path().join("files/tmp")).unwrap().count(),
            0
        );
        assert_eq!(store.collect_garbage(&HashSet::new()).unwrap(), 0);
    }

    #[test]
    fn corrupted_blob_fails_verification() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(&dir.path().join("files")).unwrap();
        let src = dir.path().join("a.pdf");
        fs::write(&src, b"%PDF-1.7 content").unwrap();
        let a = store.import(&src, 1024).unwrap();
        fs::write(store.blob_path(&a.sha256), b"tampered").unwrap();
        assert!(!store.verify(&a.sha256).unwrap());
    }
}
