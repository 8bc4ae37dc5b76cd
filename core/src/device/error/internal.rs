//! The device's internal error: a failure before it is worded, and the conversions that sort
//! storage, network and validation failures into it. [`Error::word`] is the one place it
//! becomes the public [`DeviceError`].

use super::DeviceError;
use crate::catalog::Catalog;
use crate::catalog::error::ValidateError;
use crate::catalog::source::Localized;
use crate::device::sync::http_api::Failure;
use crate::device::sync::transport::TransportError;
use crate::protocol::Problem;
use crate::report::Issue;
use crate::sqlite::MigrateError;

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
/// and the issues to fix. Worded once, by [`Error::word`], at the public API boundary. Boxed,
/// so that every `Result` inside the device stays one pointer wide on the error side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", .0.code, .0.detail)]
pub(crate) struct Error(Box<Unworded>);

/// What an [`Error`] carries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Unworded {
    /// The public variant it becomes.
    kind: Kind,
    /// The stable message code.
    code: String,
    /// The message's parameters.
    params: Vec<(&'static str, String)>,
    /// For logs and bug reports (shown by the `Storage`, `Protocol` and `Internal` variants).
    detail: String,
    /// What to fix (the `Validation` variant).
    issues: Vec<Issue>,
    /// The server's own wording of a problem it sent, kept instead of the catalog's.
    server_words: Option<Localized>,
}

/// Result inside the device: store, files and sync engine.
pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `code` and no parameters.
    pub(crate) fn new(kind: Kind, code: &str) -> Error {
        Error(Box::new(Unworded {
            kind,
            code: code.to_string(),
            params: Vec::new(),
            detail: String::new(),
            issues: Vec::new(),
            server_words: None,
        }))
    }

    /// Adds the message parameters.
    pub(crate) fn params(mut self, params: &[(&'static str, String)]) -> Error {
        self.0.params = params.to_vec();
        self
    }

    /// Adds a detail for developers.
    pub(crate) fn detail(mut self, detail: impl Into<String>) -> Error {
        self.0.detail = detail.into();
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
        e.0.issues = issues;
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

    /// `device.key_wrong`: the store on the device is encrypted with another key (or is
    /// encrypted and no key was given). Nothing is changed or deleted.
    pub(crate) fn key_wrong(detail: impl Into<String>) -> Error {
        Error::new(Kind::Storage, "device.key_wrong").detail(detail)
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
        e.0.issues = p.issues;
        e.0.server_words = Some(Localized {
            id: p.message_id,
            en: p.message_en,
        });
        e
    }

    /// Words the error with `catalog`: the one place a device failure gets its message.
    pub(crate) fn word(self, catalog: &Catalog) -> DeviceError {
        let error = *self.0;
        let text = match error.server_words {
            Some(words) => words,
            None => catalog.message(&error.code, &error.params),
        };
        let (code, detail, message_id, message_en) = (error.code, error.detail, text.id, text.en);
        match error.kind {
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
                issues: error.issues,
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
