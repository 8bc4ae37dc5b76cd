//! Storage of the web form's drafts (`web_drafts`): a request being filled in on the web,
//! saved on every live check and every post so a closed tab loses nothing, listed on the
//! account's requests page, deleted when sent. Bounded per account (number of drafts, size of
//! the values) so a draft table cannot grow without limit.
//!
//! Written once for both engines (see `store::sql`); saving takes the account's lock, so two
//! tabs cannot overshoot the count on PostgreSQL either.

use crate::store::sql::Row;
use crate::store::uploads::owned_blob_size;
use crate::store::{Db, DbError};
use ceria_core::protocol::AttachmentRef;
use std::collections::BTreeMap;

/// One draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WebDraft {
    /// Draft id; also the `op_id` (and `local_id`) of the push that sends it, so a replayed
    /// send is the same operation.
    pub id: String,
    /// The account filling it in.
    pub user_id: String,
    /// Catalog service id.
    pub service: String,
    /// The returned request this draft revises; none for a new request.
    pub request_id: Option<String>,
    /// The resident's NIK when an operator files for them.
    pub on_behalf_of: Option<String>,
    /// Field values as typed (`field id -> text`).
    pub values: BTreeMap<String, String>,
    /// Files attached so far.
    pub attachments: Vec<AttachmentRef>,
    /// Last change.
    pub updated_ms: i64,
}

/// The bounds of one account's drafts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DraftLimits {
    /// Most drafts an account keeps.
    pub max_drafts: u32,
    /// Largest stored values and attachments (bytes of their JSON).
    pub max_bytes: usize,
}

/// Why a draft was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DraftRefused {
    /// The account already has this many drafts.
    TooMany(u32),
    /// The values are larger than this many bytes.
    TooLarge(usize),
    /// The id is another account's draft.
    NotYours,
}

const COLUMNS: &str =
    "id, user_id, service, request_id, on_behalf_of, form_values, attachments, updated_ms";

fn draft_from_row(r: &Row<'_>) -> Result<WebDraft, DbError> {
    Ok(WebDraft {
        id: r.get(0)?,
        user_id: r.get(1)?,
        service: r.get(2)?,
        request_id: r.get(3)?,
        on_behalf_of: r.get(4)?,
        values: serde_json::from_str(&r.get::<String>(5)?)?,
        attachments: serde_json::from_str(&r.get::<String>(6)?)?,
        updated_ms: r.get(7)?,
    })
}

impl Db {
    /// The draft `id` of account `user_id`; none when absent or someone else's.
    pub(crate) fn draft(&self, id: &str, user_id: &str) -> Result<Option<WebDraft>, DbError> {
        self.read(|c| {
            c.query_opt(
                &format!("SELECT {COLUMNS} FROM web_drafts WHERE id = ?1 AND user_id = ?2"),
                &[&id, &user_id],
                draft_from_row,
            )
        })
    }

    /// The drafts of account `user_id`, the latest changed first.
    pub(crate) fn drafts_of(&self, user_id: &str) -> Result<Vec<WebDraft>, DbError> {
        self.read(|c| {
            c.query_map(
                &format!(
                    "SELECT {COLUMNS} FROM web_drafts WHERE user_id = ?1
                     ORDER BY updated_ms DESC, id"
                ),
                &[&user_id],
                draft_from_row,
            )
        })
    }

