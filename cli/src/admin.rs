//! `ceria admin --data DIR ...`: staff accounts, account administration (disable, enable,
//! reset a password, end sessions; audited), the region table, catalog publishing, the
//! holiday calendar and the yearly figures (on screen, CSV or XLSX),
//! straight on a server's data directory (works whether or not the server runs; a running
//! server sees the changes at once, they are in its database).

use crate::exit::{self, Failure};
use crate::serve::DataDir;
use ceria_core::Catalog;
use ceria_core::catalog::diff::CatalogDiff;
use ceria_core::protocol::Role;
use ceria_server::admin::{self, AdminError, StaffAccount};
use ceria_server::calendar::{self, HolidayError};
use ceria_server::export;
use ceria_server::{DatabaseLocation, Db};
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
    /// Pindah ke PostgreSQL / Copies this SQLite registry (database and files) into an empty
    /// PostgreSQL database in one transaction, keeping ids and feed positions, and verifies the
    /// rows of every table and the SHA-256 of every file. Safe to run again after a failure.
    /// The source is always the SQLite registry of `--data` (`--database` is not read).
    Migrate {
        /// The empty target database: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
        #[arg(long)]
        to: String,
        /// Where the files go: s3://BUCKET[/prefix] (endpoint and credentials from the AWS
        /// variables); without it they stay in the data directory (and are verified there).
        #[arg(long, value_parser = ceria_server::BlobStoreLocation::parse)]
        blob_store: Option<ceria_server::BlobStoreLocation>,
    },
    /// Hari libur / The holiday calendar (not working days in the service-time figures).
    Holiday {
        /// What to do with it.
        #[command(subcommand)]
        command: HolidayCommand,
    },
    /// Statistik tahunan / The yearly figures, on screen or as a CSV or XLSX file.
    Stats {
        /// Only this year (a file always holds one year: default this year).
        #[arg(long)]
        year: Option<i64>,
        /// Write the figures to this file (`.csv` or `.xlsx`) instead of printing them.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of the file's headings: `id` (default) or `en`.
        #[arg(long, default_value = "id")]
        lang: String,
    },
}

