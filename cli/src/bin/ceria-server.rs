//! `ceria-server`: the reference registry server on its own (deployments, and the Kotlin,
//! Python and Android suites start it as a process). It is `ceria serve` and `ceria admin`
//! under another name: the options and handlers are the CLI's, defined once in `ceria_cli`.
//!
//! ```text
//! ceria-server [--data DIR] [--listen ADDR] [--max-upload-mb N] [--trust-forwarded-for]
//! ceria-server [--data DIR] admin create-user --role ... --username ... --password ...
//! ceria-server [--data DIR] admin user disable|enable|end-sessions|history USER
//! ceria-server [--data DIR] admin user reset-password USER --password ...
//! ceria-server [--data DIR] admin population import FILE.csv
//! ceria-server [--data DIR] regions import FILE.csv
//! ceria-server [--data DIR] catalog publish FILE.json
//! ```

use ceria_cli::admin::{self, AdminArgs, AdminCommand};
use ceria_cli::{exit, serve};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "ceria-server",
    version,
    about = "Ceria reference registry server (the same as `ceria serve` and `ceria admin`)",
    after_help = exit::HELP
)]
struct Cli {
    #[command(flatten)]
    global: ceria_cli::GlobalArgs,
    /// Without a command: serve (options of `ceria serve`).
    #[command(flatten)]
    serve: serve::ServeArgs,
    /// A command of `ceria admin` on the data directory instead of serving.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The commands of `ceria admin` under `admin` (`admin create-user` is the spelling the
    /// deployment docs and test suites use).
    Admin {
        /// What to do.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The commands of `ceria admin` at the top level (`regions import`, `catalog publish`).
    #[command(flatten)]
    Direct(AdminCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.global.json;
    let result = match cli.command {
        None => serve::run(cli.serve, json),
        Some(Command::Admin { command } | Command::Direct(command)) => admin::run(
            AdminArgs {
                dir: cli.serve.dir,
                command,
            },
            json,
        ),
    };
    ceria_cli::finish(result, json)
}
