//! What validation tells a person: issues with a stable machine code, a severity, and the
//! message in Bahasa Indonesia and English.
//!
//! Domain validators (NIK, No. KK, names, ...) do not know any wording: they return
//! [`Finding`]s (a code and parameters). The wording lives once, in the catalog's `messages`,
//! and [`crate::Catalog::issue`] turns a finding into an [`Issue`].

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How serious an issue is. Errors block finalising a request; warnings inform (a late birth
/// registration, a NIK prefix missing from today's region table) and never block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Severity {
    /// Informs; the request can still be sent.
    Warning,
    /// Must be fixed before the request can be finalised.
    Error,
}

/// A validator's verdict before it is worded: a stable code and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable machine code, e.g. `nik.province`. Every code has a message in the catalog.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Values for the `{name}` placeholders of the message.
    pub params: Vec<(&'static str, String)>,
}

impl Finding {
    /// An error finding without parameters.
    pub fn error(code: &'static str) -> Self {
        Finding {
            code,
            severity: Severity::Error,
            params: Vec::new(),
        }
    }

    /// A warning finding without parameters.
    pub fn warning(code: &'static str) -> Self {
        Finding {
            code,
            severity: Severity::Warning,
            params: Vec::new(),
        }
    }

    /// Adds a parameter for the message placeholders.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }
}

/// One problem with a form, worded for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Issue {
    /// The field it concerns; `None` for a form-level issue (a missing attachment has the
    /// attachment id in `params["attachment"]`).
    pub field: Option<String>,
    /// Stable machine code, e.g. `nik.sex_mismatch`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// The message in Bahasa Indonesia.
    pub message_id: String,
    /// The message in English.
    pub message_en: String,
    /// The parameters the message was built from.
    #[serde(default)]
    pub params: HashMap<String, String>,
}

impl Issue {
    /// The message in the given language (`"en"` for English; anything else is Indonesian).
    pub fn message(&self, lang: &str) -> &str {
        if lang.eq_ignore_ascii_case("en") {
            &self.message_en
        } else {
            &self.message_id
        }
    }
}
