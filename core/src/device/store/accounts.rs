//! Accounts and sessions kept on the device. Several accounts can be logged in at once (a
//! nagari operator's laptop, a family's shared phone); one of them is current and owns new
//! drafts. Logging out wipes that account's drafts, requests, outbox and files.

use crate::device::error::Result;
use crate::protocol::{IdentityState, LoginResponse, Role};
use rusqlite::{Connection, OptionalExtension, params};

/// An account known to this device.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Account {
    /// The server's user id.
    pub id: String,
    /// NIK (citizens) or user name (staff).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role on the server.
    pub role: Role,
    /// The village an operator is bound to.
    pub village: Option<String>,
    /// True while the device holds a session that the server has not refused.
    pub logged_in: bool,
    /// True when the server refused the session or it expired: the person must log in again.
    pub needs_login: bool,
    /// True for the account that owns new drafts.
    pub current: bool,
    /// When this account last synced completely (ms since the Unix epoch).
    pub last_sync_ms: Option<i64>,
    /// When the session ends (ms since the Unix epoch) while the account is logged in. Sync
    /// renews it during its last week, so it only runs out on a device that stays offline
    /// that long.
    pub session_expires_ms: Option<i64>,
    /// Citizens: whether the account has shown that it owns its NIK; an unverified account
    /// sees only the requests it filed itself (`identity.unverified` says what to do). `None`
    /// for staff, and until the server has said.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub identity: Option<IdentityState>,
}

/// A bearer token and its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) account_id: String,
    pub(crate) token: String,
    pub(crate) expires_at_ms: i64,
}

const CURRENT_KEY: &str = "current_account";

/// The least privileged role is the safe reading of an unexpected stored value.
fn role_from_code(code: &str) -> Role {
    Role::from_code(code).unwrap_or(Role::Citizen)
}

/// Stores a successful login: creates or updates the account and its session, and makes it
/// the current account.
pub(crate) fn record_login(conn: &Connection, login: &LoginResponse, now: i64) -> Result<()> {
    let user = &login.user;
    conn.execute(
        "INSERT INTO accounts (id, username, name, role, village, token, expires_at_ms, needs_login, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)
         ON CONFLICT(id) DO UPDATE SET username = excluded.username, name = excluded.name,
             role = excluded.role, village = excluded.village, token = excluded.token,
             expires_at_ms = excluded.expires_at_ms, needs_login = 0",
        params![
            user.id,
            user.username,
            user.name,
            user.role.code(),
            user.village,
            login.token,
            login.expires_at_ms,
            now
        ],
    )?;
    set_current(conn, Some(&user.id))?;
    if let Some(state) = user.identity {
        set_identity(conn, &user.id, state)?;
    }
    Ok(())
}

/// Records what the server says about the account's identity. When it becomes verified the
/// feed cursor starts over: the requests others filed for the NIK were hidden from the
/// account until now, so their past changes lie before the cursor. (Changes already applied
/// are applied again harmlessly.) Returns whether the state changed.
pub(crate) fn set_identity(conn: &Connection, id: &str, state: IdentityState) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE accounts SET identity = ?2,
             pull_cursor = CASE WHEN ?2 = 'verified' THEN '' ELSE pull_cursor END
         WHERE id = ?1 AND identity IS NOT ?2",
        params![id, state.code()],
    )?;
    Ok(changed == 1)
}

/// Replaces a logged-in account's token with a renewed one (the current account stays as it
/// is). Returns false when the account logged out or was refused meanwhile, or when the
/// answer is for another account: then nothing changes.
pub(crate) fn renew_session(
    conn: &Connection,
    account_id: &str,
    login: &LoginResponse,
) -> Result<bool> {
    if login.user.id != account_id {
        return Ok(false);
    }
    let changed = conn.execute(
        "UPDATE accounts SET token = ?2, expires_at_ms = ?3
         WHERE id = ?1 AND token IS NOT NULL AND needs_login = 0",
        params![account_id, login.token, login.expires_at_ms],
    )?;
    if changed == 1
        && let Some(state) = login.user.identity
    {
        set_identity(conn, account_id, state)?;
    }
    Ok(changed == 1)
}

/// Makes `id` the current account (`None`: no current account).
pub(crate) fn set_current(conn: &Connection, id: Option<&str>) -> Result<()> {
    match id {
        Some(id) => conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![CURRENT_KEY, id],
        )?,
        None => conn.execute("DELETE FROM settings WHERE key = ?1", params![CURRENT_KEY])?,
    };
    Ok(())
}

/// The current account's id, if it still exists.
pub(crate) fn current_id(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT a.id FROM settings s JOIN accounts a ON a.id = s.value WHERE s.key = ?1",
            params![CURRENT_KEY],
            |r| r.get(0),
        )
        .optional()?)
}

