//! Administration commands run against a data directory (used by `ceria-server admin ...` and
//! by the `ceria` CLI): create staff accounts, administer accounts (disable, enable, reset a
//! password, end sessions: each recorded in the account's audit log, also when the
//! `/v1/users` API does it), import a region table, publish a catalog, read the yearly
//! figures and export them.
//!
//! They open the database directly, so they also work while no server runs. A running server
//! picks up a catalog published this way at its next start (`PUT /v1/catalog` applies at once).

use crate::catalog_store::{self, PublishError};
use crate::credentials;
use crate::export;
use crate::identity;
pub use crate::identity::PasswordProblem;
use crate::regions;
use crate::stats::{self, Stats};
use crate::store::accounts::NewUser;
use crate::store::administration::AccountAction;
pub use crate::store::administration::{AccountEvent, AccountSummary};
use crate::store::{Db, DbError, now_ms};
use ceria_core::catalog::diff::CatalogDiff;
use ceria_core::protocol::{Role, UserInfo};
use std::path::Path;

/// Longest staff display name.
pub const MAX_STAFF_NAME_CHARS: usize = 100;

/// Why an admin command failed. [`AdminError::code`] is the stable message code.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Input not acceptable (user name, role, village, name).
    #[error("{0}")]
    Invalid(String),
    /// The password policy refuses the password.
    #[error(transparent)]
    Password(#[from] PasswordProblem),
    /// No account has this id or user name.
    #[error("no account `{0}`")]
    NotFound(String),
    /// The user name exists.
    #[error("user name `{0}` is taken")]
    Taken(String),
    /// The region file could not be read as a Kemendagri CSV.
    #[error("region table: {0}")]
    Regions(String),
    /// The catalog was refused.
    #[error(transparent)]
    Catalog(#[from] PublishError),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl AdminError {
    /// The stable message code (worded by the catalog's `messages`).
    pub fn code(&self) -> &'static str {
        match self {
            AdminError::Invalid(_) | AdminError::Regions(_) => "request.malformed",
            AdminError::Password(p) => p.code(),
            AdminError::NotFound(_) => "request.not_found",
            AdminError::Taken(_) => "auth.username_taken",
            AdminError::Catalog(PublishError::NotNewer { .. }) => "catalog.outdated",
            AdminError::Catalog(PublishError::Invalid(_)) => "request.malformed",
            AdminError::Catalog(PublishError::Db(_)) | AdminError::Db(_) | AdminError::Io(_) => {
                "internal"
            }
        }
    }

    /// Message parameters for [`AdminError::code`].
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            AdminError::Password(p) => p.params(),
            AdminError::Taken(username) => vec![("username", username.clone())],
            AdminError::Catalog(PublishError::NotNewer { current, .. }) => {
                vec![("version", current.clone())]
            }
            _ => Vec::new(),
        }
    }
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct StaffAccount {
    /// `operator`, `officer` or `admin`.
    pub role: Role,
    /// Login name: 3-64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// Password (the policy of `identity::check_password`).
    pub password: String,
    /// Display name (defaults to the user name).
    pub name: Option<String>,
    /// Village code, required for operators.
    pub village: Option<String>,
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        // All digits would collide with the NIK namespace of citizens.
        && !u.bytes().all(|b| b.is_ascii_digit())
}

/// Creates a staff account in the database at `data_dir`.
pub fn create_user(db: &Db, account: StaffAccount) -> Result<UserInfo, AdminError> {
    let username = account.username.trim().to_string();
    if !valid_username(&username) {
        return Err(AdminError::Invalid(
            "user name: 3-64 characters a-z, 0-9, '.', '_', '-', not only digits".into(),
        ));
    }
    if account.role == Role::Citizen {
        return Err(AdminError::Invalid(
            "citizens register themselves with their NIK".into(),
        ));
    }
    let village = match (account.role, account.village.as_deref()) {
        (Role::Operator, Some(v)) => Some(
            identity::check_village(v)
                .map_err(|f| AdminError::Invalid(format!("village `{v}`: {}", f.code)))?,
        ),
        (Role::Operator, None) => {
            return Err(AdminError::Invalid(
                "an operator needs --village PP.KK.CC.DDDD".into(),
            ));
        }
        (_, Some(_)) => {
            return Err(AdminError::Invalid(
                "only operators are bound to a village".into(),
            ));
        }
        (_, None) => None,
    };
    let name = account
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&username);
    let name: String = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() > MAX_STAFF_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(AdminError::Invalid(format!(
            "name: at most {MAX_STAFF_NAME_CHARS} characters"
        )));
    }
    identity::check_password(&account.password, &[&username, &name])?;
    let password_hash = credentials::hash_password(&account.password)
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    let user = NewUser {
        username: username.clone(),
        name,
        role: account.role,
        village,
        phone: None,
        password_hash,
    };
    db.create_user(&user, now_ms())?
        .ok_or(AdminError::Taken(username))
}

/// Who acts from the command line, for the audit log: `cli:<system user>`.
pub fn cli_actor() -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

/// Accounts in creation order, `limit` after the id `after` (no password hashes).
pub fn list_users(
    db: &Db,
    after: Option<&str>,
    limit: u32,
) -> Result<Vec<AccountSummary>, AdminError> {
    Ok(db.list_accounts(after, limit)?)
}

