//! Storage of citizen identity: which accounts are verified (and how), the identity audit
//! log, failed register checks, the register extract (as keyed hashes, see
//! [`crate::population`]) and the reclaim of a NIK.
//!
//! Whether an account may follow requests filed by others for its NIK is decided in SQL by
//! [`VERIFIED_SQL`], inside the scope condition of `store::requests`, so every read and
//! every push of a citizen sees the state of the moment.

use super::accounts::{NewUser, insert_user};
use super::db::role_column;
use super::sql::Conn;
use crate::store::{Db, DbError};
use ceria_core::protocol::{IdentityEvent, IdentityMethod, IdentityState, Role, UserInfo};

/// SQL true when the account `?{n}` (an id) is verified; `{n}` is replaced by the caller.
pub(crate) const VERIFIED_SQL: &str =
    "EXISTS (SELECT 1 FROM identity_verifications v WHERE v.user_id = ?{n})";

/// The audit action of a verification.
const VERIFIED: &str = "verified";
/// The audit action of an account a reclaim took the NIK from.
const DISABLED: &str = "disabled";

/// What a register check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegisterCheck {
    /// All facts matched: the account is now verified.
    Verified,
    /// No match; this many failures are left in the window.
    Mismatch {
        /// Failures left.
        attempts_left: u32,
    },
    /// Too many failures: try again in this many ms.
    Locked {
        /// Wait (ms).
        retry_after_ms: i64,
    },
    /// No register extract was imported.
    NoRegister,
}

/// Limits of register checks per account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CheckLimit {
    /// Failures allowed in a window.
    pub max_failures: u32,
    /// The window (ms).
    pub window_ms: i64,
}

/// What a reclaim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reclaimed {
    /// The owner's new, verified account.
    pub user: UserInfo,
    /// The id of the account that held the NIK, now disabled.
    pub replaced: Option<String>,
    /// Sessions of that account ended.
    pub sessions_ended: u64,
}

/// The identity state of an account (`None` for staff).
fn state_of(tx: &Conn<'_>, user: &UserInfo) -> Result<Option<IdentityState>, DbError> {
    if user.role != Role::Citizen {
        return Ok(None);
    }
    let verified = tx
        .query_opt(
            "SELECT 1 FROM identity_verifications WHERE user_id = ?1",
            &[&user.id],
            |r| r.get::<i64>(0),
        )?
        .is_some();
    Ok(Some(if verified {
        IdentityState::Verified
    } else {
        IdentityState::Unverified
    }))
}

/// Marks `user_id` verified by `method` and logs it.
fn mark_verified(
    tx: &Conn<'_>,
    user_id: &str,
    nik: &str,
    method: IdentityMethod,
    actor_id: &str,
    note: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO identity_verifications (user_id, method, verified_by, verified_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE SET method = excluded.method,
             verified_by = excluded.verified_by, verified_ms = excluded.verified_ms",
        &[&user_id, &method.code(), &actor_id, &now],
    )?;
    log(tx, user_id, nik, VERIFIED, method, actor_id, note, now)
}

#[allow(clippy::too_many_arguments)]
fn log(
    tx: &Conn<'_>,
    user_id: &str,
    nik: &str,
    action: &str,
    method: IdentityMethod,
    actor_id: &str,
    note: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO identity_events (user_id, nik, action, method, actor_id, at_ms, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            &user_id,
            &nik,
            &action,
            &method.code(),
            &actor_id,
            &now,
            &note,
        ],
    )?;
    Ok(())
}

/// The citizen account holding `nik`, if any.
fn citizen_by_nik(tx: &Conn<'_>, nik: &str) -> Result<Option<UserInfo>, DbError> {
    tx.query_opt(
        "SELECT id, username, name, role, village FROM users
         WHERE username = ?1 AND role = 'citizen'",
        &[&nik],
        super::db::user_from_row,
    )
}

impl Db {
    /// `user` with its identity state filled in.
    pub(crate) fn with_identity(&self, mut user: UserInfo) -> Result<UserInfo, DbError> {
        user.identity = self.read(|c| state_of(c, &user))?;
        Ok(user)
    }

