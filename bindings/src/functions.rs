//! Top-level functions that need no client: default settings, and a NIK check for simple
//! frontends (a registration screen, a web form) that do not open a store.

use crate::guard::guard;
use ceria_core::validate::nik::{self, Nik, Sex};
use ceria_core::{Catalog, Date, DeviceConfig, DeviceError, Issue};

/// The default settings for a store in `data_dir` syncing with `server_url` (timeouts, a
/// 256 KiB upload chunk, exponential retry backoff), tuned for phones on 3G. Change fields with
/// Kotlin's `copy(...)` and pass the result to `CeriaClient.withConfig`.
#[uniffi::export]
pub fn default_config(data_dir: String, server_url: String) -> DeviceConfig {
    DeviceConfig::new(data_dir, server_url)
}

/// Checks a NIK (Nomor Induk Kependudukan): 16 digits, a real province, regency and district
/// number, a birth date (day + 40 for women) and a serial; and, when given, agreement with the
/// person's birth date (`YYYY-MM-DD`) and sex (`L` laki-laki / `P` perempuan, the `sex` code
/// list). Returns the issues on field `nik`, worded in both languages by the built-in catalog;
/// an empty list means the NIK is fine. The region table is not consulted (a NIK keeps the
/// code of a district that may since have been split).
///
/// Errors: `InvalidInput` (`request.malformed`) when `birth_date` or `sex` is not in the
/// format above (a programming error in the caller, not something to show the user).
#[uniffi::export]
pub fn validate_nik(
    nik: String,
    birth_date: Option<String>,
    sex: Option<String>,
) -> Result<Vec<Issue>, DeviceError> {
    guard(|| {
        let catalog = Catalog::embedded();
        let birth_date = match birth_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Date::parse_iso(text).ok_or_else(|| {
                DeviceError::malformed(&catalog, format!("birth_date: `{text}` is not YYYY-MM-DD"))
            })?),
        };
        let sex = match sex.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Sex::from_code(text).ok_or_else(|| {
                DeviceError::malformed(&catalog, format!("sex: `{text}` is not L or P"))
            })?),
        };
        let findings = match Nik::parse(&nik) {
            Ok(parsed) => nik::cross_check(&parsed, birth_date, sex),
            Err(findings) => findings,
        };
        Ok(findings
            .iter()
            .map(|f| catalog.issue(Some("nik"), f))
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ceria_core::Severity;

    fn codes(issues: &[Issue]) -> Vec<&str> {
        issues.iter().map(|i| i.code.as_str()).collect()
    }

    #[test]
    fn a_consistent_nik_has_no_issue() {
        // A man born 10 May 2009 in Padang Pariaman (13.05.02).
        let issues = validate_nik(
            "1305021005090003".into(),
            Some("2009-05-10".into()),
            Some("L".into()),
        )
        .unwrap();
        assert!(issues.is_empty(), "{issues:?}");
        // Without the cross-check data too.
        assert!(
            validate_nik(" 1305021005090003 ".into(), None, None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_womans_nik_needs_day_plus_40() {
        let issues = validate_nik(
            "1305082106080002".into(),
            Some("2008-06-21".into()),
            Some("P".into()),
        )
        .unwrap();
        assert_eq!(codes(&issues), ["nik.sex_mismatch"]);
        let i = &issues[0];
        assert_eq!(i.field.as_deref(), Some("nik"));
        assert_eq!(i.severity, Severity::Error);
        assert_eq!(i.params.get("nik_sex").map(String::as_str), Some("L"));
        assert!(i.message_id.contains("ditambah 40"), "{}", i.message_id);
        assert!(i.message_en.contains("40 is added"), "{}", i.message_en);
    }

    #[test]
    fn structural_problems_are_reported_worded() {
        let issues = validate_nik("13050210050900".into(), None, None).unwrap();
        assert_eq!(codes(&issues), ["nik.length"]);
        assert!(
            issues[0].message_id.contains("14"),
            "{}",
            issues[0].message_id
        );
        let issues = validate_nik("1305021005090000".into(), None, None).unwrap();
        assert_eq!(codes(&issues), ["nik.serial"]);
        let issues = validate_nik("".into(), None, None).unwrap();
        assert!(!issues.is_empty());
        // Birth date mismatch, with both dates in the message.
        let issues =
            validate_nik("1305021005090003".into(), Some("2009-05-11".into()), None).unwrap();
        assert_eq!(codes(&issues), ["nik.birth_date_mismatch"]);
        assert!(issues[0].message_en.contains("11-05-2009"));
    }

    #[test]
    fn malformed_arguments_are_typed_errors() {
        let e =
            validate_nik("1305021005090003".into(), Some("10/05/2009".into()), None).unwrap_err();
        assert!(
            matches!(e, DeviceError::InvalidInput { ref code, .. } if code == "request.malformed")
        );
        let e = validate_nik("1305021005090003".into(), None, Some("X".into())).unwrap_err();
        assert_eq!(e.code(), "request.malformed");
        // Blank optional arguments mean "not given".
        assert!(
            validate_nik("1305021005090003".into(), Some(" ".into()), Some("".into()))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn default_config_keeps_the_arguments() {
        let c = default_config("/tmp/x".into(), "http://127.0.0.1:1".into());
        assert_eq!(c.data_dir, "/tmp/x");
        assert_eq!(c.server_url, "http://127.0.0.1:1");
        assert!(c.chunk_size > 0);
    }
}
