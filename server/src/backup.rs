//! `ceria admin backup` and `restore`: one tar file holding a consistent copy of a SQLite
//! registry (taken while the server runs), the filesystem blobs it refers to, and a manifest
//! of row counts and SHA-256s that restore checks before anything is put in place.
//!
//! The database copy is `VACUUM INTO` on its own read connection: one read transaction, so
//! the copy is the database as of one instant even while the server writes (WAL lets the
//! writer go on). The blobs copied are the ones that copy's `blobs` index lists: blob files
//! are immutable and named by their hash, so each is checked against its name on the way.
//! A blob swept by the server meanwhile (no request referred to it) is left out and counted.
//! A registry whose blobs live in an S3 bucket has no `blobs/` directory: its backup holds the
//! database only (the bucket has its own versioning and replication), and says so.
//!
//! Archive layout: `ceria.db`, `blobs/<sha256>`..., `manifest.json` (last, so both sides
//! stream). Restore extracts into a staging directory inside the target, verifies everything
//! against the manifest, and only then moves the database and blobs into place.

use crate::store::blobs::files::sync_dir;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The archive format this server writes and reads.
pub const FORMAT: &str = "ceria-backup/1";
const DB_FILE: &str = "ceria.db";
const MANIFEST: &str = "manifest.json";
const STAGING: &str = ".restore-incomplete";

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing a file failed.
    #[error("I/O: {0}")]
    Io(#[from] io::Error),
    /// SQLite refused.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The manifest could not be written or read.
    #[error("manifest: {0}")]
    Json(#[from] serde_json::Error),
    /// There is no registry database in the data directory.
    #[error("no registry database at {0}")]
    NoDatabase(PathBuf),
    /// Restore refuses to write over existing data.
    #[error("{0} is not empty: restore into a new directory")]
    NotEmpty(PathBuf),
    /// The archive is not a whole, untouched backup.
    #[error("the backup does not verify: {0}")]
    Invalid(String),
}

/// What a backup holds; written into it and checked on restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// When the copy was taken (ms since the epoch).
    pub created_ms: i64,
    /// SHA-256 (hex) of the database file in the archive.
    pub database_sha256: String,
    /// Rows per table of that database.
    pub counts: BTreeMap<String, u64>,
    /// False when the database lists files but the data directory has no `blobs/` (they
    /// live in an S3 bucket): the archive then holds the database only.
    pub blobs_included: bool,
    /// The blobs, SHA-256 (hex) to size.
    pub blobs: BTreeMap<String, u64>,
    /// Blobs the database listed that the server swept (unreferenced) while the copy ran.
    pub swept_meanwhile: u64,
}

impl Manifest {
    /// Total bytes of the blobs.
    pub fn blob_bytes(&self) -> u64 {
        self.blobs.values().sum()
    }
}

