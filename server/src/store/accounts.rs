//! Storage of accounts (sessions are in `sessions`, administration in `administration`).

use super::db::user_from_row;
use super::sql::Conn;
use crate::store::{Db, DbError, new_id};
use ceria_core::protocol::{Role, UserInfo};

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

/// Stores a new account in `tx`; `Ok(None)` when the user name is taken (also by a
/// concurrent transaction: the insert does nothing then, it never fails).
pub(crate) fn insert_user(
    tx: &Conn<'_>,
    user: &NewUser,
    now: i64,
) -> Result<Option<UserInfo>, DbError> {
    let id = new_id();
    let inserted = tx.execute(
        "INSERT INTO users (id, username, name, role, village, phone, password_hash, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (username) DO NOTHING",
        &[
            &id,
            &user.username,
            &user.name,
            &user.role.code(),
            &user.village,
            &user.phone,
            &user.password_hash,
            &now,
        ],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
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

    /// The account, its password hash and whether it is disabled, for a login name.
    pub(crate) fn login_user(
        &self,
        username: &str,
    ) -> Result<Option<(UserInfo, String, bool)>, DbError> {
        self.read(|c| {
            c.query_opt(
                "SELECT id, username, name, role, village, password_hash, disabled_ms
                 FROM users WHERE username = ?1",
                &[&username],
                |r| {
                    Ok((
                        user_from_row(r)?,
                        r.get::<String>(5)?,
                        r.get::<Option<i64>>(6)?.is_some(),
                    ))
                },
            )
        })
    }

    /// Number of accounts per role.
    pub(crate) fn users_by_role(&self) -> Result<Vec<(String, i64)>, DbError> {
        self.read(|c| {
            c.query_map(
                "SELECT role, count(*) FROM users GROUP BY role ORDER BY role",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::testing::store_test;

    /// A citizen account to store with user name `name` (tests of the store).
    pub(crate) fn user(name: &str) -> NewUser {
        NewUser {
            username: name.into(),
            name: "Siti Rahma".into(),
            role: Role::Citizen,
            village: None,
            phone: Some("+6281234567890".into()),
            password_hash: "$argon2id$x".into(),
        }
    }

    store_test!(users_and_logins, |db| {
        let u = db
            .create_user(&user("1305014107900001"), 1)
            .unwrap()
            .unwrap();
        assert!(
            db.create_user(&user("1305014107900001"), 2)
                .unwrap()
                .is_none()
        );
        let (found, hash, disabled) = db.login_user("1305014107900001").unwrap().unwrap();
        assert_eq!(found, u);
        assert_eq!(hash, "$argon2id$x");
        assert!(!disabled);
        assert_eq!(
            db.users_by_role().unwrap(),
            vec![("citizen".to_string(), 1)]
        );
    });
}
