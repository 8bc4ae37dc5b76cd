//! Exit statuses of `ceria`, stable for scripts (also listed in `ceria --help`), and the
//! [`Failure`] that carries a status, a stable message code and the words to print.

use ceria_core::Issue;
use ceria_core::{Catalog, DeviceError};

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
3 not found, 4 server unavailable, 5 authentication/permission, 10 internal error, \
130 interrupted by Ctrl-C (nothing sent is lost; run the command again).";

/// An error that ends the command with a message and a status.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// What to print (Indonesian first, English second where a person reads it).
    pub message: String,
    /// One of the constants above.
    pub status: u8,
    /// The stable message code, when the failure has one (catalog or server code).
    pub code: Option<String>,
    /// Per-field issues explaining the failure (validation refusals).
    pub issues: Vec<Issue>,
}

impl Failure {
    /// A failure with a status.
    pub fn new(status: u8, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status,
            code: None,
            issues: Vec::new(),
        }
    }

    /// A failure worded by the catalog's message for `code`.
    pub fn coded(status: u8, catalog: &Catalog, code: &str, params: &[(&str, String)]) -> Failure {
        let text = catalog.message(code, params);
        Failure::worded(status, code, &text.id, &text.en)
    }

    /// A failure with a code and its two wordings (Indonesian, English).
    pub fn worded(status: u8, code: &str, message_id: &str, message_en: &str) -> Failure {
        Failure {
            message: two_languages(code, message_id, message_en),
            status,
            code: Some(code.to_string()),
            issues: Vec::new(),
        }
    }

    /// Adds per-field issues.
    pub fn with_issues(mut self, issues: Vec<Issue>) -> Failure {
        self.issues = issues;
        self
    }

    /// Adds a line of context (what was being done) after the message.
    pub fn context(mut self, line: impl AsRef<str>) -> Failure {
        self.message.push('\n');
        self.message.push_str(line.as_ref());
        self
    }
}

/// `message_id` then `message_en` on the next line; a message the catalog does not word yet
/// (it comes back as the bare code) is shown once, as the code.
pub fn two_languages(code: &str, message_id: &str, message_en: &str) -> String {
    if message_id == code && message_en == code {
        return code.to_string();
    }
    if message_id == message_en {
        return message_id.to_string();
    }
    format!("{message_id}\n{message_en}")
}

/// The exit status for a device API error.
pub fn device_status(e: &DeviceError) -> u8 {
    match e {
        DeviceError::Offline { .. } | DeviceError::Protocol { .. } => UNAVAILABLE,
        // The server answered: a refusal of the input is not an outage.
        DeviceError::Server { status, .. } => match status {
            401 | 403 => AUTH,
            404 => NOT_FOUND,
            400..=499 if !matches!(status, 408 | 429) => INVALID,
            _ => UNAVAILABLE,
        },
        DeviceError::Unauthorized { .. } => AUTH,
        DeviceError::NotFound { .. } => NOT_FOUND,
        DeviceError::InvalidInput { code, .. } if code == "service.unknown" => NOT_FOUND,
        DeviceError::Validation { .. }
        | DeviceError::InvalidInput { .. }
        | DeviceError::Cancelled { .. } => INVALID,
        // The passphrase (or key) does not open the store: an authentication failure.
        DeviceError::Storage { code, .. } if code == "device.key_wrong" => AUTH,
        DeviceError::Storage { .. } | DeviceError::Internal { .. } => INTERNAL,
    }
}

/// Converts a status constant to an `ExitCode`.
pub fn code(status: u8) -> std::process::ExitCode {
    std::process::ExitCode::from(status)
}

impl From<DeviceError> for Failure {
    fn from(e: DeviceError) -> Failure {
        let status = device_status(&e);
        let mut failure = Failure::worded(status, e.code(), e.message("id"), e.message("en"));
        match e {
            DeviceError::Validation { issues, .. } => failure.issues = issues,
            // The detail names the broken part for whoever reads logs; it is not worded.
            DeviceError::Storage { detail, .. } | DeviceError::Protocol { detail, .. } => {
                failure = failure.context(format!("({detail})"));
            }
            _ => {}
        }
        failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unworded_codes_are_shown_once() {
        assert_eq!(two_languages("x.y", "x.y", "x.y"), "x.y");
        assert_eq!(two_languages("a", "Halo", "Hello"), "Halo\nHello");
        assert_eq!(two_languages("a", "OK", "OK"), "OK");
    }

    #[test]
    fn device_errors_map_to_documented_statuses() {
        let catalog = Catalog::embedded();
        let text = catalog.message("sync.offline", &[]);
        let offline = DeviceError::Offline {
            code: "sync.offline".into(),
            message_id: text.id.clone(),
            message_en: text.en.clone(),
        };
        let f = Failure::from(offline);
        assert_eq!(f.status, UNAVAILABLE);
        assert_eq!(f.code.as_deref(), Some("sync.offline"));
        assert!(f.message.starts_with(&text.id), "{}", f.message);
        let unknown = DeviceError::InvalidInput {
            code: "service.unknown".into(),
            message_id: "service.unknown".into(),
            message_en: "service.unknown".into(),
        };
        assert_eq!(device_status(&unknown), NOT_FOUND);
        let refused = DeviceError::Unauthorized {
            code: "auth.invalid_credentials".into(),
            message_id: String::new(),
            message_en: String::new(),
        };
        assert_eq!(device_status(&refused), AUTH);
        let server = |status| DeviceError::Server {
            code: "x".into(),
            status,
            retry_after_ms: None,
            message_id: String::new(),
            message_en: String::new(),
        };
        assert_eq!(device_status(&server(409)), INVALID);
        assert_eq!(device_status(&server(429)), UNAVAILABLE);
        assert_eq!(device_status(&server(503)), UNAVAILABLE);
        assert_eq!(device_status(&server(403)), AUTH);
    }
}
