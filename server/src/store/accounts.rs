//! Storage of accounts and sessions.

use super::db::user_from_row;
use crate::store::{Db, DbError, new_id};
use ceria_core::protocol::{Role, UserInfo};
use rusqlite::{OptionalExtension, Transaction, params};

/// A new account to store (the password already hashed).
#[derive(Debug, Clone)]
pub(crate) struct NewUser {
    /// NIK for citizens, user name for staff.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Operator's village.
    pub village: Option<String>,
    /// Phone in E.164 (citizens).
    pub phone: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Stores a new account in `tx`; `Ok(None)` when the user name is taken.
pub(crate) fn insert_user(
    tx: &Transaction<'_>,
    user: &NewUser,
    now: i64,
) -> Result<Option<UserInfo>, DbError> {
    let taken: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM users WHERE username = ?1",
            [&user.username],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Ok(None);
    }
    let id = new_id();
    tx.execute(
        "INSERT INTO users (id, username, name, role, village, phone, password_hash, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            user.username,
            user.name,
            user.role.code(),
            user.village,
            user.phone,
            user.password_hash,
            now
        ],
    )?;
    Ok(Some(UserInfo {
        id,
        username: user.username.clone(),
        name: user.name.clone(),
        role: user.role,
        village: user.village.clone(),
        identity: None,
    }))
}

impl Db {
    /// Stores a new account; `Ok(None)` when the user name is taken.
    pub(crate) fn create_user(
        &self,
        user: &NewUser,
        now: i64,
    ) -> Result<Option<UserInfo>, DbError> {
        self.write(|tx| insert_user(tx, user, now))
    }

    /// The account and password hash for a login name.
    pub(crate) fn login_user(&self, username: &str) -> Result<Option<(UserInfo, String)>, DbError> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT id, username, name, role, village, password_hash FROM users WHERE username = ?1",
            )?
            .query_row([username], |r| Ok((user_from_row(r)?, r.get::<_, String>(5)?)))
            .optional()?)
        })
    }

    /// Stores a session token hash.
    pub(crate) fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        now: i64,
        expires_ms: i64,
    ) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user_id, now, expires_ms],
            )?;
            Ok(())
        })
    }

    /// The account of a live session.
    pub(crate) fn session_user(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserInfo>, DbError> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT u.id, u.username, u.name, u.role, u.village FROM sessions s
                 JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_ms > ?2",
            )?
            .query_row(params![token_hash, now], user_from_row)
            .optional()?)
        })
    }

    /// Ends a session (logout).
    pub(crate) fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        })
    }

    /// Removes expired sessions; returns how many.
    pub(crate) fn sweep_sessions(&self, now: i64) -> Result<usize, DbError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM sessions WHERE expires_ms <= ?1", [now])?))
    }

    /// Number of accounts per role.
    pub(crate) fn users_by_role(&self) -> Result<Vec<(String, i64)>, DbError> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT role, count(*) FROM users GROUP BY role ORDER BY role")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> NewUser {
        NewUser {
            username: name.into(),
            name: "Siti Rahma".into(),
            role: Role::Citizen,
            village: None,
            phone: Some("+6281234567890".into()),
            password_hash: "$argon2id$x".into(),
        }
    }

    #[test]
    fn users_sessions_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let u = db
            .create_user(&user("1305014107900001"), 1)
            .unwrap()
            .unwrap();
        assert!(
            db.create_user(&user("1305014107900001"), 2)
                .unwrap()
                .is_none()
        );
        let (found, hash) = db.login_user("1305014107900001").unwrap().unwrap();
        assert_eq!(found, u);
        assert_eq!(hash, "$argon2id$x");
        db.create_session("h1", &u.id, 10, 100).unwrap();
        assert_eq!(db.session_user("h1", 50).unwrap(), Some(u.clone()));
        assert_eq!(
            db.session_user("h1", 100).unwrap(),
            None,
            "expired at expires_ms"
        );
        assert_eq!(db.sweep_sessions(100).unwrap(), 1);
        db.create_session("h2", &u.id, 10, 100).unwrap();
        db.delete_session("h2").unwrap();
        assert_eq!(db.session_user("h2", 50).unwrap(), None);
        assert_eq!(
            db.users_by_role().unwrap(),
            vec![("citizen".to_string(), 1)]
        );
    }
}
