//! The one error layer of the on-device API.
//!
//! Inside the device, every failure is an [`Error`]: a stable code, its parameters, a detail
//! for developers and the issues to fix, but no words. Each public [`crate::Device`] method
//! runs its body through `Device::handle`, which words the error once, with the catalog in
//! use, into the public [`DeviceError`] (the pattern of mozilla/application-services'
//! `handle_error`). Every variant of [`DeviceError`] carries that code and the message in
//! Bahasa Indonesia and English (from the catalog's `messages`), so an app can show it as is
//! and branch on the code. The FFI layer words its own few failures through the same
//! constructors ([`DeviceError::malformed`], [`DeviceError::from_validate`],
//! [`DeviceError::internal`]).

use crate::catalog::Catalog;
use crate::catalog::error::ValidateError;
use crate::catalog::source::Localized;
use crate::device::sync::http_api::Failure;
use crate::device::sync::transport::TransportError;
use crate::protocol::Problem;
use crate::report::Issue;
use crate::sqlite::MigrateError;

/// Why a device call failed. Apps show `message_id` / `message_en` and branch on the variant
/// (offline: try later; unauthorized: log in again; validation: show the issues).
///
/// Foreign bindings call it `CeriaError` (Kotlin: the sealed `CeriaException`), since there it
/// is the error of the whole library, not only of the device store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error), uniffi(name = "CeriaError"))]
pub enum DeviceError {
    /// The server could not be reached (no network, connection broken, timeout). Everything is
    /// kept on the device; a later sync continues where this one stopped.
    #[error("{code}: {message_en}")]
    Offline {
        /// `sync.offline` or `sync.timeout`.
        code: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The server answered with an error it may recover from (5xx, 429), or one that is not
    /// about the input. `retry_after_ms` says when to try again, if the server said so.
    #[error("{code}: {message_en}")]
    Server {
        /// Stable code, e.g. `sync.server_error` or a server problem code.
        code: String,
        /// HTTP status.
        status: u16,
        /// Milliseconds to wait before the next attempt, when known.
        retry_after_ms: Option<u64>,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The account must log in again (wrong password, session expired or revoked).
    #[error("{code}: {message_en}")]
    Unauthorized {
        /// E.g. `auth.invalid_credentials`, `auth.session_expired`, `account.none`.
        code: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The input does not pass validation; `issues` says what to fix.
    #[error("{code}: {message_en}")]
    Validation {
        /// E.g. `draft.invalid` or an attachment code such as `attachment.too_large`.
        code: String,
        /// What to fix, per field or attachment.
        issues: Vec<Issue>,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The draft, request, attachment or account does not exist (any more) on this device.
    #[error("{code}: {message_en}")]
    NotFound {
        /// E.g. `draft.not_found`, `request.not_found`.
        code: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The call is not possible in the current state or with these arguments.
    #[error("{code}: {message_en}")]
    InvalidInput {
        /// E.g. `request.not_cancellable`, `service.unknown`.
        code: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The device storage failed (disk full, database damaged). `detail` is for developers.
    #[error("{code}: {message_en} ({detail})")]
    Storage {
        /// `device.storage`.
        code: String,
        /// What failed, for logs.
        detail: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The server's answer does not follow the protocol (a bug or a version mismatch). It is
    /// reported, not retried in a loop.
    #[error("{code}: {message_en} ({detail})")]
    Protocol {
        /// `sync.protocol`.
        code: String,
        /// What was unexpected, for logs.
        detail: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// The caller cancelled the operation; what was done so far is kept.
    #[error("{code}: {message_en}")]
    Cancelled {
        /// `sync.cancelled`.
        code: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
    /// A defect inside the library (a panic caught at the FFI boundary). The call had no
    /// effect beyond what a crash at that point would leave; `detail` is for bug reports.
    #[error("{code}: {message_en} ({detail})")]
    Internal {
        /// `internal`.
        code: String,
        /// What failed, for bug reports.
        detail: String,
        /// Message in Indonesian.
        message_id: String,
        /// Message in English.
        message_en: String,
    },
}

/// Every message code the device API and sync engine emit themselves (server problems keep
/// the server's own code). Each needs a message in the catalog's `messages`.
pub const DEVICE_CODES: &[&str] = &[
    "account.none",
    "account.not_found",
    "attachment.media_type",
    "attachment.not_found",
    "attachment.not_uploaded",
    "attachment.too_large",
    "attachment.too_many",
    "attachment.unknown",
    "attachment.unreadable",
    "auth.invalid_credentials",
    "auth.session_expired",
    "catalog.outdated",
    "device.storage",
    "draft.invalid",
    "draft.not_found",
    "draft.village_missing",
    "internal",
    "request.malformed",
    "request.not_cancellable",
    "request.not_found",
    "request.not_revisable",
    "service.unknown",
    "sync.cancelled",
    "sync.offline",
    "sync.protocol",
    "sync.server_error",
    "sync.timeout",
    "upload.checksum_mismatch",
];

impl DeviceError {
    /// The stable machine code.
    pub fn code(&self) -> &str {
        match self {
            DeviceError::Offline { code, .. }
            | DeviceError::Server { code, .. }
            | DeviceError::Unauthorized { code, .. }
            | DeviceError::Validation { code, .. }
            | DeviceError::NotFound { code, .. }
            | DeviceError::InvalidInput { code, .. }
            | DeviceError::Storage { code, .. }
            | DeviceError::Protocol { code, .. }
            | DeviceError::Cancelled { code, .. }
            | DeviceError::Internal { code, .. } => code,
        }
    }

    /// The message in `lang` (`"en"` for English, anything else Indonesian).
    pub fn message(&self, lang: &str) -> &str {
        let (id, en) = match self {
            DeviceError::Offline {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Server {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Unauthorized {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Validation {
                message_id,
                message_en,
                ..
            }
            | DeviceError::NotFound {
                message_id,
                message_en,
                ..
            }
            | DeviceError::InvalidInput {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Storage {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Protocol {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Cancelled {
                message_id,
                message_en,
                ..
            }
            | DeviceError::Internal {
                message_id,
                message_en,
                ..
            } => (message_id, message_en),
        };
        if lang.eq_ignore_ascii_case("en") {
            en
        } else {
            id
        }
    }

    /// True when trying again later may succeed without the user doing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            DeviceError::Offline { .. } | DeviceError::Server { .. }
        )
    }

    /// A defect caught at the FFI boundary (`internal`): `detail` says what panicked.
    pub fn internal(catalog: &Catalog, detail: impl Into<String>) -> DeviceError {
        Error::internal(detail).word(catalog)
    }

    /// `request.malformed`: an argument the app should never have sent (a programming error
    /// in the app, not something the user typed). `detail` says which one.
    pub fn malformed(catalog: &Catalog, detail: impl Into<String>) -> DeviceError {
        Error::malformed(detail).word(catalog)
    }

    /// A validation call that could not be answered (unknown service or field, input too
    /// large or malformed).
    pub fn from_validate(catalog: &Catalog, e: ValidateError) -> DeviceError {
        Error::from(e).word(catalog)
    }
}

/// Which public [`DeviceError`] variant an [`Error`] becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Offline,
    Server {
        status: u16,
        retry_after_ms: Option<u64>,
    },
    Unauthorized,
    Validation,
    NotFound,
    InvalidInput,
    Storage,
    Protocol,
    Cancelled,
    Internal,
}

/// A device failure before it is worded: a code with its parameters, a detail for developers
/// and the issues to fix. Worded once, by [`Error::word`], at the public API boundary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {detail}")]
pub(crate) struct Error {
    /// The public variant it becomes.
    pub(crate) kind: Kind,
    /// The stable message code.
    pub(crate) code: String,
    /// The message's parameters.
    pub(crate) params: Vec<(&'static str, String)>,
    /// For logs and bug reports (shown by the `Storage`, `Protocol` and `Internal` variants).
    pub(crate) detail: String,
    /// What to fix (the `Validation` variant).
    pub(crate) issues: Vec<Issue>,
    /// The server's own wording of a problem it sent, kept instead of the catalog's.
    pub(crate) server_words: Option<Localized>,
}

/// Result inside the device: store, files and sync engine.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `code` and no parameters.
    pub(crate) fn new(kind: Kind, code: &str) -> Error {
        Error {
            kind,
            code: code.to_string(),
            params: Vec::new(),
            detail: String::new(),
            issues: Vec::new(),
            server_words: None,
        }
    }

    /// Adds the message parameters.
    pub(crate) fn params(mut self, params: &[(&'static str, String)]) -> Error {
        self.params = params.to_vec();
        self
    }

    /// Adds a detail for developers.
    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Error {
        self.detail = detail.into();
        self
    }

    /// `NotFound` with `code`.
    pub(crate) fn not_found(code: &str) -> Error {
        Error::new(Kind::NotFound, code)
    }

    /// `InvalidInput` with `code` and parameters.
    pub(crate) fn invalid(code: &str, params: &[(&'static str, String)]) -> Error {
        Error::new(Kind::InvalidInput, code).params(params)
    }

    /// `request.malformed` with `detail` as its parameter.
    pub(crate) fn malformed(detail: impl Into<String>) -> Error {
        Error::invalid("request.malformed", &[("detail", detail.into())])
    }

    /// `Unauthorized` with `code`.
    pub(crate) fn unauthorized(code: &str) -> Error {
        Error::new(Kind::Unauthorized, code)
    }

    /// `Validation` with `code`, parameters and the issues to fix.
    pub(crate) fn validation(
        code: &str,
        params: &[(&'static str, String)],
        issues: Vec<Issue>,
    ) -> Error {
        let mut e = Error::new(Kind::Validation, code).params(params);
        e.issues = issues;
        e
    }

    /// `sync.cancelled`.
    pub(crate) fn cancelled() -> Error {
        Error::new(Kind::Cancelled, "sync.cancelled")
    }

    /// `device.storage`: the device storage failed.
    pub(crate) fn storage(detail: impl Into<String>) -> Error {
        Error::new(Kind::Storage, "device.storage").detail(detail)
    }

    /// `sync.protocol`: the server's answer does not follow the protocol.
    pub(crate) fn protocol(detail: impl Into<String>) -> Error {
        Error::new(Kind::Protocol, "sync.protocol").detail(detail)
    }

    /// `internal`: a defect inside the library.
    pub(crate) fn internal(detail: impl Into<String>) -> Error {
        Error::new(Kind::Internal, "internal").detail(detail)
    }

    /// A server-side failure: the server's own code and words when it sent a problem body,
    /// else `sync.server_error`.
    fn server(status: u16, retry_after_ms: Option<u64>, problem: Option<Problem>) -> Error {
        let kind = Kind::Server {
            status,
            retry_after_ms,
        };
        match problem {
            Some(p) => Error::from_problem(kind, p),
            None => Error::new(kind, "sync.server_error").params(&[("status", status.to_string())]),
        }
    }

    /// An error the server already worded.
    fn from_problem(kind: Kind, p: Problem) -> Error {
        let mut e = Error::new(kind, &p.code);
        e.issues = p.issues;
        e.server_words = Some(Localized {
            id: p.message_id,
            en: p.message_en,
        });
        e
    }

    /// Words the error with `catalog`: the one place a device failure gets its message.
    pub(crate) fn word(self, catalog: &Catalog) -> DeviceError {
        let text = match self.server_words {
            Some(words) => words,
            None => catalog.message(&self.code, &self.params),
        };
        let (code, detail, message_id, message_en) = (self.code, self.detail, text.id, text.en);
        match self.kind {
            Kind::Offline => DeviceError::Offline {
                code,
                message_id,
                message_en,
            },
            Kind::Server {
                status,
                retry_after_ms,
            } => DeviceError::Server {
                code,
                status,
                retry_after_ms,
                message_id,
                message_en,
            },
            Kind::Unauthorized => DeviceError::Unauthorized {
                code,
                message_id,
                message_en,
            },
            Kind::Validation => DeviceError::Validation {
                code,
                issues: self.issues,
                message_id,
                message_en,
            },
            Kind::NotFound => DeviceError::NotFound {
                code,
                message_id,
                message_en,
            },
            Kind::InvalidInput => DeviceError::InvalidInput {
                code,
                message_id,
                message_en,
            },
            Kind::Storage => DeviceError::Storage {
                code,
                detail,
                message_id,
                message_en,
            },
            Kind::Protocol => DeviceError::Protocol {
                code,
                detail,
                message_id,
                message_en,
            },
            Kind::Cancelled => DeviceError::Cancelled {
                code,
                message_id,
                message_en,
            },
            Kind::Internal => DeviceError::Internal {
                code,
                detail,
                message_id,
                message_en,
            },
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::storage(format!("database: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::storage(format!("file: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    /// Stored JSON could not be read back (a damaged row).
    fn from(e: serde_json::Error) -> Error {
        Error::storage(format!("stored JSON: {e}"))
    }
}

impl From<MigrateError> for Error {
    fn from(e: MigrateError) -> Error {
        Error::storage(e.to_string())
    }
}

impl From<ValidateError> for Error {
    fn from(e: ValidateError) -> Error {
        match e {
            ValidateError::UnknownService(service) => {
                Error::invalid("service.unknown", &[("service", service)])
            }
            ValidateError::UnknownField { field, .. } => {
                Error::invalid("field.unknown", &[("field", field)])
            }
            other @ (ValidateError::InputTooLarge(_) | ValidateError::Malformed(_)) => {
                Error::malformed(other.to_string())
            }
        }
    }
}

impl From<Failure> for Error {
    /// Sorts a failed server call into what the app should do about it.
    fn from(f: Failure) -> Error {
        match f {
            Failure::Network(TransportError::Timeout(_)) => {
                Error::new(Kind::Offline, "sync.timeout")
            }
            Failure::Network(_) => Error::new(Kind::Offline, "sync.offline"),
            Failure::Retry {
                status,
                retry_after_ms,
                problem,
            } => Error::server(status, retry_after_ms, problem.map(|p| *p)),
            Failure::Unauthorized(Some(p)) => Error::from_problem(Kind::Unauthorized, *p),
            Failure::Unauthorized(None) => Error::unauthorized("auth.session_expired"),
            Failure::Refused {
                problem: Some(p), ..
            } if !p.issues.is_empty() => Error::from_problem(Kind::Validation, *p),
            Failure::Refused { status, problem } => {
                Error::server(status, None, problem.map(|p| *p))
            }
            Failure::Protocol(detail) => Error::protocol(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_errors_keep_their_codes() {
        let c = Catalog::embedded();
        let e = DeviceError::from_validate(&c, ValidateError::UnknownService("x".into()));
        assert_eq!(e.code(), "service.unknown");
        let e = DeviceError::from_validate(
            &c,
            ValidateError::UnknownField {
                service: "ktp_baru".into(),
                field: "zz".into(),
            },
        );
        assert_eq!(e.code(), "field.unknown");
        assert!(matches!(e, DeviceError::InvalidInput { .. }));
        let e = DeviceError::from_validate(&c, ValidateError::InputTooLarge("big".into()));
        assert_eq!(e.code(), "request.malformed");
        // Worded by the catalog, not the bare code.
        assert_ne!(e.message("id"), "request.malformed");
    }

    #[test]
    fn server_words_are_kept_and_others_come_from_the_catalog() {
        let c = Catalog::embedded();
        let problem = Problem {
            type_uri: "about:blank".into(),
            title: "t".into(),
            status: 401,
            code: "auth.session_revoked".into(),
            message_id: "kata server".into(),
            message_en: "server words".into(),
            detail: None,
            issues: Vec::new(),
        };
        let e = Error::from(Failure::Unauthorized(Some(Box::new(problem)))).word(&c);
        assert_eq!(e.code(), "auth.session_revoked");
        assert_eq!(e.message("en"), "server words");
        let e = Error::from(Failure::Retry {
            status: 503,
            retry_after_ms: Some(5),
            problem: None,
        })
        .word(&c);
        assert!(matches!(
            e,
            DeviceError::Server {
                status: 503,
                retry_after_ms: Some(5),
                ..
            }
        ));
        assert_eq!(e.code(), "sync.server_error");
        assert_eq!(e.message("en"), c.message("sync.server_error", &[]).en);
        let e = Error::storage("disk full").word(&c);
        assert!(matches!(e, DeviceError::Storage { ref detail, .. } if detail == "disk full"));
    }
}
