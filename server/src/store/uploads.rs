//! Storage of tus uploads and of the content-addressed blob index.

use crate::store::{Db, DbError};
use rusqlite::{Connection, OptionalExtension, params};

/// One tus upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadRow {
    /// Upload id (the last segment of its URL).
    pub id: String,
    /// Account that created it; nobody else sees it.
    pub owner_id: String,
    /// Total length announced at creation.
    pub length: u64,
    /// Bytes confirmed durable.
    pub offset: u64,
    /// The `Upload-Metadata` header as sent (echoed on HEAD).
    pub metadata: String,
    /// Media type from the metadata.
    pub filetype: Option<String>,
    /// Hex SHA-256 the client announced for the whole file.
    pub expected_sha256: Option<String>,
    /// Hex SHA-256 of the stored blob once complete.
    pub sha256: Option<String>,
    /// Creation time.
    pub created_ms: i64,
    /// When an unfinished upload expires.
    pub expires_ms: i64,
    /// Completion time.
    pub completed_ms: Option<i64>,
}

const UPLOAD_COLUMNS: &str = "id, owner_id, length, upload_offset, metadata, filetype, \
    expected_sha256, sha256, created_ms, expires_ms, completed_ms";

fn upload_from_row(r: &rusqlite::Row<'_>) -> Result<UploadRow, rusqlite::Error> {
    Ok(UploadRow {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        length: r.get::<_, i64>(2)?.max(0) as u64,
        offset: r.get::<_, i64>(3)?.max(0) as u64,
        metadata: r.get(4)?,
        filetype: r.get(5)?,
        expected_sha256: r.get(6)?,
        sha256: r.get(7)?,
        created_ms: r.get(8)?,
        expires_ms: r.get(9)?,
        completed_ms: r.get(10)?,
    })
}

fn to_i64(n: u64) -> Result<i64, DbError> {
    i64::try_from(n).map_err(|_| DbError::Corrupt(format!("size {n} out of range")))
}

/// Size of `sha256` if `owner` completed an upload with that content.
pub(crate) fn owned_blob_size(
    c: &Connection,
    owner_id: &str,
    sha256: &str,
) -> Result<Option<u64>, DbError> {
    let size: Option<i64> = c
        .prepare_cached(
            "SELECT b.size FROM uploads u JOIN blobs b ON b.sha256 = u.sha256
             WHERE u.owner_id = ?1 AND u.sha256 = ?2 AND u.completed_ms IS NOT NULL LIMIT 1",
        )?
        .query_row(params![owner_id, sha256], |r| r.get(0))
        .optional()?;
    Ok(size.map(|s| s.max(0) as u64))
}

impl Db {
    /// Stores a new upload.
    pub(crate) fn create_upload(&self, u: &UploadRow) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO uploads (id, owner_id, length, upload_offset, metadata, filetype,
                    expected_sha256, sha256, created_ms, expires_ms, completed_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, NULL)",
                params![
                    u.id,
                    u.owner_id,
                    to_i64(u.length)?,
                    to_i64(u.offset)?,
                    u.metadata,
                    u.filetype,
                    u.expected_sha256,
                    u.created_ms,
                    u.expires_ms
                ],
            )?;
            Ok(())
        })
    }

    /// An upload by id.
    pub(crate) fn upload(&self, id: &str) -> Result<Option<UploadRow>, DbError> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1"
            ))?
            .query_row([id], upload_from_row)
            .optional()?)
        })
    }

    /// Records that the bytes up to `offset` are durable.
    pub(crate) fn set_upload_offset(&self, id: &str, offset: u64) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE uploads SET upload_offset = ?2 WHERE id = ?1",
                params![id, to_i64(offset)?],
            )?;
            Ok(())
        })
    }

    /// Marks an upload complete with its blob (indexed once per content).
    pub(crate) fn complete_upload(
        &self,
        id: &str,
        sha256: &str,
        size: u64,
        now: i64,
    ) -> Result<(), DbError> {
        self.write(|tx| {
            let size = to_i64(size)?;
            tx.execute(
                "INSERT INTO blobs (sha256, size, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sha256) DO NOTHING",
                params![sha256, size, now],
            )?;
            tx.execute(
                "UPDATE uploads SET sha256 = ?2, upload_offset = ?3, completed_ms = ?4 WHERE id = ?1",
                params![id, sha256, size, now],
            )?;
            Ok(())
        })
    }

    /// Deletes an upload record; false when there was none.
    pub(crate) fn delete_upload(&self, id: &str) -> Result<bool, DbError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM uploads WHERE id = ?1", [id])? > 0))
    }

    /// Ids of unfinished uploads past their expiry.
    pub(crate) fn expired_uploads(&self, now: i64) -> Result<Vec<String>, DbError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id FROM uploads WHERE completed_ms IS NULL AND expires_ms <= ?1",
            )?;
            let rows = stmt.query_map([now], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::accounts::NewUser;
    use ceria_core::protocol::Role;

    #[test]
    fn upload_life_cycle() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let owner = db
            .create_user(
                &NewUser {
                    username: "op".into(),
                    name: "Op".into(),
                    role: Role::Operator,
                    village: Some("13.05.01.2001".into()),
                    phone: None,
                    password_hash: "x".into(),
                },
                0,
            )
            .unwrap()
            .unwrap();
        let row = UploadRow {
            id: "u1".into(),
            owner_id: owner.id.clone(),
            length: 10,
            offset: 0,
            metadata: "filename YS5qcGc=".into(),
            filetype: Some("image/jpeg".into()),
            expected_sha256: None,
            sha256: None,
            created_ms: 1,
            expires_ms: 100,
            completed_ms: None,
        };
        db.create_upload(&row).unwrap();
        db.set_upload_offset("u1", 4).unwrap();
        assert_eq!(db.upload("u1").unwrap().unwrap().offset, 4);
        assert_eq!(db.expired_uploads(100).unwrap(), vec!["u1".to_string()]);
        db.read(|c| {
            assert_eq!(owned_blob_size(c, &owner.id, "ab").unwrap(), None);
            Ok(())
        })
        .unwrap();
        db.complete_upload("u1", "ab", 10, 5).unwrap();
        assert!(
            db.expired_uploads(1000).unwrap().is_empty(),
            "complete uploads never expire"
        );
        let indexed: i64 = db
            .read(|c| {
                Ok(
                    c.query_row("SELECT count(*) FROM blobs WHERE sha256 = 'ab'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .unwrap();
        assert_eq!(indexed, 1);
        db.read(|c| {
            assert_eq!(owned_blob_size(c, &owner.id, "ab").unwrap(), Some(10));
            assert_eq!(owned_blob_size(c, "someone-else", "ab").unwrap(), None);
            Ok(())
        })
        .unwrap();
        assert!(db.delete_upload("u1").unwrap());
        assert!(!db.delete_upload("u1").unwrap());
    }
}
