//! The managed, content-addressed file directory. Camera and gallery files vanish or change,
//! so every attached file is copied in (`files/blobs/<name[..2]>/<name>`), written to
//! `files/tmp` first, flushed and renamed, so a blob path never holds a partial file.
//!
//! Without a device key (tests, development) a file is plain and named by its SHA-256,
//! stored once for every account. With one, each account's files are sealed with its own
//! file key ([`super::keys`], [`super::sealed`]) and named by a keyed hash: identical content
//! is stored once per account, and logging out (which deletes the key) leaves nothing
//! readable. The SHA-256 of the plaintext stays the content's identity for dedup and uploads.

use crate::device::error::{Error, Result};
use crate::device::store::keys::{self, DeviceKey};
use crate::device::store::sealed::{SealWriter, SealedFile, SecretKey};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A file copied into the managed directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Imported {
    pub(crate) sha256: String,
    pub(crate) size: u64,
    /// Where the managed copy lives.
    pub(crate) path: PathBuf,
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

/// One account's copy of some content: its file name in the managed directory and the key
/// that seals it (`None` on a device without a key: the file is plain and named by its hash,
/// shared by every account).
#[derive(Debug, Clone)]
pub(crate) struct Blob {
    /// SHA-256 of the plaintext (what the server and the dedup see).
    pub(crate) sha256: String,
    pub(crate) name: String,
    key: Option<SecretKey>,
}

impl Blob {
    /// True when the copy is sealed with its account's key.
    pub(crate) fn is_sealed(&self) -> bool {
        self.key.is_some()
    }

    fn new(key: Option<SecretKey>, sha256: &str) -> Blob {
        let name = match &key {
            // Keyed by the account's file key: the plaintext's hash is not on the disk (it
            // would tell whether a known document is there), and an account's files are its
            // own, so deleting its key leaves nothing another account could read.
            Some(k) => {
                let mut h = Sha256::new();
                h.update(b"ceria.blob-name.v1");
                h.update(k.bytes());
                h.update(sha256.as_bytes());
                hex::encode(h.finalize())
            }
            None => sha256.to_string(),
        };
        Blob {
            sha256: sha256.to_string(),
            name,
            key,
        }
    }
}

/// The managed, content-addressed file directory.
#[derive(Debug)]
pub(crate) struct FileStore {
    root: PathBuf,
    /// Wraps the accounts' file keys; `None`: files are stored plain (tests, development).
    device_key: Option<DeviceKey>,
}

impl FileStore {
    /// Opens (creating) the directory and removes copies a killed process left half-done.
    pub(crate) fn open(root: &Path, device_key: Option<DeviceKey>) -> std::io::Result<FileStore> {
        fs::create_dir_all(root.join("blobs"))?;
        let tmp = root.join("tmp");
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp)?;
        Ok(FileStore {
            root: root.to_path_buf(),
            device_key,
        })
    }

    /// The key sealing `account_id`'s files (created on first use), `None` without a
    /// device key.
    pub(crate) fn account_key(
        &self,
        conn: &Connection,
        account_id: &str,
    ) -> Result<Option<SecretKey>> {
        self.device_key
            .as_ref()
            .map(|device| keys::file_key(conn, device, account_id))
            .transpose()
    }

    /// `account_id`'s copy of the content with this hash.
    pub(crate) fn blob(&self, conn: &Connection, account_id: &str, sha256: &str) -> Result<Blob> {
        Ok(Blob::new(self.account_key(conn, account_id)?, sha256))
    }

    /// A memo of account keys for one operation over many attachments.
    pub(crate) fn keys(&self) -> KeyMemo<'_> {
        KeyMemo {
            files: self,
            keys: HashMap::new(),
        }
    }

    /// Where a blob is kept.
    pub(crate) fn path(&self, blob: &Blob) -> PathBuf {
        self.name_path(&blob.name)
    }

    fn name_path(&self, name: &str) -> PathBuf {
        let prefix = name.get(..2).unwrap_or("__");
        self.root.join("blobs").join(prefix).join(name)
    }

    /// Copies `source` in, hashing the plaintext as it goes and sealing it with `key`;
    /// refuses more than `max_bytes`. The copy is written to a temporary file, flushed to
    /// disk and renamed, so a blob path never holds a partial file. Memory use is one
    /// buffer, whatever the file's size.
    pub(crate) fn import(
        &self,
        source: &Path,
        max_bytes: u64,
        key: Option<&SecretKey>,
    ) -> Result<Imported, ImportError> {
        let mut input = File::open(source)?;
        let tmp_path = self
            .root
            .join("tmp")
            .join(crate::device::store::db::new_id());
        let result = self.copy_hashed(&mut input, &tmp_path, max_bytes, key);
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
        key: Option<&SecretKey>,
    ) -> Result<Imported, ImportError> {
        let mut out = Sink::new(File::create(tmp_path)?, key)?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut buf = zeroize::Zeroizing::new(vec![0u8; 64 * 1024]);
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
        let out = out.finish()?;
        let sha256 = hex::encode(hasher.finalize());
        let dest = self.path(&Blob::new(key.cloned(), &sha256));
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
        Ok(Imported {
            sha256,
            size,
            path: dest,
        })
    }

    /// Reads up to `len` plaintext bytes of a blob from `offset` (decrypting only the
    /// segments they span).
    pub(crate) fn read_chunk(
        &self,
        blob: &Blob,
        offset: u64,
        len: usize,
    ) -> std::io::Result<Vec<u8>> {
        let path = self.path(blob);
        match &blob.key {
            Some(key) => SealedFile::open(&path, key)?.read_at(offset, len),
            None => {
                let mut file = File::open(path)?;
                file.seek(SeekFrom::Start(offset))?;
                // `len` may be "all of it" (usize::MAX): grow as read instead.
                let mut buf = Vec::with_capacity(len.min(1 << 20));
                file.take(len as u64).read_to_end(&mut buf)?;
                Ok(buf)
            }
        }
    }

    /// True when the blob exists, opens with its key and its plaintext still hashes to its
    /// content hash.
    pub(crate) fn verify(&self, blob: &Blob) -> std::io::Result<bool> {
        let path = self.path(blob);
        let mut hasher = Sha256::new();
        let read = match &blob.key {
            Some(key) => SealedFile::open(&path, key).and_then(|mut f| {
                f.for_each_segment(|plain| {
                    hasher.update(plain);
                    Ok(())
                })
            }),
            None => {
                File::open(&path).and_then(|mut f| std::io::copy(&mut f, &mut hasher).map(|_| ()))
            }
        };
        match read {
            Ok(()) => Ok(hex::encode(hasher.finalize()) == blob.sha256),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            // Does not authenticate: damaged, like a wrong hash.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Deletes one blob (gone already is fine).
    pub(crate) fn remove(&self, blob: &Blob) -> std::io::Result<()> {
        match fs::remove_file(self.path(blob)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Seals the plain files an app version without encryption left, once the device has a
    /// key: each account's referenced content gets its sealed copy (the plain one is then
    /// unreferenced and collected). Idempotent, so a crash half-way is finished next time.
    pub(crate) fn seal_plain_files(&self, conn: &Connection) -> Result<()> {
        if self.device_key.is_none() {
            return Ok(());
        }
        let mut stmt = conn.prepare("SELECT DISTINCT account_id, sha256 FROM attachments")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut keys = self.keys();
        for (account, sha) in rows {
            let plain = self.name_path(&sha);
            let blob = keys.blob(conn, &account, &sha)?;
            let sealed = self.path(&blob);
            if sealed.exists() || !plain.exists() {
                continue;
            }
            let imported = self
                .import(&plain, u64::MAX, blob.key.as_ref())
                .map_err(|e| Error::storage(format!("sealing a file: {e}")))?;
            if imported.sha256 != sha {
                // A damaged plain copy: sealed under its real hash, collected as unreferenced;
                // the upload's check reports the attachment as missing.
                let _ = fs::remove_file(&imported.path);
            }
        }
        Ok(())
    }

    /// Deletes every blob not in `keep` (names from
    /// [`super::attachments::referenced`]); returns how many were
    /// deleted.
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

/// Account keys looked up once per operation: listing many attachments of one account reads
/// and unwraps its key once, not once per row. Deliberately not kept across operations: a
/// key deleted by a logout (perhaps through another handle on the same database) must never
/// be reused for new files.
pub(crate) struct KeyMemo<'a> {
    files: &'a FileStore,
    keys: HashMap<String, Option<SecretKey>>,
}

impl KeyMemo<'_> {
    /// `account_id`'s copy of the content with this hash (see [`FileStore::blob`]).
    pub(crate) fn blob(
        &mut self,
        conn: &Connection,
        account_id: &str,
        sha256: &str,
    ) -> Result<Blob> {
        let key = match self.keys.get(account_id) {
            Some(key) => key.clone(),
            None => {
                let key = self.files.account_key(conn, account_id)?;
                self.keys.insert(account_id.to_owned(), key.clone());
                key
            }
        };
        Ok(Blob::new(key, sha256))
    }
}

/// Where an import writes: the file as is, or sealed.
enum Sink {
    Plain(File),
    Sealed(SealWriter<File>),
}

impl Sink {
    fn new(file: File, key: Option<&SecretKey>) -> std::io::Result<Sink> {
        Ok(match key {
            Some(k) => Sink::Sealed(SealWriter::new(file, k)?),
            None => Sink::Plain(file),
        })
    }

    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.write_all(data),
            Sink::Sealed(w) => w.write_all(data),
        }
    }

    fn finish(self) -> std::io::Result<File> {
        match self {
            Sink::Plain(f) => Ok(f),
            Sink::Sealed(w) => w.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::store::db::Db;

    /// A plain store and a sealed one (with an account `a` holding a file key).
    fn stores(dir: &Path) -> Vec<(FileStore, Db)> {
        let device = DeviceKey::from_config(Some(&[3u8; 32])).unwrap();
        [None, device]
            .into_iter()
            .enumerate()
            .map(|(i, key)| {
                let db = Db::open_in_memory().unwrap();
                db.write(|tx| {
                    tx.execute(
                        "INSERT INTO accounts (id, username, name, role, created_ms) VALUES ('a','u','n','citizen',0)",
                        [],
                    )?;
                    Ok(())
                })
                .unwrap();
                (FileStore::open(&dir.join(format!("files{i}")), key).unwrap(), db)
            })
            .collect()
    }

    #[test]
    fn import_dedupes_and_collects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        for (store, db) in stores(dir.path()) {
            let key = db.read(|c| store.account_key(c, "a")).unwrap();
            let src = dir.path().join("photo.jpg");
            fs::write(&src, b"same bytes").unwrap();
            let a = store.import(&src, 1024, key.as_ref()).unwrap();
            let b = store.import(&src, 1024, key.as_ref()).unwrap();
            assert_eq!(a, b);
            assert_eq!(a.size, 10);
            assert_eq!(a.sha256, hex::encode(Sha256::digest(b"same bytes")));
            let blob = db.read(|c| store.blob(c, "a", &a.sha256)).unwrap();
            assert_eq!(store.path(&blob), a.path);
            assert_eq!(blob.is_sealed(), key.is_some());
            assert!(store.verify(&blob).unwrap());
            assert_eq!(store.read_chunk(&blob, 5, 100).unwrap(), b"bytes");
            // Removing the source does not affect the managed copy.
            fs::remove_file(&src).unwrap();
            assert!(a.path.exists());

            let keep: HashSet<String> = HashSet::new();
            assert_eq!(store.collect_garbage(&keep).unwrap(), 1);
            assert!(!store.verify(&blob).unwrap());
        }
    }

    #[test]
    fn import_stops_at_the_limit_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for (i, (store, db)) in stores(dir.path()).into_iter().enumerate() {
            let key = db.read(|c| store.account_key(c, "a")).unwrap();
            let src = dir.path().join("big.bin");
            fs::write(&src, vec![7u8; 200_000]).unwrap();
            assert!(matches!(
                store.import(&src, 100_000, key.as_ref()),
                Err(ImportError::TooLarge(100_000))
            ));
            let tmp = dir.path().join(format!("files{i}/tmp"));
            assert_eq!(fs::read_dir(tmp).unwrap().count(), 0);
            assert_eq!(store.collect_garbage(&HashSet::new()).unwrap(), 0);
        }
    }

    #[test]
    fn corrupted_blob_fails_verification() {
        let dir = tempfile::tempdir().unwrap();
        for (store, db) in stores(dir.path()) {
            let key = db.read(|c| store.account_key(c, "a")).unwrap();
            let src = dir.path().join("a.pdf");
            fs::write(&src, b"%PDF-1.7 content").unwrap();
            let a = store.import(&src, 1024, key.as_ref()).unwrap();
            let blob = db.read(|c| store.blob(c, "a", &a.sha256)).unwrap();
            fs::write(&a.path, b"tampered").unwrap();
            assert!(!store.verify(&blob).unwrap());
        }
    }

    #[test]
    fn sealed_copies_hide_content_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let (store, db) = stores(dir.path()).pop().unwrap();
        let key = db.read(|c| store.account_key(c, "a")).unwrap();
        let photo: Vec<u8> = b"JFIF NIK 1305084107900001 "
            .iter()
            .copied()
            .cycle()
            .take(300_000)
            .collect();
        let src = dir.path().join("kk.jpg");
        fs::write(&src, &photo).unwrap();
        let a = store.import(&src, u64::MAX, key.as_ref()).unwrap();
        let raw = fs::read(&a.path).unwrap();
        assert!(!raw.windows(16).any(|w| w == &photo[..16]));
        assert!(!a.path.to_string_lossy().contains(&a.sha256));
        let blob = db.read(|c| store.blob(c, "a", &a.sha256)).unwrap();
        assert_eq!(
            store.read_chunk(&blob, 100_000, 256 * 1024).unwrap(),
            &photo[100_000..]
        );
    }
}
