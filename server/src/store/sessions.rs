//! Storage of sessions. The tokens of one login form a *family*: a refresh adds a token to
//! its family, a logout ends the whole family (so a token refreshed from a stolen one dies
//! with it), and a password reset or a disabled account ends every family of the account.

use super::db::user_from_row;
use super::sql::Conn;
use crate::store::{Db, DbError};
use ceria_core::protocol::UserInfo;

/// A live session as the token's bearer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    /// The account.
    pub user: UserInfo,
    /// The family (one login and its refreshes).
    pub family: String,
    /// When the family's login happened.
    pub family_started_ms: i64,
}

/// A token to store.
#[derive(Debug, Clone)]
pub(crate) struct NewToken<'a> {
    /// SHA-256 of the token.
    pub token_hash: &'a str,
    /// The account.
    pub user_id: &'a str,
    /// The family it belongs to.
    pub family: &'a str,
    /// When the family's login happened.
    pub family_started_ms: i64,
    /// When the token dies.
    pub expires_ms: i64,
}

/// Ends every session of an account; returns how many tokens died.
pub(crate) fn end_all_sessions(tx: &Conn<'_>, user_id: &str) -> Result<usize, DbError> {
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", &[&user_id])
}

impl Db {
    /// Stores a token. For a new login (`max_families` given) the account's oldest families
    /// beyond that many live ones end in the same transaction (under the account's lock, so
    /// concurrent logins on several instances still keep at most that many).
    pub(crate) fn create_session(
        &self,
        token: &NewToken<'_>,
        now: i64,
        max_families: Option<u32>,
    ) -> Result<(), DbError> {
        self.write(|tx| {
            if max_families.is_some() {
                tx.lock(&format!("sessions:{}", token.user_id))?;
            }
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms, family, family_started_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    &token.token_hash,
                    &token.user_id,
                    &now,
                    &token.expires_ms,
                    &token.family,
                    &token.family_started_ms,
                ],
            )?;
            let Some(max) = max_families else {
                return Ok(());
            };
            let families: Vec<String> = tx.query_map(
                "SELECT family FROM sessions WHERE user_id = ?1 AND expires_ms > ?2
                 GROUP BY family ORDER BY max(family_started_ms) DESC, family DESC",
                &[&token.user_id, &now],
                |r| r.get(0),
            )?;
            let keep = usize::try_from(max).unwrap_or(usize::MAX);
            for family in families.iter().skip(keep) {
                tx.execute("DELETE FROM sessions WHERE family = ?1", &[family])?;
            }
            Ok(())
        })
    }

    /// The live session of a token; none for an unknown, expired or disabled account's token.
    pub(crate) fn session(&self, token_hash: &str, now: i64) -> Result<Option<Session>, DbError> {
        self.read(|c| {
            c.query_opt(
                "SELECT u.id, u.username, u.name, u.role, u.village, s.family, s.family_started_ms
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_ms > ?2 AND u.disabled_ms IS NULL",
                &[&token_hash, &now],
                |r| {
                    Ok(Session {
                        user: user_from_row(r)?,
                        family: r.get(5)?,
                        family_started_ms: r.get(6)?,
                    })
                },
            )
        })
    }

    /// Ends a family (logout): every token of that login dies.
    pub(crate) fn end_family(&self, family: &str) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE family = ?1", &[&family])?;
            Ok(())
        })
    }

    /// Removes expired sessions; returns how many.
    pub(crate) fn sweep_sessions(&self, now: i64) -> Result<usize, DbError> {
        self.write(|tx| tx.execute("DELETE FROM sessions WHERE expires_ms <= ?1", &[&now]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::accounts::NewUser;
    use crate::store::testing::store_test;
    use ceria_core::protocol::Role;

    fn token<'a>(hash: &'a str, user: &'a str, family: &'a str, start: i64) -> NewToken<'a> {
        NewToken {
            token_hash: hash,
            user_id: user,
            family,
            family_started_ms: start,
            expires_ms: 1_000,
        }
    }

    store_test!(families_end_together_and_are_capped, |db| {
        let u = db
            .create_user(
                &NewUser {
                    username: "1305014107900001".into(),
                    name: "Siti Rahma".into(),
                    role: Role::Citizen,
                    village: None,
                    phone: None,
                    password_hash: "$argon2id$x".into(),
                },
                1,
            )
            .unwrap()
            .unwrap();
        db.create_session(&token("a1", &u.id, "a", 1), 1, Some(2))
            .unwrap();
        db.create_session(&token("a2", &u.id, "a", 1), 2, None)
            .unwrap();
        db.create_session(&token("b1", &u.id, "b", 3), 3, Some(2))
            .unwrap();
        assert_eq!(db.session("a2", 5).unwrap().unwrap().family, "a");
        // A third login ends the oldest family, both of its tokens.
        db.create_session(&token("c1", &u.id, "c", 4), 4, Some(2))
            .unwrap();
        assert!(db.session("a1", 5).unwrap().is_none());
        assert!(db.session("a2", 5).unwrap().is_none());
        assert!(db.session("b1", 5).unwrap().is_some());
        db.end_family("b").unwrap();
        assert!(db.session("b1", 5).unwrap().is_none());
        assert_eq!(db.session("c1", 5).unwrap().unwrap().user, u);
        assert!(db.session("c1", 1_000).unwrap().is_none(), "expired");
        assert_eq!(db.sweep_sessions(1_000).unwrap(), 1);
    });
}
