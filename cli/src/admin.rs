//! `ceria admin --data DIR ...`: staff accounts, account administration (disable, enable,
//! reset a password, end sessions; audited), the region table and catalog publishing,
//! straight on a server's data directory (works whether or not the server runs; a running
//! server sees the changes at once, they are in its database).

use crate::exit::{self, Failure};
use crate::serve::DataDir;
use ceria_core::Catalog;
use ceria_core::protocol::Role;
use ceria_server::Db;
use ceria_server::admin::{self, AdminError, StaffAccount};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Options of `ceria admin`.
#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// The server's data directory.
    #[command(flatten)]
    pub dir: DataDir,
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// `ceria admin` commands.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Membuat akun petugas / Creates a staff account.
    CreateUser {
        /// Role of the account.
        #[arg(long, value_enum)]
        role: StaffRole,
        /// Login name: 3-64 of a-z 0-9 . _ -
        #[arg(long)]
        username: String,
        /// Password: at least 8 characters, not easy to guess, not built from the account's data.
        #[arg(long, env = "CERIA_PASSWORD", hide_env_values = true)]
        password: String,
        /// Display name (default: the login name).
        #[arg(long)]
        name: Option<String>,
        /// Village code PP.KK.CC.DDDD (operators only), e.g. 13.05.08.2002.
        #[arg(long)]
        village: Option<String>,
    },
    /// Mengelola akun / Account administration (recorded in the account's audit log).
    User {
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Tabel wilayah / The region table.
    Regions {
        /// What to do with it.
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// Katalog layanan / The service catalog.
    Catalog {
        /// What to do with it.
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Data kependudukan / The population register extract for NIK verification.
    Population {
        /// What to do with it.
        #[command(subcommand)]
        command: crate::population::PopulationCommand,
    },
    /// Cadangan / Backs up the registry (database and files in the data directory) into one
    /// archive, consistently, while the server runs.
    Backup {
        /// The archive to write (replaced only once the new one is whole).
        #[arg(long)]
        to: PathBuf,
    },
    /// Pemulihan / Restores a backup into a new data directory, verified against its manifest.
    Restore {
        /// The archive `ceria admin backup` wrote.
        #[arg(long)]
        from: PathBuf,
    },
}

/// Staff roles (citizens register themselves with their NIK).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StaffRole {
    /// A nagari operator, bound to one village.
    Operator,
    /// A registry officer.
    Officer,
    /// A registry administrator.
    Admin,
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::Operator => Role::Operator,
            StaffRole::Officer => Role::Officer,
            StaffRole::Admin => Role::Admin,
        }
    }
}

/// `ceria admin user ...`: `USER` is a user name, a NIK or an account id.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Lists accounts (never their password hashes), in creation order.
    List {
        /// Start after this account id (the last id of the previous page).
        #[arg(long)]
        after: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 200)]
        limit: u32,
    },
    /// Disables an account: it cannot log in and its sessions end.
    Disable {
        /// The account.
        user: String,
    },
    /// Enables a disabled account again.
    Enable {
        /// The account.
        user: String,
    },
    /// Sets a new password (the password policy applies); the account's sessions end.
    ResetPassword {
        /// The account.
        user: String,
        /// The new password.
        #[arg(long, env = "CERIA_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Ends every session of an account.
    EndSessions {
        /// The account.
        user: String,
    },
    /// Shows what administrators did to an account, and when.
    History {
        /// The account.
        user: String,
    },
}

/// `ceria admin regions ...`.
#[derive(Debug, clap::Subcommand)]
pub enum RegionsCommand {
    /// Replaces the region table with a Kemendagri CSV (`code,name`).
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `ceria admin catalog ...`.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// Publishes a newer catalog file (a running server applies it at its next start).
    Publish {
        /// The catalog JSON.
        file: PathBuf,
    },
}

/// The exit status and wording of an admin error (catalog message for its code).
pub fn admin_failure(e: &AdminError, file: Option<&Path>) -> Failure {
    let status = match e {
        AdminError::Io(io) if io.kind() == std::io::ErrorKind::NotFound => exit::NOT_FOUND,
        AdminError::NotFound(_) => exit::NOT_FOUND,
        AdminError::Io(_) | AdminError::Db(_) => exit::INTERNAL,
        AdminError::Catalog(ceria_server::PublishError::Db(_)) => exit::INTERNAL,
        AdminError::Invalid(_)
        | AdminError::Password(_)
        | AdminError::Taken(_)
        | AdminError::Regions(_)
        | AdminError::Catalog(_) => exit::INVALID,
    };
    let catalog = Catalog::embedded();
    let f = Failure::coded(status, &catalog, e.code(), &e.params());
    // The error's own text names what exactly is wrong (which rule, which line).
    match file {
        Some(path) => f.context(format!("{}: {e}", path.display())),
        None => f.context(e.to_string()),
    }
}