/// `ceria admin holiday ...`.
#[derive(Debug, clap::Subcommand)]
pub enum HolidayCommand {
    /// Records a holiday or collective leave (renames the one on that date).
    Add {
        /// Date YYYY-MM-DD.
        date: String,
        /// Name, e.g. "Hari Raya Idul Fitri".
        name: String,
    },
    /// Lists the holidays, oldest first.
    List {
        /// Only this year.
        #[arg(long)]
        year: Option<i32>,
    },
    /// Removes the holiday on a date (it is a working day again).
    Remove {
        /// Date YYYY-MM-DD.
        date: String,
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
    /// Publishes a newer catalog file and shows what changed (a running server applies it at
    /// its next start; the API and the admin console apply it at once).
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
    let database = args.dir.database();
    let AdminArgs {
        dir: DataDir { data, .. },
        command,
    } = args;
    // Before the database is opened (and so created): restore wants an empty directory.
    match command {
        AdminCommand::Backup { .. } | AdminCommand::Restore { .. }
            if database != DatabaseLocation::DataDir =>
        {
            return Err(Failure::new(
                exit::USAGE,
                "cadangan ini untuk SQLite; untuk PostgreSQL gunakan pg_dump / pg_restore \
                 / this backup is of a SQLite registry; back PostgreSQL up with pg_dump and \
                 restore it with pg_restore (README, \"Running at scale\")",
            ));
        }
        AdminCommand::Backup { to } => return crate::backup::backup(&data, &to, json),
        AdminCommand::Restore { from } => return crate::backup::restore(&from, &data, json),
        AdminCommand::Migrate { to, blob_store } => {
            return crate::migrate::run(&data, &to, blob_store, json);
        }
        _ => {}
    }
    std::fs::create_dir_all(&data).map_err(|e| {
        Failure::new(
            exit::INTERNAL,
            format!("direktori data / data directory {}: {e}", data.display()),
        )
    })?;
    let db = database.open(&data).map_err(|e| {
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
            let changes =
                admin::publish_catalog(&db, &file).map_err(|e| admin_failure(&e, Some(&file)))?;
            let version = &changes.to_version;
            if json {
                crate::output::json_line(&json!({"published": version, "changes": changes}));
            } else {
                say!("Katalog {version} diterbitkan / catalog {version} published");
                say_changes(&changes);
            }
        }
        AdminCommand::Population { command } => {
            return crate::population::run(&db, &data, command, json);
        }
        AdminCommand::Holiday { command } => run_holiday(&db, command, json)?,
        AdminCommand::Stats { year, out, lang } => run_stats(&db, year, out, &lang, json)?,
        AdminCommand::Backup { .. }
        | AdminCommand::Restore { .. }
        | AdminCommand::Migrate { .. } => {}
    }
    Ok(exit::OK)
}

/// Prints what a catalog publication changed, one line per kind of change.
fn say_changes(d: &CatalogDiff) {
    let list = |ids: &[String]| ids.join(", ");
    if d.is_empty() {
        say!("Tidak ada perubahan layanan / no service changes");
    }
    if !d.services_added.is_empty() {
        say!("+ layanan / services: {}", list(&d.services_added));
    }
    if !d.services_removed.is_empty() {
        say!("- layanan / services: {}", list(&d.services_removed));
    }
    for s in &d.services_changed {
        say!("~ {}", s.service);
        for (sign, what, ids) in [
            ('+', "isian / fields", &s.fields_added),
            ('-', "isian / fields", &s.fields_removed),
            ('~', "isian / fields", &s.fields_changed),
            ('+', "persyaratan / requirements", &s.requirements_added),
            ('-', "persyaratan / requirements", &s.requirements_removed),
            ('~', "persyaratan / requirements", &s.requirements_changed),
        ] {
            if !ids.is_empty() {
                say!("    {sign} {what}: {}", list(ids));
            }
        }
        if let Some([before, after]) = s.service_days {
            say!("    ~ waktu layanan / service days: {before} -> {after}");
        }
    }
}

/// Runs `ceria admin holiday ...`.
fn run_holiday(db: &Db, command: HolidayCommand, json: bool) -> Result<(), Failure> {
    let fail = |e: HolidayError| {
        let status = match e {
            HolidayError::Db(_) => exit::INTERNAL,
            HolidayError::Date(_) | HolidayError::Name => exit::INVALID,
        };
        Failure::coded(status, &Catalog::embedded(), e.code(), &[]).context(e.to_string())
    };
    match command {
        HolidayCommand::Add { date, name } => {
            let (holiday, _) = calendar::add(db, &date, &name).map_err(fail)?;
            if json {
                crate::output::json_line(&holiday);
            } else {
                say!("Hari libur / holiday {}: {}", holiday.date, holiday.name);
            }
        }
        HolidayCommand::List { year } => {
            let holidays = calendar::list(db, year).map_err(fail)?;
            if json {
                crate::output::json_line(&holidays);
            } else {
                for h in &holidays {
                    say!("{}  {}", h.date, h.name);
                }
            }
        }
        HolidayCommand::Remove { date } => {
            if !calendar::remove(db, &date).map_err(fail)? {
                return Err(Failure::new(
                    exit::NOT_FOUND,
                    format!("tidak ada hari libur / no holiday on {date}"),
                ));
            }
            if json {
                crate::output::json_line(&json!({"removed": date}));
            } else {
                say!("Dihapus / removed: {date}");
            }
        }
    }
    Ok(())
}

/// Runs `ceria admin stats`: prints the figures, or writes one year as CSV or XLSX.
fn run_stats(
    db: &Db,
    year: Option<i64>,
    out: Option<PathBuf>,
    lang: &str,
    json: bool,
) -> Result<(), Failure> {
    let fail = |e: AdminError| admin_failure(&e, None);
    if let Some(path) = out {
        let format = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(export::Format::from_code)
            .ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    "--out harus berakhiran .csv atau .xlsx / --out must end in .csv or .xlsx",
                )
            })?;
        let year = year.unwrap_or_else(|| {
            i64::from(ceria_core::Date::today(Catalog::embedded().utc_offset_minutes()).year())
        });
        let bytes = admin::export_statistics(db, year, format, lang).map_err(fail)?;
        std::fs::write(&path, bytes).map_err(|e| admin_failure(&AdminError::Io(e), Some(&path)))?;
        if json {
            crate::output::json_line(&json!({"year": year, "file": path}));
        } else {
            say!(
                "Statistik {year} ditulis / figures written: {}",
                path.display()
            );
        }
        return Ok(());
    }
    let stats = admin::statistics(db, year).map_err(fail)?;
    if json {
        crate::output::json_line(&stats);
        return Ok(());
    }
    for y in &stats.years {
        let o = &y.overall;
        say!(
            "{}: {} permohonan / requests; {} selesai / completed, {:.1}% tepat waktu / on time, \
             rata-rata / mean {:.1} hari kerja / working days",
            y.year,
            y.requests,
            o.completed,
            o.share_on_time * 100.0,
            o.mean_working_days
        );
        for (service, n) in &y.by_service {
            let timing = y.processing.get(service);
            say!(
                "  {service}: {n}{}",
                timing.map_or(String::new(), |t| format!(
                    ", {:.1}% <= {} hari kerja / working days",
                    t.timing.share_on_time * 100.0,
                    t.service_days
                ))
            );
        }
    }
    Ok(())
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