/// Copies `data_dir`'s registry (database and filesystem blobs) into the archive `to`, written
/// beside it and renamed into place when whole.
pub fn backup(data_dir: &Path, to: &Path) -> Result<Manifest, BackupError> {
    let db_path = data_dir.join(DB_FILE);
    if !db_path.is_file() {
        return Err(BackupError::NoDatabase(db_path));
    }
    let work = tempfile::Builder::new()
        .prefix(".ceria-backup-")
        .tempdir_in(parent_of(to))?;
    let copy = work.path().join(DB_FILE);
    let live = Connection::open_with_flags(&db_path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    live.busy_timeout(std::time::Duration::from_secs(30))?;
    live.execute("VACUUM INTO ?1", [copy.to_string_lossy().as_ref()])?;
    let (counts, indexed) = {
        let snapshot = Connection::open_with_flags(&copy, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        (table_counts(&snapshot)?, blob_index(&snapshot)?)
    };
    let partial = work.path().join("archive.tar");
    let mut archive = tar::Builder::new(io::BufWriter::new(File::create(&partial)?));
    let database_sha256 = append_file(&mut archive, &copy, DB_FILE)?.0;
    let mut blobs = BTreeMap::new();
    let mut swept_meanwhile = 0;
    // No `blobs/` while the index lists files: they live in a bucket (nothing listed: nothing
    // is left out either way).
    let blobs_included = indexed.is_empty() || data_dir.join("blobs").is_dir();
    for sha256 in indexed.into_iter().filter(|_| blobs_included) {
        let path = data_dir.join("blobs").join(&sha256);
        if !path.exists() {
            if still_indexed(&live, &sha256)? {
                return Err(BackupError::Invalid(format!("blob {sha256} is missing")));
            }
            swept_meanwhile += 1;
            continue;
        }
        let (actual, size) = append_file(&mut archive, &path, &format!("blobs/{sha256}"))?;
        if actual != sha256 {
            return Err(BackupError::Invalid(format!(
                "blob {sha256} holds other content ({actual})"
            )));
        }
        blobs.insert(sha256, size);
    }
    let manifest = Manifest {
        format: FORMAT.to_string(),
        created_ms: ceria_core::now_ms(),
        database_sha256,
        counts,
        blobs_included,
        blobs,
        swept_meanwhile,
    };
    let text = serde_json::to_vec_pretty(&manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    archive.append_data(&mut header, MANIFEST, text.as_slice())?;
    let file = archive
        .into_inner()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    file.sync_all()?;
    fs::rename(&partial, to)?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync_dir(dir)?;
    }
    Ok(manifest)
}

/// Restores the archive `from` into `data_dir` (absent or empty), after checking every file
/// against the manifest and the database's row counts. The database is moved in last: a
/// directory holds a restored registry once it holds its database, and what an interrupted
/// restore left (its staging folder, perhaps the blobs already moved) is cleared by the next.
pub fn restore(from: &Path, data_dir: &Path) -> Result<Manifest, BackupError> {
    clear_interrupted_restore(data_dir)?;
    if data_dir.exists() && fs::read_dir(data_dir)?.next().is_some() {
        return Err(BackupError::NotEmpty(data_dir.to_path_buf()));
    }
    let staging = data_dir.join(STAGING);
    fs::create_dir_all(staging.join("blobs"))?;
    let result = extract_and_verify(from, &staging);
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
        return result;
    }
    fs::rename(staging.join("blobs"), data_dir.join("blobs"))?;
    fs::rename(staging.join(DB_FILE), data_dir.join(DB_FILE))?;
    sync_dir(data_dir)?;
    fs::remove_dir_all(&staging)?;
    result
}

/// Removes what a restore killed before it finished left in `data_dir`: only when the staging
/// folder is there and nothing but it and the blobs it may already have moved (never a
/// database, which is moved last).
fn clear_interrupted_restore(data_dir: &Path) -> Result<(), BackupError> {
    let staging = data_dir.join(STAGING);
    if !staging.is_dir() {
        return Ok(());
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(data_dir)? {
        names.push(entry?.file_name());
    }
    if names.iter().all(|n| n == STAGING || n == "blobs") {
        fs::remove_dir_all(&staging)?;
        if data_dir.join("blobs").is_dir() {
            fs::remove_dir_all(data_dir.join("blobs"))?;
        }
    }
    Ok(())
}

fn extract_and_verify(from: &Path, staging: &Path) -> Result<Manifest, BackupError> {
    let mut archive = tar::Archive::new(io::BufReader::new(File::open(from)?));
    let mut manifest: Option<Manifest> = None;
    let mut database: Option<String> = None;
    let mut blobs = BTreeMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        if name == MANIFEST {
            let mut text = Vec::new();
            entry.read_to_end(&mut text)?;
            manifest = Some(serde_json::from_slice(&text)?);
        } else if name == DB_FILE {
            database = Some(copy_hashing(&mut entry, &staging.join(DB_FILE))?.0);
        } else if let Some(sha256) = name
            .strip_prefix("blobs/")
            .filter(|s| crate::store::blobs::is_sha256_hex(s))
        {
            let (actual, size) = copy_hashing(&mut entry, &staging.join("blobs").join(sha256))?;
            if actual != sha256 {
                return Err(BackupError::Invalid(format!("blob {sha256} was altered")));
            }
            blobs.insert(sha256.to_string(), size);
        } else {
            return Err(BackupError::Invalid(format!("unexpected entry {name}")));
        }
    }
    let manifest = manifest.ok_or_else(|| BackupError::Invalid("no manifest".into()))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Invalid(format!(
            "format {} (this server reads {FORMAT})",
            manifest.format
        )));
    }
    if database.as_deref() != Some(manifest.database_sha256.as_str()) {
        return Err(BackupError::Invalid(
            "the database is missing or altered".into(),
        ));
    }
    if blobs != manifest.blobs {
        return Err(BackupError::Invalid(format!(
            "{} blobs listed, {} found whole",
            manifest.blobs.len(),
            blobs.len()
        )));
    }
    let restored =
        Connection::open_with_flags(staging.join(DB_FILE), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    if table_counts(&restored)? != manifest.counts {
        return Err(BackupError::Invalid(
            "row counts differ from the manifest".into(),
        ));
    }
    Ok(manifest)
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Rows per table (SQLite's own tables left out).
fn table_counts(c: &Connection) -> Result<BTreeMap<String, u64>, BackupError> {
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut counts = BTreeMap::new();
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let n: i64 = c.query_row(&format!("SELECT count(*) FROM \"{quoted}\""), [], |r| {
            r.get(0)
        })?;
        counts.insert(table, n.max(0) as u64);
    }
    Ok(counts)
}

fn blob_index(c: &Connection) -> Result<Vec<String>, BackupError> {
    Ok(c.prepare("SELECT sha256 FROM blobs ORDER BY sha256")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?)
}

fn still_indexed(live: &Connection, sha256: &str) -> Result<bool, BackupError> {
    Ok(live
        .query_row(
            "SELECT 1 FROM blobs WHERE sha256 = ?1",
            [sha256],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Reads through SHA-256.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.size += n as u64;
        Ok(n)
    }
}

/// Appends a file as `name`; returns its SHA-256 (hex) and size as read.
fn append_file<W: Write>(
    archive: &mut tar::Builder<W>,
    path: &Path,
    name: &str,
) -> Result<(String, u64), BackupError> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut header = tar::Header::new_gnu();
    header.set_size(len);
    header.set_mode(0o644);
    let mut reader = Hashing {
        inner: file.take(len),
        hasher: Sha256::new(),
        size: 0,
    };
    archive.append_data(&mut header, name, &mut reader)?;
    Ok((hex::encode(reader.hasher.finalize()), reader.size))
}

/// Copies an archive entry to `to`; returns its SHA-256 (hex) and size.
fn copy_hashing(entry: &mut impl Read, to: &Path) -> Result<(String, u64), BackupError> {
    let mut reader = Hashing {
        inner: entry,
        hasher: Sha256::new(),
        size: 0,
    };
    let mut file = File::create(to)?;
    io::copy(&mut reader, &mut file)?;
    file.sync_all()?;
    Ok((hex::encode(reader.hasher.finalize()), reader.size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_refuses_a_directory_in_use_and_a_tampered_archive() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(data.join("blobs")).unwrap();
        crate::Db::open(&data.join(DB_FILE)).unwrap();
        let archive = dir.path().join("b.tar");
        let manifest = backup(&data, &archive).unwrap();
        assert_eq!(manifest.format, FORMAT);
        assert!(manifest.counts.contains_key("requests"));
        assert!(matches!(
            restore(&archive, &data),
            Err(BackupError::NotEmpty(_))
        ));
        // Flip a byte of the database inside the archive.
        let mut bytes = fs::read(&archive).unwrap();
        let at = 512 + 100;
        bytes[at] ^= 0xff;
        let tampered = dir.path().join("t.tar");
        fs::write(&tampered, bytes).unwrap();
        let target = dir.path().join("restored");
        assert!(matches!(
            restore(&tampered, &target),
            Err(BackupError::Invalid(_))
        ));
        assert!(!target.join(DB_FILE).exists());
        restore(&archive, &target).unwrap();
        assert!(target.join(DB_FILE).is_file());
        assert!(!target.join(STAGING).exists());
    }

    #[test]
    fn a_restore_killed_before_it_finished_is_redone_and_a_registry_is_never_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(data.join("blobs")).unwrap();
        crate::Db::open(&data.join(DB_FILE)).unwrap();
        let archive = dir.path().join("b.tar");
        backup(&data, &archive).unwrap();
        // Killed after the blobs moved, before the database did: staging and blobs are left.
        let target = dir.path().join("restored");
        fs::create_dir_all(target.join(STAGING).join("blobs")).unwrap();
        fs::write(target.join(STAGING).join(DB_FILE), b"half").unwrap();
        fs::create_dir_all(target.join("blobs")).unwrap();
        restore(&archive, &target).unwrap();
        assert!(target.join(DB_FILE).is_file());
        assert!(!target.join(STAGING).exists());
        crate::Db::open(&target.join(DB_FILE)).unwrap();
        // A staging folder beside a database is not a restore's leftover: nothing is removed.
        fs::create_dir_all(data.join(STAGING)).unwrap();
        assert!(matches!(
            restore(&archive, &data),
            Err(BackupError::NotEmpty(_))
        ));
        assert!(data.join(DB_FILE).is_file() && data.join(STAGING).is_dir());
    }

    #[test]
    fn a_registry_with_its_files_in_a_bucket_is_backed_up_without_them_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir_all(&data).unwrap();
        crate::Db::open(&data.join(DB_FILE)).unwrap();
        Connection::open(data.join(DB_FILE))
            .unwrap()
            .execute(
                "INSERT INTO blobs (sha256, size, created_ms) VALUES (?1, 3, 0)",
                [hex::encode(Sha256::digest(b"abc"))],
            )
            .unwrap();
        let archive = dir.path().join("b.tar");
        let manifest = backup(&data, &archive).unwrap();
        assert!(!manifest.blobs_included);
        assert!(manifest.blobs.is_empty());
        assert_eq!(manifest.counts["blobs"], 1);
        // With a `blobs/` directory that lacks the file, the backup refuses.
        fs::create_dir_all(data.join("blobs")).unwrap();
        assert!(matches!(
            backup(&data, &archive),
            Err(BackupError::Invalid(_))
        ));
    }
}
