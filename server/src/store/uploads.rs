//! Storage of tus uploads and of the content-addressed blob index, and the uploads' leases:
//! the one writer of an upload across every instance sharing the database.

use super::sql::{Conn, Row, ToValue};
use crate::store::{Db, DbError};
use std::collections::HashMap;

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

fn upload_from_row(r: &Row<'_>) -> Result<UploadRow, DbError> {
    Ok(UploadRow {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        length: r.get::<i64>(2)?.max(0) as u64,
        offset: r.get::<i64>(3)?.max(0) as u64,
        metadata: r.get(4)?,
        filetype: r.get(5)?,
        expected_sha256: r.get(6)?,
        sha256: r.get(7)?,
        created_ms: r.get(8)?,
        expires_ms: r.get(9)?,
        completed_ms: r.get(10)?,
    })
}

/// What an attempt to take an upload's lease found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UploadLease {
    /// Taken: the upload as it stands, for the holder alone to write.
    Taken(UploadRow),
    /// Another writer holds it and its lease has not run out.
    Busy,
    /// No such upload.
    Missing,
}

/// The quotas of one account's uploads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UploadQuota {
    /// Unfinished, unexpired uploads.
    pub max_open: u32,
    /// Finished uploads no request of the owner refers to.
    pub max_unattached: u32,
}

/// Which upload quota a new upload would exceed (with its limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuotaExceeded {
    /// Too many unfinished uploads.
    OpenUploads(u32),
    /// Too many finished files no request refers to.
    UnattachedFiles(u32),
}

impl QuotaExceeded {
    /// The problem code and the limit, worded once for the API's 429 and the web form.
    pub(crate) fn problem(self) -> (&'static str, u32) {
        match self {
            QuotaExceeded::OpenUploads(max) => ("quota.open_uploads", max),
            QuotaExceeded::UnattachedFiles(max) => ("quota.unattached_files", max),
        }
    }
}

/// SQL condition on upload `u`: finished, and no request its owner submitted refers to its
/// content.
const UNATTACHED: &str = "u.completed_ms IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM request_attachments ra JOIN requests r ON r.id = ra.request_id
    WHERE ra.sha256 = u.sha256 AND r.submitted_by = u.owner_id)";

fn to_i64(n: u64) -> Result<i64, DbError> {
    i64::try_from(n).map_err(|_| DbError::Corrupt(format!("size {n} out of range")))
}

/// Size of `sha256` if `owner` completed an upload with that content.
pub(crate) fn owned_blob_size(
    c: &Conn<'_>,
    owner_id: &str,
    sha256: &str,
) -> Result<Option<u64>, DbError> {
    Ok(owned_blob_sizes(c, owner_id, &[sha256])?.remove(sha256))
}

/// The size of each of `sha256s` that `owner` completed an upload of (the others are
/// absent), in one query: a push checks all attachments of a request at once.
pub(crate) fn owned_blob_sizes(
    c: &Conn<'_>,
    owner_id: &str,
    sha256s: &[&str],
) -> Result<HashMap<String, u64>, DbError> {
    if sha256s.is_empty() {
        return Ok(HashMap::new());
    }
    let list = (2..sha256s.len() + 2)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params: Vec<&dyn ToValue> = vec![&owner_id];
    params.extend(sha256s.iter().map(|s| s as &dyn ToValue));
    let rows = c.query_map(
        &format!(
            "SELECT DISTINCT b.sha256, b.size FROM uploads u JOIN blobs b ON b.sha256 = u.sha256
             WHERE u.owner_id = ?1 AND u.sha256 IN ({list}) AND u.completed_ms IS NOT NULL"
        ),
        &params,
        |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?.max(0) as u64)),
    )?;
    Ok(rows.into_iter().collect())
}