const ACCOUNT_COLUMNS: &str =
    "a.id, a.username, a.name, a.role, a.village, a.token IS NOT NULL AND a.needs_login = 0,
     a.needs_login, a.id = (SELECT value FROM settings WHERE key = 'current_account'),
     a.last_sync_ms,
     CASE WHEN a.token IS NOT NULL AND a.needs_login = 0 THEN a.expires_at_ms END, a.identity";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let role: String = r.get(3)?;
    Ok(Account {
        id: r.get(0)?,
        username: r.get(1)?,
        name: r.get(2)?,
        role: role_from_code(&role),
        village: r.get(4)?,
        logged_in: r.get(5)?,
        needs_login: r.get(6)?,
        current: r.get::<_, Option<bool>>(7)?.unwrap_or(false),
        last_sync_ms: r.get(8)?,
        session_expires_ms: r.get(9)?,
        identity: r
            .get::<_, Option<String>>(10)?
            .and_then(|c| IdentityState::from_code(&c)),
    })
}

/// All accounts, in the order they were first added.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.created_ms, a.id");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], account_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// One account.
pub(crate) fn get(conn: &Connection, id: &str) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?1");
    Ok(conn
        .query_row(&sql, params![id], account_from_row)
        .optional()?)
}

/// The session of an account, if it holds one.
pub(crate) fn session(conn: &Connection, id: &str) -> Result<Option<Session>> {
    Ok(conn
        .query_row(
            "SELECT id, token, expires_at_ms FROM accounts
             WHERE id = ?1 AND token IS NOT NULL AND needs_login = 0",
            params![id],
            |r| {
                Ok(Session {
                    account_id: r.get(0)?,
                    token: r.get(1)?,
                    expires_at_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                })
            },
        )
        .optional()?)
}

/// Accounts holding a session, the current one first: the order in which sync serves them.
pub(crate) fn sync_order(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT id FROM accounts WHERE token IS NOT NULL AND needs_login = 0
         ORDER BY id = (SELECT value FROM settings WHERE key = 'current_account') DESC, created_ms, id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
}

/// Marks the session as refused: the person must log in again. Data stays.
pub(crate) fn mark_needs_login(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET needs_login = 1 WHERE id = ?1",
        params![id],
    )?;
    Ok(())
}