fn administer(
    db: &Db,
    who: &str,
    action: AccountAction,
    new_hash: Option<&str>,
    actor: &str,
) -> Result<AccountSummary, AdminError> {
    db.administer(who.trim(), action, new_hash, actor, now_ms())?
        .ok_or_else(|| AdminError::NotFound(who.to_string()))
}

/// Disables the account `who` (id or user name): it cannot log in and its sessions end.
pub fn disable_user(db: &Db, who: &str, actor: &str) -> Result<AccountSummary, AdminError> {
    administer(db, who, AccountAction::Disable, None, actor)
}

/// Enables the account `who` again.
pub fn enable_user(db: &Db, who: &str, actor: &str) -> Result<AccountSummary, AdminError> {
    administer(db, who, AccountAction::Enable, None, actor)
}

/// Sets a new password for `who` (the policy applies, with the account's own data) and ends
/// its sessions. Hashes a password: callers on an async runtime run it under the hashing gate.
pub fn reset_password(
    db: &Db,
    who: &str,
    password: &str,
    actor: &str,
) -> Result<AccountSummary, AdminError> {
    let account = db
        .find_account(who.trim())?
        .ok_or_else(|| AdminError::NotFound(who.to_string()))?;
    let mut own_data = vec![account.username.as_str(), account.name.as_str()];
    own_data.extend(account.phone.as_deref());
    identity::check_password(password, &own_data)?;
    let hash =
        credentials::hash_password(password).map_err(|e| AdminError::Invalid(e.to_string()))?;
    administer(
        db,
        &account.id,
        AccountAction::ResetPassword,
        Some(&hash),
        actor,
    )
}

/// Ends every session of `who`; the account stays usable.
pub fn end_sessions(db: &Db, who: &str, actor: &str) -> Result<AccountSummary, AdminError> {
    administer(db, who, AccountAction::EndSessions, None, actor)
}

/// The administrative actions on `who`, oldest first.
pub fn account_history(db: &Db, who: &str) -> Result<Vec<AccountEvent>, AdminError> {
    let account = db
        .find_account(who.trim())?
        .ok_or_else(|| AdminError::NotFound(who.to_string()))?;
    Ok(db.account_events(&account.id)?)
}

/// Replaces the region table with a Kemendagri CSV (`code,name`); returns the row count.
pub fn import_regions(db: &Db, csv_path: &Path) -> Result<usize, AdminError> {
    let text = std::fs::read_to_string(csv_path)?;
    let table = regions::import(db, &text).map_err(|e| match e {
        regions::ImportError::Invalid(e) => AdminError::Regions(e.to_string()),
        regions::ImportError::Db(e) => AdminError::Db(e),
    })?;
    Ok(table.len())
}

/// Publishes a catalog file (must load and be newer than the one in force); returns what
/// changed (its `to_version` is the version now published).
pub fn publish_catalog(db: &Db, json_path: &Path) -> Result<CatalogDiff, AdminError> {
    let json = std::fs::read_to_string(json_path)?;
    let current = catalog_store::load(db)?;
    Ok(catalog_store::publish(db, &current, &json, None)?.changes)
}

/// The yearly figures (of `year` alone when given) with the catalog and region table stored
/// in the data directory.
pub fn statistics(db: &Db, year: Option<i64>) -> Result<Stats, AdminError> {
    let catalog = catalog_store::load(db)?;
    let regions = regions::load(db)?;
    Ok(stats::gather(
        db,
        &catalog,
        regions.as_deref(),
        year,
        now_ms(),
    )?)
}

/// The figures of `year` as a CSV or XLSX file, labelled in `lang` (`id` or `en`).
pub fn export_statistics(
    db: &Db,
    year: i64,
    format: export::Format,
    lang: &str,
) -> Result<Vec<u8>, AdminError> {
    let catalog = catalog_store::load(db)?;
    let figures = statistics(db, Some(year))?.year(year);
    export::render(&export::statistics(&figures, &catalog, lang), format)
        .map_err(|e| AdminError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        assert!(valid_username("operator.sintuk"));
        assert!(valid_username("petugas_1"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("Operator"));
        assert!(!valid_username("1305014107900001"));
        assert!(!valid_username("a b c"));
    }

    #[test]
    fn staff_rules_before_any_hashing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        let base = StaffAccount {
            role: Role::Officer,
            username: "petugas".into(),
            password: "panjang-sekali".into(),
            name: None,
            village: Some("13.05.01.2001".into()),
        };
        assert!(matches!(
            create_user(&db, base.clone()),
            Err(AdminError::Invalid(_))
        ));
        let op = StaffAccount {
            role: Role::Operator,
            village: None,
            ..base.clone()
        };
        assert!(matches!(create_user(&db, op), Err(AdminError::Invalid(_))));
        let weak = StaffAccount {
            village: None,
            password: "pendek".into(),
            ..base.clone()
        };
        let e = create_user(&db, weak).unwrap_err();
        assert_eq!(e.code(), "auth.weak_password");
        assert_eq!(e.params(), vec![("min", "8".to_string())]);
        let ok = StaffAccount {
            village: None,
            name: Some("  Rina   Putri ".into()),
            ..base.clone()
        };
        let user = create_user(&db, ok.clone()).unwrap();
        assert_eq!(
            (user.name.as_str(), user.role),
            ("Rina Putri", Role::Officer)
        );
        assert!(matches!(create_user(&db, ok), Err(AdminError::Taken(_))));
    }
}