/// Runs an admin command; returns the exit status.
pub fn run(args: AdminArgs, json: bool) -> Result<u8, Failure> {
    let AdminArgs {
        dir: DataDir { data },
        command,
    } = args;
    // Before the database is opened (and so created): restore wants an empty directory.
    match command {
        AdminCommand::Backup { to } => return crate::backup::backup(&data, &to, json),
        AdminCommand::Restore { from } => return crate::backup::restore(&from, &data, json),
        _ => {}
    }
    std::fs::create_dir_all(&data).map_err(|e| {
        Failure::new(
            exit::INTERNAL,
            format!("direktori data / data directory {}: {e}", data.display()),
        )
    })?;
    let db = Db::open(&data.join("ceria.db")).map_err(|e| {
        Failure::new(
            exit::INTERNAL,
            format!("basis data / database {}: {e}", data.display()),
        )
    })?;
    match command {
        AdminCommand::CreateUser {
            role,
            username,
            password,
            name,
            village,
        } => {
            let user = admin::create_user(
                &db,
                StaffAccount {
                    role: role.into(),
                    username,
                    password,
                    name,
                    village,
                },
            )
            .map_err(|e| admin_failure(&e, None))?;
            if json {
                crate::output::json_line(&user);
            } else {
                let village = user.village.as_deref().unwrap_or("-");
                say!(
                    "Akun dibuat / account created: {} ({}, {:?}), nagari/village {village}, id {}",
                    user.username,
                    user.name,
                    user.role,
                    user.id
                );
            }
        }
        AdminCommand::User { command } => run_user(&db, command, json)?,
        AdminCommand::Regions {
            command: RegionsCommand::Import { file },
        } => {
            let n =
                admin::import_regions(&db, &file).map_err(|e| admin_failure(&e, Some(&file)))?;
            if json {
                crate::output::json_line(&json!({"imported": n}));
            } else {
                say!(
                    "{n} wilayah diimpor / regions imported from {}",
                    file.display()
                );
                say!(
                    "Server yang sedang berjalan memakainya untuk validasi setelah dimulai ulang / \
                     a running server validates with it after a restart"
                );
            }
        }
        AdminCommand::Catalog {
            command: CatalogCommand::Publish { file },
        } => {
            let version =
                admin::publish_catalog(&db, &file).map_err(|e| admin_failure(&e, Some(&file)))?;
            if json {
                crate::output::json_line(&json!({"published": version}));
            } else {
                say!("Katalog {version} diterbitkan / catalog {version} published");
            }
        }
        AdminCommand::Population { command } => {
            return crate::population::run(&db, &data, command, json);
        }
        AdminCommand::Backup { .. } | AdminCommand::Restore { .. } => {}
    }
    Ok(exit::OK)
}

/// Runs `ceria admin user ...`.
fn run_user(db: &Db, command: UserCommand, json: bool) -> Result<(), Failure> {
    let actor = admin::cli_actor();
    let fail = |e: AdminError| admin_failure(&e, None);
    let (account, done) = match command {
        UserCommand::List { after, limit } => {
            let users = admin::list_users(db, after.as_deref(), limit).map_err(fail)?;
            if json {
                crate::output::json_line(&users);
            } else {
                for u in &users {
                    let state = if u.disabled {
                        "nonaktif/disabled"
                    } else {
                        "aktif/active"
                    };
                    say!(
                        "{}  {}  {}  {}  {}",
                        u.id,
                        u.username,
                        u.role.code(),
                        state,
                        u.name
                    );
                }
            }
            return Ok(());
        }
        UserCommand::History { user } => {
            let events = admin::account_history(db, &user).map_err(fail)?;
            if json {
                crate::output::json_line(&events);
            } else {
                for e in &events {
                    say!("{}  {}  {}", e.at_ms, e.action, e.actor);
                }
            }
            return Ok(());
        }
        UserCommand::Disable { user } => (
            admin::disable_user(db, &user, &actor).map_err(fail)?,
            "dinonaktifkan, sesinya diakhiri / disabled, its sessions ended",
        ),
        UserCommand::Enable { user } => (
            admin::enable_user(db, &user, &actor).map_err(fail)?,
            "diaktifkan / enabled",
        ),
        UserCommand::ResetPassword { user, password } => (
            admin::reset_password(db, &user, &password, &actor).map_err(fail)?,
            "kata sandi diganti, sesinya diakhiri / password reset, its sessions ended",
        ),
        UserCommand::EndSessions { user } => (
            admin::end_sessions(db, &user, &actor).map_err(fail)?,
            "sesinya diakhiri / its sessions ended",
        ),
    };
    if json {
        crate::output::json_line(&account);
    } else {
        say!(
            "Akun / account {} ({}): {done}",
            account.username,
            account.id
        );
    }
    Ok(())
}