    /// Saves a draft (new or changed) at `now` within `limits`, in one transaction (so two
    /// tabs cannot overshoot the count). Another account's id is never overwritten.
    pub(crate) fn save_draft(
        &self,
        draft: &WebDraft,
        limits: &DraftLimits,
        now: i64,
    ) -> Result<Result<(), DraftRefused>, DbError> {
        let values = serde_json::to_string(&draft.values)?;
        let attachments = serde_json::to_string(&draft.attachments)?;
        if values.len() + attachments.len() > limits.max_bytes {
            return Ok(Err(DraftRefused::TooLarge(limits.max_bytes)));
        }
        self.write(|tx| {
            tx.lock(&format!("drafts:{}", draft.user_id))?;
            let owner: Option<String> = tx.query_opt(
                "SELECT user_id FROM web_drafts WHERE id = ?1",
                &[&draft.id],
                |r| r.get(0),
            )?;
            match owner {
                Some(owner) if owner != draft.user_id => return Ok(Err(DraftRefused::NotYours)),
                Some(_) => {}
                None => {
                    let count: i64 = tx.query_row(
                        "SELECT count(*) FROM web_drafts WHERE user_id = ?1",
                        &[&draft.user_id],
                        |r| r.get(0),
                    )?;
                    if count >= i64::from(limits.max_drafts) {
                        return Ok(Err(DraftRefused::TooMany(limits.max_drafts)));
                    }
                }
            }
            tx.execute(
                "INSERT INTO web_drafts
                 (id, user_id, service, request_id, on_behalf_of, form_values, attachments,
                  created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (id) DO UPDATE SET
                   on_behalf_of = excluded.on_behalf_of,
                   form_values = excluded.form_values,
                   attachments = excluded.attachments,
                   updated_ms = excluded.updated_ms
                 WHERE web_drafts.user_id = excluded.user_id",
                &[
                    &draft.id,
                    &draft.user_id,
                    &draft.service,
                    &draft.request_id,
                    &draft.on_behalf_of,
                    &values,
                    &attachments,
                    &now,
                ],
            )?;
            Ok(Ok(()))
        })
    }

    /// Deletes draft `id` of account `user_id` (sent or discarded); false when there was none.
    pub(crate) fn delete_draft(&self, id: &str, user_id: &str) -> Result<bool, DbError> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM web_drafts WHERE id = ?1 AND user_id = ?2",
                &[&id, &user_id],
            )? > 0)
        })
    }

    /// The size of the file `sha256` if account `owner_id` finished uploading it: the check
    /// the sync push makes before a request may refer to a file.
    pub(crate) fn owned_upload_size(
        &self,
        owner_id: &str,
        sha256: &str,
    ) -> Result<Option<u64>, DbError> {
        self.read(|c| owned_blob_size(c, owner_id, sha256))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::accounts::NewUser;
    use crate::store::testing::store_test;
    use ceria_core::protocol::Role;

    fn users(db: &Db) -> (String, String) {
        let mut ids = Vec::new();
        for name in ["1305014101900001", "1305014101900002"] {
            let user = db
                .create_user(
                    &NewUser {
                        username: name.into(),
                        password_hash: "x".into(),
                        role: Role::Citizen,
                        name: "Siti".into(),
                        village: None,
                        phone: None,
                    },
                    0,
                )
                .unwrap()
                .unwrap();
            ids.push(user.id);
        }
        let b = ids.pop().unwrap();
        let a = ids.pop().unwrap();
        (a, b)
    }

    fn draft(id: &str, user: &str) -> WebDraft {
        WebDraft {
            id: id.into(),
            user_id: user.into(),
            service: "ktp_baru".into(),
            request_id: None,
            on_behalf_of: None,
            values: BTreeMap::from([("nama".to_string(), "Siti".to_string())]),
            attachments: Vec::new(),
            updated_ms: 0,
        }
    }

    const LIMITS: DraftLimits = DraftLimits {
        max_drafts: 2,
        max_bytes: 1000,
    };

    store_test!(saved_updated_listed_bounded_and_private, |db| {
        let (a, b) = users(db);
        assert_eq!(db.save_draft(&draft("d1", &a), &LIMITS, 1).unwrap(), Ok(()));
        let mut changed = draft("d1", &a);
        changed.values.insert("nik".into(), "1305".into());
        assert_eq!(db.save_draft(&changed, &LIMITS, 2).unwrap(), Ok(()));
        let got = db.draft("d1", &a).unwrap().unwrap();
        assert_eq!(got.values.len(), 2);
        assert_eq!(got.updated_ms, 2);
        // Someone else's id is neither read nor overwritten.
        assert_eq!(db.draft("d1", &b).unwrap(), None);
        assert_eq!(
            db.save_draft(&draft("d1", &b), &LIMITS, 3).unwrap(),
            Err(DraftRefused::NotYours)
        );
        assert_eq!(db.save_draft(&draft("d2", &a), &LIMITS, 4).unwrap(), Ok(()));
        assert_eq!(
            db.save_draft(&draft("d3", &a), &LIMITS, 5).unwrap(),
            Err(DraftRefused::TooMany(2))
        );
        let mut big = draft("d2", &a);
        big.values.insert("alamat".into(), "x".repeat(2000));
        assert_eq!(
            db.save_draft(&big, &LIMITS, 6).unwrap(),
            Err(DraftRefused::TooLarge(1000))
        );
        let ids: Vec<String> = db
            .drafts_of(&a)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["d2", "d1"]);
        assert!(!db.delete_draft("d1", &b).unwrap());
        assert!(db.delete_draft("d1", &a).unwrap());
        assert_eq!(db.draft("d1", &a).unwrap(), None);
    });
}
