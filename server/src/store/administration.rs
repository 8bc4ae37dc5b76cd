//! Storage of account administration: the account list (never with hashes), disabling and
//! enabling, password resets and ended sessions, each recorded in `account_events` (who did
//! what to which account, when) in the same transaction as the change.

use super::db::role_column;
use super::sessions::end_all_sessions;
use super::sql::{Conn, Row};
use crate::store::{Db, DbError};
use ceria_core::protocol::Role;
use serde::Serialize;

/// An account as an administrator sees it (no password hash, ever).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// Server id.
    pub id: String,
    /// NIK (citizens) or user name (staff).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Operator's village.
    pub village: Option<String>,
    /// Phone in E.164 (citizens).
    pub phone: Option<String>,
    /// Whether the account is disabled (cannot log in, has no sessions).
    pub disabled: bool,
    /// When the account was made.
    pub created_ms: i64,
}

/// One administrative action on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountEvent {
    /// Order of the events.
    pub seq: i64,
    /// Who acted: an administrator's user name, or `cli:<system user>` for the command line.
    pub actor: String,
    /// `disable`, `enable`, `reset_password` or `end_sessions`.
    pub action: String,
    /// When.
    pub at_ms: i64,
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountAction {
    /// Disable: no login, sessions end.
    Disable,
    /// Enable again.
    Enable,
    /// Set a new password: sessions end.
    ResetPassword,
    /// End every session.
    EndSessions,
}

impl AccountAction {
    /// The stable code stored in the audit log.
    pub fn code(self) -> &'static str {
        match self {
            AccountAction::Disable => "disable",
            AccountAction::Enable => "enable",
            AccountAction::ResetPassword => "reset_password",
            AccountAction::EndSessions => "end_sessions",
        }
    }
}

const SUMMARY_COLUMNS: &str = "id, username, name, role, village, phone, disabled_ms, created_ms";

fn summary_from_row(r: &Row<'_>) -> Result<AccountSummary, DbError> {
    Ok(AccountSummary {
        id: r.get(0)?,
        username: r.get(1)?,
        name: r.get(2)?,
        role: role_column(&r.get::<String>(3)?, 3)?,
        village: r.get(4)?,
        phone: r.get(5)?,
        disabled: r.get::<Option<i64>>(6)?.is_some(),
        created_ms: r.get(7)?,
    })
}

fn find(c: &Conn<'_>, id_or_name: &str) -> Result<Option<AccountSummary>, DbError> {
    c.query_opt(
        &format!("SELECT {SUMMARY_COLUMNS} FROM users WHERE id = ?1 OR username = ?1"),
        &[&id_or_name],
        summary_from_row,
    )
}

impl Db {
    /// Accounts in id order (creation order), `limit` after `after`.
    pub(crate) fn list_accounts(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AccountSummary>, DbError> {
        self.read(|c| {
            c.query_map(
                &format!("SELECT {SUMMARY_COLUMNS} FROM users WHERE id > ?1 ORDER BY id LIMIT ?2"),
                &[&after.unwrap_or(""), &limit],
                summary_from_row,
            )
        })
    }

    /// The account with this id or user name.
    pub(crate) fn find_account(&self, id_or_name: &str) -> Result<Option<AccountSummary>, DbError> {
        self.read(|c| find(c, id_or_name))
    }

    /// Applies `action` to the account `id_or_name` (a new password hash for
    /// [`AccountAction::ResetPassword`]) and records it; `None` when there is no such account.
    pub(crate) fn administer(
        &self,
        id_or_name: &str,
        action: AccountAction,
        new_hash: Option<&str>,
        actor: &str,
        now: i64,
    ) -> Result<Option<AccountSummary>, DbError> {
        self.write(|tx| {
            let Some(account) = find(tx, id_or_name)? else {
                return Ok(None);
            };
            match action {
                AccountAction::Disable => {
                    tx.execute(
                        "UPDATE users SET disabled_ms = ?2 WHERE id = ?1 AND disabled_ms IS NULL",
                        &[&account.id, &now],
                    )?;
                    end_all_sessions(tx, &account.id)?;
                }
                AccountAction::Enable => {
                    tx.execute(
                        "UPDATE users SET disabled_ms = NULL WHERE id = ?1",
                        &[&account.id],
                    )?;
                }
                AccountAction::ResetPassword => {
                    let hash = new_hash.ok_or_else(|| {
                        DbError::Corrupt("a password reset without a hash".into())
                    })?;
                    tx.execute(
                        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                        &[&account.id, &hash],
                    )?;
                    end_all_sessions(tx, &account.id)?;
                }
                AccountAction::EndSessions => {
                    end_all_sessions(tx, &account.id)?;
                }
            }
            tx.execute(
                "INSERT INTO account_events (user_id, actor, action, at_ms) VALUES (?1, ?2, ?3, ?4)",
                &[&account.id, &actor, &action.code(), &now],
            )?;
            find(tx, &account.id)
        })
    }

    /// The administrative actions on an account, oldest first.
    pub(crate) fn account_events(&self, user_id: &str) -> Result<Vec<AccountEvent>, DbError> {
        self.read(|c| {
            c.query_map(
                "SELECT seq, actor, action, at_ms FROM account_events WHERE user_id = ?1 ORDER BY seq",
                &[&user_id],
                |r| {
                    Ok(AccountEvent {
                        seq: r.get(0)?,
                        actor: r.get(1)?,
                        action: r.get(2)?,
                        at_ms: r.get(3)?,
                    })
                },
            )
        })
    }
}
