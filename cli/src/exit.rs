//! Exit statuses of `ceria`, stable for scripts (also listed in `ceria --help`).

use std::process::ExitCode;

/// Everything worked; for `validate`, every input is valid.
pub const OK: u8 = 0;
/// The input was checked and is not valid (validation errors), or a request was refused.
pub const INVALID: u8 = 1;
/// Wrong usage: unknown command or option, missing argument (clap's own status).
pub const USAGE: u8 = 2;
/// Something named does not exist: unknown service, draft, request, file.
pub const NOT_FOUND: u8 = 3;
/// The server could not be reached or failed; try again later.
pub const UNAVAILABLE: u8 = 4;
/// Not logged in, wrong password, or not allowed.
pub const AUTH: u8 = 5;
/// Local storage or an unexpected internal error.
pub const INTERNAL: u8 = 10;

/// The table shown at the end of `ceria --help`.
pub const HELP: &str = "Exit status: 0 ok/all valid, 1 invalid input or refused, 2 usage, \
3 not found, 4 server unavailable, 5 authentication/permission, 10 internal error.";

/// An error that ends the command with a message and a status.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What to print (Indonesian first, English second where a person reads it).
    pub message: String,
    /// One of the constants above.
    pub status: u8,
}

impl Failure {
    /// A failure with a status.
    pub fn new(status: u8, message: impl Into<String>) -> Failure {
        Failure { message: message.into(), status }
    }
}

/// Converts a status constant to an `ExitCode`.
pub fn code(status: u8) -> ExitCode {
    ExitCode::from(status)
}