    /// Checks a citizen's register facts (`proof`, see [`crate::population`]) and verifies
    /// the account on a match. The failure count is read, tested and written in the one
    /// write transaction, under the account's lock, so concurrent attempts cannot exceed the
    /// limit.
    pub(crate) fn check_register(
        &self,
        user: &UserInfo,
        proof: &str,
        limit: CheckLimit,
        now: i64,
    ) -> Result<RegisterCheck, DbError> {
        self.write(|tx| {
            tx.lock(&format!("identity:{}", user.id))?;
            let since = now.saturating_sub(limit.window_ms);
            let (failures, oldest): (i64, Option<i64>) = tx.query_row(
                "SELECT count(*), min(at_ms) FROM identity_attempts
                 WHERE user_id = ?1 AND at_ms > ?2",
                &[&user.id, &since],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let failures = u32::try_from(failures).unwrap_or(u32::MAX);
            if failures >= limit.max_failures {
                let retry_after_ms = oldest.map_or(limit.window_ms, |t| {
                    t.saturating_add(limit.window_ms).saturating_sub(now)
                });
                return Ok(RegisterCheck::Locked {
                    retry_after_ms: retry_after_ms.max(1),
                });
            }
            let any: Option<i64> =
                tx.query_opt("SELECT 1 FROM population LIMIT 1", &[], |r| r.get(0))?;
            if any.is_none() {
                return Ok(RegisterCheck::NoRegister);
            }
            let found: Option<i64> = tx.query_opt(
                "SELECT 1 FROM population WHERE proof = ?1",
                &[&proof],
                |r| r.get(0),
            )?;
            if found.is_some() {
                mark_verified(
                    tx,
                    &user.id,
                    &user.username,
                    IdentityMethod::Register,
                    &user.id,
                    None,
                    now,
                )?;
                tx.execute(
                    "DELETE FROM identity_attempts WHERE user_id = ?1",
                    &[&user.id],
                )?;
                return Ok(RegisterCheck::Verified);
            }
            tx.execute(
                "INSERT INTO identity_attempts (user_id, at_ms) VALUES (?1, ?2)",
                &[&user.id, &now],
            )?;
            Ok(RegisterCheck::Mismatch {
                attempts_left: limit.max_failures.saturating_sub(failures + 1),
            })
        })
    }

    /// Verifies the citizen account of `nik` after an in-person check by `actor`; `None`
    /// when no citizen account holds that NIK.
    pub(crate) fn verify_in_person(
        &self,
        nik: &str,
        method: IdentityMethod,
        actor: &UserInfo,
        note: Option<&str>,
        now: i64,
    ) -> Result<Option<UserInfo>, DbError> {
        self.write(|tx| {
            let Some(mut user) = citizen_by_nik(tx, nik)? else {
                return Ok(None);
            };
            mark_verified(tx, &user.id, nik, method, &actor.id, note, now)?;
            user.identity = Some(IdentityState::Verified);
            Ok(Some(user))
        })
    }

    /// Gives the owner of `owner.username` (a NIK), checked in person by `actor`, a new
    /// verified account. The account that held the NIK keeps its id and the requests it
    /// filed, but loses the NIK (its user name becomes `reclaimed:<id>`), its password (no
    /// hash matches) and its sessions: it can no longer log in nor see anything.
    pub(crate) fn reclaim(
        &self,
        owner: &NewUser,
        method: IdentityMethod,
        actor: &UserInfo,
        note: Option<&str>,
        now: i64,
    ) -> Result<Reclaimed, DbError> {
        self.write(|tx| {
            let nik = owner.username.as_str();
            tx.lock(&format!("nik:{nik}"))?;
            let mut replaced = None;
            let mut sessions_ended = 0;
            if let Some(old) = citizen_by_nik(tx, nik)? {
                sessions_ended =
                    tx.execute("DELETE FROM sessions WHERE user_id = ?1", &[&old.id])? as u64;
                tx.execute(
                    "DELETE FROM identity_verifications WHERE user_id = ?1",
                    &[&old.id],
                )?;
                tx.execute(
                    "UPDATE users SET username = ?2, password_hash = '!reclaimed' WHERE id = ?1",
                    &[&old.id, &format!("reclaimed:{}", old.id)],
                )?;
                log(tx, &old.id, nik, DISABLED, method, &actor.id, note, now)?;
                replaced = Some(old.id);
            }
            let mut user = insert_user(tx, owner, now)?
                .ok_or_else(|| DbError::Corrupt(format!("user name `{nik}` still taken")))?;
            mark_verified(tx, &user.id, nik, method, &actor.id, note, now)?;
            user.identity = Some(IdentityState::Verified);
            Ok(Reclaimed {
                user,
                replaced,
                sessions_ended,
            })
        })
    }

    /// The identity audit log of `nik`, oldest first.
    pub(crate) fn identity_events(&self, nik: &str) -> Result<Vec<IdentityEvent>, DbError> {
        self.read(|c| {
            c.query_map(
                "SELECT e.seq, e.nik, e.user_id, e.action, e.method, a.username, a.role, a.village,
                        e.at_ms, e.note
                 FROM identity_events e JOIN users a ON a.id = e.actor_id
                 WHERE e.nik = ?1 ORDER BY e.seq",
                &[&nik],
                |r| {
                    let method: String = r.get(4)?;
                    Ok(IdentityEvent {
                        seq: r.get(0)?,
                        nik: r.get(1)?,
                        account: r.get(2)?,
                        action: r.get(3)?,
                        method: IdentityMethod::from_code(&method).ok_or_else(|| {
                            DbError::Corrupt(format!("identity method `{method}`"))
                        })?,
                        actor: r.get(5)?,
                        actor_role: role_column(&r.get::<String>(6)?, 6)?,
                        actor_village: r.get(7)?,
                        at_ms: r.get(8)?,
                        note: r.get(9)?,
                    })
                },
            )
        })
    }

    /// Replaces the register extract with `proofs` (keyed hashes); returns how many.
    pub(crate) fn replace_population(&self, proofs: &[String]) -> Result<usize, DbError> {
        self.write(|tx| {
            tx.execute("DELETE FROM population", &[])?;
            let mut n = 0;
            for p in proofs {
                n += tx.execute(
                    "INSERT INTO population (proof) VALUES (?1) ON CONFLICT DO NOTHING",
                    &[p],
                )?;
            }
            Ok(n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store_test;

    fn citizen(db: &Db, nik: &str) -> UserInfo {
        db.create_user(&crate::store::accounts::tests::user(nik), 1)
            .unwrap()
            .unwrap()
    }

    store_test!(register_checks_are_limited_and_a_match_verifies, |db| {
        let u = citizen(db, "1305014107900001");
        let limit = CheckLimit {
            max_failures: 2,
            window_ms: 1000,
        };
        assert_eq!(
            db.check_register(&u, "p", limit, 10).unwrap(),
            RegisterCheck::NoRegister
        );
        db.replace_population(&["good".into(), "good".into(), "other".into()])
            .unwrap();
        assert_eq!(
            db.with_identity(u.clone()).unwrap().identity,
            Some(IdentityState::Unverified)
        );
        assert_eq!(
            db.check_register(&u, "bad", limit, 100).unwrap(),
            RegisterCheck::Mismatch { attempts_left: 1 }
        );
        assert_eq!(
            db.check_register(&u, "bad", limit, 200).unwrap(),
            RegisterCheck::Mismatch { attempts_left: 0 }
        );
        assert_eq!(
            db.check_register(&u, "good", limit, 300).unwrap(),
            RegisterCheck::Locked {
                retry_after_ms: 800
            },
            "locked even with the right answer"
        );
        assert_eq!(
            db.check_register(&u, "good", limit, 1101).unwrap(),
            RegisterCheck::Verified,
            "the window moved on"
        );
        assert_eq!(
            db.with_identity(u).unwrap().identity,
            Some(IdentityState::Verified)
        );
    });
}
