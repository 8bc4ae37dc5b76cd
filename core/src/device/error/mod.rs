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

mod internal;

pub(crate) use internal::{Error, Result};

use crate::catalog::Catalog;
use crate::catalog::error::ValidateError;
use crate::report::Issue;

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
        /// `device.storage`, or `device.key_wrong` when the store does not open with the
        /// key given (`DeviceConfig::encryption_key`).
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
    "device.key_wrong",
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

#[cfg(test)]
mod tests;