/// Records a complete sync of the account.
pub(crate) fn mark_synced(conn: &Connection, id: &str, now: i64) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET last_sync_ms = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// The account's status feed cursor (empty: from the start).
pub(crate) fn cursor(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn
        .query_row(
            "SELECT pull_cursor FROM accounts WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// Stores the feed cursor; call in the same transaction as the changes it covers.
pub(crate) fn set_cursor(conn: &Connection, id: &str, cursor: &str) -> Result<()> {
    conn.execute(
        "UPDATE accounts SET pull_cursor = ?2 WHERE id = ?1",
        params![id, cursor],
    )?;
    Ok(())
}

/// Deletes the account and, through the foreign keys, all its drafts, requests, outbox
/// operations, attachments and upload records. Files are collected by the caller afterwards.
/// If it was the current account, another logged-in account (if any) becomes current.
pub(crate) fn delete(conn: &Connection, id: &str) -> Result<bool> {
    let was_current = current_id(conn)?.as_deref() == Some(id);
    let deleted = conn.execute("DELETE FROM accounts WHERE id = ?1", params![id])? > 0;
    if was_current {
        let next: Option<String> = conn
            .query_row(
                "SELECT id FROM accounts ORDER BY token IS NOT NULL DESC, created_ms LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        set_current(conn, next.as_deref())?;
    }
    Ok(deleted)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::device::store::db::Db;
    use crate::protocol::UserInfo;

    pub(crate) fn login(id: &str, role: Role, village: Option<&str>) -> LoginResponse {
        LoginResponse {
            token: format!("token-{id}"),
            expires_at_ms: 4_000_000_000_000,
            user: UserInfo {
                id: id.to_string(),
                username: format!("user-{id}"),
                name: format!("Name {id}"),
                role,
                village: village.map(str::to_string),
                identity: None,
            },
        }
    }

    #[test]
    fn login_switch_and_delete() {
        let db = Db::open_in_memory().unwrap();
        db.write(|tx| record_login(tx, &login("a", Role::Citizen, None), 1))
            .unwrap();
        db.write(|tx| record_login(tx, &login("b", Role::Operator, Some("13.05.01.2001")), 2))
            .unwrap();
        let all = db.read(list).unwrap();
        assert_eq!(all.len(), 2);
        assert!(
            !all[0].current && all[1].current,
            "the last login becomes current"
        );
        assert_eq!(all[1].role, Role::Operator);
        assert_eq!(all[1].village.as_deref(), Some("13.05.01.2001"));
        assert_eq!(
            db.read(sync_order).unwrap(),
            vec!["b".to_string(), "a".to_string()]
        );

        db.write(|tx| set_current(tx, Some("a"))).unwrap();
        assert_eq!(db.read(current_id).unwrap().as_deref(), Some("a"));

        db.write(|tx| mark_needs_login(tx, "a")).unwrap();
        assert!(db.read(|c| session(c, "a")).unwrap().is_none());
        let a = db.read(|c| get(c, "a")).unwrap().unwrap();
        assert!(a.needs_login && !a.logged_in);
        // Logging in again clears the flag.
        db.write(|tx| record_login(tx, &login("a", Role::Citizen, None), 3))
            .unwrap();
        assert_eq!(
            db.read(|c| session(c, "a")).unwrap().unwrap().token,
            "token-a"
        );

        assert!(db.write(|tx| delete(tx, "a")).unwrap());
        assert_eq!(db.read(current_id).unwrap().as_deref(), Some("b"));
        assert!(!db.write(|tx| delete(tx, "a")).unwrap());
    }

    #[test]
    fn renewal_replaces_the_token_only_of_a_logged_in_account() {
        let db = Db::open_in_memory().unwrap();
        db.write(|tx| record_login(tx, &login("a", Role::Citizen, None), 1))
            .unwrap();
        db.write(|tx| record_login(tx, &login("b", Role::Citizen, None), 2))
            .unwrap();
        let mut renewed = login("a", Role::Citizen, None);
        renewed.token = "token-a-2".into();
        renewed.expires_at_ms = 5_000_000_000_000;
        // An answer for another account changes nothing.
        assert!(!db.write(|tx| renew_session(tx, "b", &renewed)).unwrap());
        assert_eq!(
            db.read(|c| session(c, "b")).unwrap().unwrap().token,
            "token-b"
        );
        assert!(db.write(|tx| renew_session(tx, "a", &renewed)).unwrap());
        let a = db.read(|c| session(c, "a")).unwrap().unwrap();
        assert_eq!(
            (a.token.as_str(), a.expires_at_ms),
            ("token-a-2", 5_000_000_000_000)
        );
        let account = db.read(|c| get(c, "a")).unwrap().unwrap();
        assert_eq!(account.session_expires_ms, Some(5_000_000_000_000));
        assert!(!account.current, "renewal does not switch accounts");
        // Refused meanwhile (401 elsewhere in the pass): the renewal must not revive it.
        db.write(|tx| mark_needs_login(tx, "a")).unwrap();
        renewed.token = "token-a-3".into();
        assert!(!db.write(|tx| renew_session(tx, "a", &renewed)).unwrap());
        assert!(db.read(|c| session(c, "a")).unwrap().is_none());
        assert_eq!(
            db.read(|c| get(c, "a"))
                .unwrap()
                .unwrap()
                .session_expires_ms,
            None
        );
    }

    #[test]
    fn verification_restarts_the_feed() {
        let db = Db::open_in_memory().unwrap();
        let mut l = login("a", Role::Citizen, None);
        l.user.identity = Some(IdentityState::Unverified);
        db.write(|tx| record_login(tx, &l, 1)).unwrap();
        db.write(|tx| set_cursor(tx, "a", "42")).unwrap();
        let a = db.read(|c| get(c, "a")).unwrap().unwrap();
        assert_eq!(a.identity, Some(IdentityState::Unverified));
        assert!(
            !db.write(|tx| set_identity(tx, "a", IdentityState::Unverified))
                .unwrap()
        );
        assert_eq!(db.read(|c| cursor(c, "a")).unwrap(), "42");
        assert!(
            db.write(|tx| set_identity(tx, "a", IdentityState::Verified))
                .unwrap()
        );
        assert_eq!(
            db.read(|c| cursor(c, "a")).unwrap(),
            "",
            "pulled again from the start"
        );
        let a = db.read(|c| get(c, "a")).unwrap().unwrap();
        assert_eq!(a.identity, Some(IdentityState::Verified));
        // Staff have no identity state.
        db.write(|tx| record_login(tx, &login("b", Role::Operator, Some("13.05.01.2001")), 2))
            .unwrap();
        assert_eq!(db.read(|c| get(c, "b")).unwrap().unwrap().identity, None);
    }

    #[test]
    fn cursor_round_trip() {
        let db = Db::open_in_memory().unwrap();
        db.write(|tx| record_login(tx, &login("a", Role::Citizen, None), 1))
            .unwrap();
        assert_eq!(db.read(|c| cursor(c, "a")).unwrap(), "");
        db.write(|tx| set_cursor(tx, "a", "42")).unwrap();
        assert_eq!(db.read(|c| cursor(c, "a")).unwrap(), "42");
    }
}
