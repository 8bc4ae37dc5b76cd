//! The commands of `ceria` as a library, so that the crate's two binaries share one definition
//! of every option and handler: `ceria` (`src/main.rs`, the whole product) and `ceria-server`
//! (`src/bin/ceria-server.rs`, the registry server on its own, reusing `serve` and `admin`).
//!
//! One module per command group: [`serve`] and [`admin`] (with [`population`], the register
//! extract, and [`backup`]) work on a server's data directory,
//! [`device`] is a desktop frontend of the on-device core, [`operator`] the review tool of
//! staff (with its HTTP client), [`validate`] the core's validators for scripts, and [`demo`]
//! the whole story on loopback. `output`, `exit`, `home` and `interrupt` are what they share.
//! No business logic lives here: every rule is in `ceria-core` or `ceria-server`.

#[macro_use]
mod output;
pub mod admin;
pub mod backup;
pub mod demo;
pub mod device;
pub mod exit;
mod home;
mod interrupt;
pub mod migrate;
pub mod operator;
pub mod population;
pub mod serve;
pub mod validate;

use std::process::ExitCode;

/// Options every command of both binaries takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Print JSON (one object per line) instead of text, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Ends a command: prints a failure (as text, or as JSON with `json`) and turns the status
/// into the process's exit code.
pub fn finish(result: Result<u8, exit::Failure>, json: bool) -> ExitCode {
    match result {
        Ok(status) => exit::code(status),
        Err(failure) => {
            output::failure(&failure, json);
            exit::code(failure.status)
        }
    }
}
