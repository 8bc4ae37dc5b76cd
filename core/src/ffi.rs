//! What the core adds for its UniFFI bindings (feature `uniffi`) beyond the derives on its
//! types: small methods on records and on the error that foreign code calls on values it
//! holds (`label.text("en")`, `report.issuesFor("nik")`, `error.messageIn("en")`), and the
//! mapping of ordered maps, which UniFFI does not know, onto foreign maps.
//!
//! UniFFI only exports methods from the crate that defines the type, so these live here
//! rather than in `ceria-ffi`. They delegate to the ordinary Rust methods; no logic of their
//! own.

use crate::catalog::source::Localized;
#[cfg(feature = "device")]
use crate::device::error::DeviceError;
use crate::report::Issue;
use crate::validate::ValidationReport;
use std::collections::{BTreeMap, HashMap};

/// A map whose keys are kept in sorted order on the Rust side (field id -> text). Foreign code
/// sees an ordinary map, filled in key order.
pub type SortedStringMap = BTreeMap<String, String>;

uniffi::custom_type!(SortedStringMap, HashMap<String, String>, {
    remote,
    lower: |map| map.into_iter().collect(),
    try_lift: |map| Ok(map.into_iter().collect()),
});

#[uniffi::export]
impl Localized {
    /// The text in `lang`: `"en"` for English, anything else gives Bahasa Indonesia.
    pub fn text(&self, lang: String) -> String {
        self.get(&lang).to_string()
    }
}

#[uniffi::export]
impl Issue {
    /// The message in `lang`: `"en"` for English, anything else gives Bahasa Indonesia.
    pub fn message_in(&self, lang: String) -> String {
        self.message(&lang).to_string()
    }
}

#[uniffi::export]
impl ValidationReport {
    /// The issues of one field, in order (errors and warnings).
    #[uniffi::method(name = "issues_for")]
    pub fn field_issues(&self, field: String) -> Vec<Issue> {
        self.issues_for(&field).cloned().collect()
    }

    /// How many issues are errors (they block finalising).
    #[uniffi::method(name = "error_count")]
    pub fn errors(&self) -> u32 {
        u32::try_from(self.error_count()).unwrap_or(u32::MAX)
    }
}

// The error's foreign name is `CeriaError`; methods must name the type the same way.
#[cfg(feature = "device")]
#[uniffi::export(name = "CeriaError")]
impl DeviceError {
    /// The stable machine code, whatever the variant (e.g. `sync.offline`).
    pub fn error_code(&self) -> String {
        self.code().to_string()
    }

    /// The message in `lang`: `"en"` for English, anything else gives Bahasa Indonesia.
    pub fn message_in(&self, lang: String) -> String {
        self.message(&lang).to_string()
    }

    /// True when trying again later may succeed without the user doing anything (offline,
    /// server trouble).
    #[uniffi::method(name = "is_retryable")]
    pub fn retryable(&self) -> bool {
        self.is_retryable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Severity;

    #[test]
    fn localized_text_falls_back_to_indonesian() {
        let l = Localized {
            id: "Selesai".into(),
            en: "Completed".into(),
        };
        assert_eq!(l.text("en".into()), "Completed");
        assert_eq!(l.text("EN".into()), "Completed");
        assert_eq!(l.text("id".into()), "Selesai");
        assert_eq!(l.text("fr".into()), "Selesai");
    }

    #[test]
    fn report_methods_select_by_field() {
        let issue = |field: &str, severity| Issue {
            field: Some(field.to_string()),
            code: "x".into(),
            severity,
            message_id: "a".into(),
            message_en: "b".into(),
            params: HashMap::new(),
        };
        let report = ValidationReport {
            service: "ktp_baru".into(),
            valid: false,
            issues: vec![
                issue("nik", Severity::Error),
                issue("nama", Severity::Warning),
                issue("nik", Severity::Warning),
            ],
            missing_attachments: vec![],
            relevant_fields: vec![],
            required_fields: vec![],
            computed: BTreeMap::new(),
        };
        assert_eq!(report.field_issues("nik".into()).len(), 2);
        assert!(report.field_issues("telepon".into()).is_empty());
        assert_eq!(report.errors(), 1);
    }
}
