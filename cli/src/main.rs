//! `ceria`: one binary for the whole product on embedded defaults. It runs the registry
//! server (`serve`, `admin`), is a desktop frontend of the on-device core (`device`), the
//! review tool of nagari operators and registry officers (`operator`), the validators for
//! scripts (`validate`), and the whole story in one command (`demo`). No business logic
//! lives here: every rule is in `ceria-core` or `ceria-server`, every command in the `ceria_cli`
//! library (shared with the `ceria-server` binary).

use ceria_cli::{admin, demo, device, exit, operator, serve, validate};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "ceria",
    version,
    about = "Ceria: layanan Disdukcapil offline-first / offline-first civil-registration services",
    after_help = exit::HELP
)]
struct Cli {
    #[command(flatten)]
    global: ceria_cli::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Menjalankan server / Runs the registry server (SQLite + files in one data directory).
    Serve(serve::ServeArgs),
    /// Administrasi / Staff accounts, regions and catalog of a server's data directory.
    Admin(admin::AdminArgs),
    /// Perangkat warga / A citizen's (or operator's) device on the desktop.
    Device(device::DeviceArgs),
    /// Seluruh alur dalam satu perintah / The whole story in one command, on loopback.
    Demo(demo::DemoArgs),
    /// Alat petugas / Review tool of nagari operators and registry officers.
    Operator(operator::OperatorArgs),
    /// Validasi / Checks NIKs or whole forms with the core's validators.
    Validate {
        /// What to check.
        #[command(subcommand)]
        command: validate::ValidateCommand,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version exit 0; usage errors exit 2 (exit::USAGE), as clap does.
        Err(e) => e.exit(),
    };
    let json = cli.global.json;
    let result = match cli.command {
        Command::Serve(args) => serve::run(args, json),
        Command::Admin(args) => admin::run(args, json),
        Command::Device(args) => device::run(args, json),
        Command::Validate { command } => validate::run(command, json),
        Command::Operator(args) => operator::run(args, json),
        Command::Demo(args) => demo::run(args, json),
    };
    ceria_cli::finish(result, json)
}