impl Db {
    /// Stores a new upload if its owner is within `quota` at `now`: unfinished, unexpired
    /// uploads below `max_open`, and finished uploads none of the owner's requests refers to
    /// below `max_unattached`. Counted and inserted in one transaction, under the owner's
    /// lock.
    pub(crate) fn create_upload_within(
        &self,
        u: &UploadRow,
        quota: &UploadQuota,
        now: i64,
    ) -> Result<Result<(), QuotaExceeded>, DbError> {
        self.write(|tx| {
            tx.lock(&format!("uploads:{}", u.owner_id))?;
            let open: i64 = tx.query_row(
                "SELECT count(*) FROM uploads
                 WHERE owner_id = ?1 AND completed_ms IS NULL AND expires_ms > ?2",
                &[&u.owner_id, &now],
                |r| r.get(0),
            )?;
            if open >= i64::from(quota.max_open) {
                return Ok(Err(QuotaExceeded::OpenUploads(quota.max_open)));
            }
            let unattached: i64 = tx.query_row(
                &format!("SELECT count(*) FROM uploads u WHERE u.owner_id = ?1 AND {UNATTACHED}"),
                &[&u.owner_id],
                |r| r.get(0),
            )?;
            if unattached >= i64::from(quota.max_unattached) {
                return Ok(Err(QuotaExceeded::UnattachedFiles(quota.max_unattached)));
            }
            tx.execute(
                "INSERT INTO uploads (id, owner_id, length, upload_offset, metadata, filetype,
                    expected_sha256, sha256, created_ms, expires_ms, completed_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, NULL)",
                &[
                    &u.id,
                    &u.owner_id,
                    &to_i64(u.length)?,
                    &to_i64(u.offset)?,
                    &u.metadata,
                    &u.filetype,
                    &u.expected_sha256,
                    &u.created_ms,
                    &u.expires_ms,
                ],
            )?;
            Ok(Ok(()))
        })
    }

    /// Removes finished uploads past their expiry that no request of their owner refers to,
    /// and the blob index rows nothing refers to any more. Returns how many uploads went and
    /// the hashes whose files can be deleted.
    pub(crate) fn sweep_unattached_uploads(
        &self,
        now: i64,
    ) -> Result<(usize, Vec<String>), DbError> {
        self.write(|tx| {
            let expired: Vec<(String, String)> = tx.query_map(
                &format!(
                    "SELECT u.id, u.sha256 FROM uploads u
                     WHERE u.expires_ms <= ?1 AND {UNATTACHED}"
                ),
                &[&now],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut orphaned = Vec::new();
            for (id, sha256) in &expired {
                tx.execute("DELETE FROM uploads WHERE id = ?1", &[id])?;
                let gone = tx.execute(
                    "DELETE FROM blobs WHERE sha256 = ?1
                       AND NOT EXISTS (SELECT 1 FROM uploads WHERE sha256 = ?1)
                       AND NOT EXISTS (SELECT 1 FROM request_attachments WHERE sha256 = ?1)",
                    &[sha256],
                )?;
                if gone > 0 {
                    orphaned.push(sha256.clone());
                }
            }
            Ok((expired.len(), orphaned))
        })
    }

    /// Size of a stored blob, whoever uploaded it (content-addressed, so the same for all).
    pub(crate) fn blob_size(&self, sha256: &str) -> Result<Option<u64>, DbError> {
        self.read(|c| {
            let size: Option<i64> = c.query_opt(
                "SELECT size FROM blobs WHERE sha256 = ?1",
                &[&sha256],
                |r| r.get(0),
            )?;
            Ok(size.map(|s| s.max(0) as u64))
        })
    }

    /// An upload by id.
    pub(crate) fn upload(&self, id: &str) -> Result<Option<UploadRow>, DbError> {
        self.read(|c| {
            c.query_opt(
                &format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1"),
                &[&id],
                upload_from_row,
            )
        })
    }

    /// Records that the bytes up to `offset` are durable.
    pub(crate) fn set_upload_offset(&self, id: &str, offset: u64) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE uploads SET upload_offset = ?2 WHERE id = ?1",
                &[&id, &to_i64(offset)?],
            )?;
            Ok(())
        })
    }

    /// Takes the lease of upload `id` for `holder` until `until_ms` if nobody holds it (or
    /// its holder let it run out before `now`): the one writer of the upload across every
    /// instance on this database. Returns the upload as it stands under the lease.
    pub(crate) fn lease_upload(
        &self,
        id: &str,
        holder: &str,
        now: i64,
        until_ms: i64,
    ) -> Result<UploadLease, DbError> {
        self.write(|tx| {
            let taken = tx.execute(
                "UPDATE uploads SET lease_holder = ?2, lease_until_ms = ?4
                 WHERE id = ?1 AND (lease_holder IS NULL OR lease_until_ms <= ?3)",
                &[&id, &holder, &now, &until_ms],
            )?;
            let row = tx.query_opt(
                &format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ?1"),
                &[&id],
                upload_from_row,
            )?;
            Ok(match row {
                None => UploadLease::Missing,
                Some(row) if taken > 0 => UploadLease::Taken(row),
                Some(_) => UploadLease::Busy,
            })
        })
    }

    /// Extends `holder`'s lease of upload `id` to `until_ms`; false when it holds it no more
    /// (it ran out and another writer took it, or the upload is gone).
    pub(crate) fn renew_upload_lease(
        &self,
        id: &str,
        holder: &str,
        until_ms: i64,
    ) -> Result<bool, DbError> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE uploads SET lease_until_ms = ?3 WHERE id = ?1 AND lease_holder = ?2",
                &[&id, &holder, &until_ms],
            )? > 0)
        })
    }

    /// Records that the bytes up to `offset` are durable, if `holder` still holds the lease
    /// of upload `id` (false otherwise: the bytes are not the upload's).
    pub(crate) fn set_leased_upload_offset(
        &self,
        id: &str,
        holder: &str,
        offset: u64,
    ) -> Result<bool, DbError> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE uploads SET upload_offset = ?3 WHERE id = ?1 AND lease_holder = ?2",
                &[&id, &holder, &to_i64(offset)?],
            )? > 0)
        })
    }

    /// Gives back `holder`'s lease of upload `id` (nothing when it holds it no more).
    pub(crate) fn release_upload_lease(&self, id: &str, holder: &str) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE uploads SET lease_holder = NULL, lease_until_ms = NULL
                 WHERE id = ?1 AND lease_holder = ?2",
                &[&id, &holder],
            )?;
            Ok(())
        })
    }

    /// Marks an upload complete with its blob (indexed once per content); unless a request
    /// refers to it, it expires at `expires_ms`.
    pub(crate) fn complete_upload(
        &self,
        id: &str,
        sha256: &str,
        size: u64,
        now: i64,
        expires_ms: i64,
    ) -> Result<(), DbError> {
        self.write(|tx| {
            let size = to_i64(size)?;
            tx.execute(
                "INSERT INTO blobs (sha256, size, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sha256) DO NOTHING",
                &[&sha256, &size, &now],
            )?;
            tx.execute(
                "UPDATE uploads SET sha256 = ?2, upload_offset = ?3, completed_ms = ?4,
                    expires_ms = ?5 WHERE id = ?1",
                &[&id, &sha256, &size, &now, &expires_ms],
            )?;
            Ok(())
        })
    }

    /// Deletes an upload record; false when there was none.
    pub(crate) fn delete_upload(&self, id: &str) -> Result<bool, DbError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM uploads WHERE id = ?1", &[&id])? > 0))
    }

    /// Ids of unfinished uploads past their expiry.
    pub(crate) fn expired_uploads(&self, now: i64) -> Result<Vec<String>, DbError> {
        self.read(|c| {
            c.query_map(
                "SELECT id FROM uploads WHERE completed_ms IS NULL AND expires_ms <= ?1",
                &[&now],
                |r| r.get(0),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::accounts::NewUser;
    use crate::store::testing::store_test;
    use ceria_core::protocol::Role;

    store_test!(upload_life_cycle, |db| {
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
        let quota = UploadQuota {
            max_open: 1,
            max_unattached: 1,
        };
        assert_eq!(db.create_upload_within(&row, &quota, 0).unwrap(), Ok(()));
        let second = UploadRow {
            id: "u2".into(),
            ..row.clone()
        };
        assert_eq!(
            db.create_upload_within(&second, &quota, 0).unwrap(),
            Err(QuotaExceeded::OpenUploads(1))
        );
        db.set_upload_offset("u1", 4).unwrap();
        assert_eq!(db.upload("u1").unwrap().unwrap().offset, 4);
        assert_eq!(db.expired_uploads(100).unwrap(), vec!["u1".to_string()]);
        db.read(|c| {
            assert_eq!(owned_blob_size(c, &owner.id, "ab").unwrap(), None);
            Ok(())
        })
        .unwrap();
        // One writer at a time: a lease is taken once until released or run out.
        let Ok(UploadLease::Taken(leased)) = db.lease_upload("u1", "a", 10, 20) else {
            panic!("the first writer takes the lease");
        };
        assert_eq!(leased.offset, 4);
        assert_eq!(
            db.lease_upload("u1", "b", 19, 29).unwrap(),
            UploadLease::Busy
        );
        assert_eq!(
            db.lease_upload("nope", "b", 19, 29).unwrap(),
            UploadLease::Missing
        );
        assert!(db.renew_upload_lease("u1", "a", 40).unwrap());
        assert_eq!(
            db.lease_upload("u1", "b", 39, 49).unwrap(),
            UploadLease::Busy
        );
        assert!(!db.set_leased_upload_offset("u1", "b", 9).unwrap());
        assert!(db.set_leased_upload_offset("u1", "a", 6).unwrap());
        // Run out (its instance died): the next writer takes over, the old one is refused.
        assert!(matches!(
            db.lease_upload("u1", "b", 40, 50).unwrap(),
            UploadLease::Taken(UploadRow { offset: 6, .. })
        ));
        assert!(!db.renew_upload_lease("u1", "a", 60).unwrap());
        assert!(!db.set_leased_upload_offset("u1", "a", 9).unwrap());
        db.release_upload_lease("u1", "a").unwrap();
        assert_eq!(
            db.lease_upload("u1", "c", 41, 51).unwrap(),
            UploadLease::Busy
        );
        db.release_upload_lease("u1", "b").unwrap();
        assert!(matches!(
            db.lease_upload("u1", "c", 41, 51).unwrap(),
            UploadLease::Taken(_)
        ));
        db.release_upload_lease("u1", "c").unwrap();
        assert_eq!(db.upload("u1").unwrap().unwrap().offset, 6);
        db.complete_upload("u1", "ab", 10, 5, 500).unwrap();
        assert!(
            db.expired_uploads(1000).unwrap().is_empty(),
            "complete uploads are not swept as unfinished ones"
        );
        assert_eq!(
            db.create_upload_within(&second, &quota, 0).unwrap(),
            Err(QuotaExceeded::UnattachedFiles(1))
        );
        assert_eq!(db.blob_size("ab").unwrap(), Some(10));
        let indexed: i64 = db
            .read(|c| {
                c.query_row("SELECT count(*) FROM blobs WHERE sha256 = 'ab'", &[], |r| {
                    r.get(0)
                })
            })
            .unwrap();
        assert_eq!(indexed, 1);
        db.read(|c| {
            assert_eq!(owned_blob_size(c, &owner.id, "ab").unwrap(), Some(10));
            assert_eq!(owned_blob_size(c, "someone-else", "ab").unwrap(), None);
            Ok(())
        })
        .unwrap();
        assert_eq!(db.sweep_unattached_uploads(499).unwrap(), (0, vec![]));
        assert_eq!(
            db.sweep_unattached_uploads(500).unwrap(),
            (1, vec!["ab".to_string()])
        );
        assert!(!db.delete_upload("u1").unwrap());
        assert_eq!(db.blob_size("ab").unwrap(), None);
    });
}
