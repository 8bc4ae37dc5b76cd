//! `ceria-server`: runs the reference registry server, or an administration command on its
//! data directory.

use ceria_core::protocol::Role;
use ceria_server::admin::{self, AdminError, StaffAccount};
use ceria_server::{Config, Db};
use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "ceria-server",
    version,
    about = "Ceria reference registry server"
)]
struct Cli {
    /// Data directory (database, attachments).
    #[arg(long, env = "CERIA_DATA", default_value = "ceria-data", global = true)]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "CERIA_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The region table.
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// The service catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Creates a staff account (operator, officer or admin).
    CreateUser {
        /// Role of the account.
        #[arg(long, value_enum)]
        role: StaffRole,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Password (at least 8 characters).
        #[arg(long, env = "CERIA_PASSWORD")]
        password: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Village code (operators), e.g. 13.05.01.2001.
        #[arg(long)]
        village: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StaffRole {
    Operator,
    Officer,
    Admin,
}

#[derive(Debug, Subcommand)]
enum RegionsCommand {
    /// Replaces the region table with a Kemendagri CSV (`code,name`).
    Import {
        /// CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Publishes a newer catalog file.
    Publish {
        /// Catalog JSON.
        file: PathBuf,
    },
}

fn report(e: &AdminError) -> ExitCode {
    let catalog = ceria_core::Catalog::embedded();
    let message = catalog.message(e.code(), &e.params());
    eprintln!("{} ({})\n{}\n{e}", message.id, e.code(), message.en);
    ExitCode::FAILURE
}

fn admin_command(data: PathBuf, command: Command) -> Result<String, AdminError> {
    std::fs::create_dir_all(&data)?;
    let db = Db::open(&data.join("ceria.db"))?;
    match command {
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    role,
                    username,
                    password,
                    name,
                    village,
                },
        } => {
            let role = match role {
                StaffRole::Operator => Role::Operator,
                StaffRole::Officer => Role::Officer,
                StaffRole::Admin => Role::Admin,
            };
            let user = admin::create_user(
                &db,
                StaffAccount {
                    role,
                    username,
                    password,
                    name,
                    village,
                },
            )?;
            Ok(format!(
                "created {} ({:?}) id {}",
                user.username, user.role, user.id
            ))
        }
        Command::Regions {
            command: RegionsCommand::Import { file },
        } => {
            let n = admin::import_regions(&db, &file)?;
            Ok(format!(
                "imported {n} regions (a running server validates with them after a restart)"
            ))
        }
        Command::Catalog {
            command: CatalogCommand::Publish { file },
        } => {
            let version = admin::publish_catalog(&db, &file)?;
            Ok(format!("published catalog {version}"))
        }
    }
}

fn main() -> ExitCode {
    ceria_server::init_logging();
    let cli = Cli::parse();
    match cli.command {
        Some(command) => match admin_command(cli.data, command) {
            Ok(done) => {
                println!("{done}");
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        },
        None => match ceria_server::run(Config::new(cli.data, cli.listen)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "cannot start");
                ExitCode::FAILURE
            }
        },
    }
}
