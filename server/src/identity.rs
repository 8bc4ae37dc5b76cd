//! Checks of the identity data people type when an account is made (NIK, name, phone,
//! password, operator village), with the core validators, so the phone and the server agree.

use crate::credentials::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use ceria_core::catalog::source::NamePolicy;
use ceria_core::validate::nik::Nik;
use ceria_core::{Catalog, Finding, Issue, Severity};

/// Longest display name (the catalog's default name limit).
pub(crate) const MAX_NAME_CHARS: usize = 60;

/// Identity data after checking and normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The 16 NIK digits.
    pub nik: String,
    /// The name, whitespace normalised.
    pub name: String,
    /// The phone in E.164.
    pub phone: String,
}

fn required(catalog: &Catalog, field: &str, issues: &mut Vec<Issue>) {
    issues.push(catalog.issue(Some(field), &Finding::error("field.required")));
}

fn push_errors(catalog: &Catalog, field: &str, findings: &[Finding], issues: &mut Vec<Issue>) {
    for f in findings.iter().filter(|f| f.severity == Severity::Error) {
        issues.push(catalog.issue(Some(field), f));
    }
}

/// Checks a NIK; the normalised digits or the issues on `field`.
pub(crate) fn check_nik(catalog: &Catalog, field: &str, input: &str) -> Result<String, Vec<Issue>> {
    let mut issues = Vec::new();
    if input.trim().is_empty() {
        required(catalog, field, &mut issues);
        return Err(issues);
    }
    match Nik::parse(input) {
        Ok(nik) => Ok(nik.to_string()),
        Err(findings) => {
            push_errors(catalog, field, &findings, &mut issues);
            if issues.is_empty() {
                issues.push(catalog.issue(Some(field), &Finding::error("nik.length")));
            }
            Err(issues)
        }
    }
}

/// Checks a person's name as on existing documents (KTP-el / KK).
pub(crate) fn check_person_name(
    catalog: &Catalog,
    field: &str,
    input: &str,
) -> Result<String, Vec<Issue>> {
    let mut issues = Vec::new();
    if input.trim().is_empty() {
        required(catalog, field, &mut issues);
        return Err(issues);
    }
    let (name, findings) =
        ceria_core::validate::name::check_name(input, NamePolicy::Existing, MAX_NAME_CHARS);
    push_errors(catalog, field, &findings, &mut issues);
    if issues.is_empty() {
        Ok(name)
    } else {
        Err(issues)
    }
}

/// Checks a self-registration; the normalised identity or every issue found.
pub(crate) fn check_registration(
    catalog: &Catalog,
    nik: &str,
    name: &str,
    phone: &str,
) -> Result<Identity, Vec<Issue>> {
    let mut issues = Vec::new();
    let nik = check_nik(catalog, "nik", nik)
        .map_err(|mut e| issues.append(&mut e))
        .ok();
    let name = check_person_name(catalog, "name", name)
        .map_err(|mut e| issues.append(&mut e))
        .ok();
    let phone = if phone.trim().is_empty() {
        required(catalog, "phone", &mut issues);
        None
    } else {
        match ceria_core::validate::phone::normalize_phone(phone) {
            Ok(p) => Some(p),
            Err(finding) => {
                issues.push(catalog.issue(Some("phone"), &finding));
                None
            }
        }
    };
    match (nik, name, phone) {
        (Some(nik), Some(name), Some(phone)) if issues.is_empty() => {
            Ok(Identity { nik, name, phone })
        }
        _ => Err(issues),
    }
}

/// Whether a password is acceptable (at least [`MIN_PASSWORD_CHARS`] characters).
pub(crate) fn password_ok(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD_CHARS && password.len() <= MAX_PASSWORD_BYTES
}

/// Checks an operator's village code: a dotted Kemendagri village code `PP.KK.CC.DDDD`
/// (undotted input is normalised).
pub(crate) fn check_village(input: &str) -> Result<String, Finding> {
    use ceria_core::validate::region::{check_code, parse_code};
    let code = parse_code(input)?;
    let level = check_code(&code, Some(ceria_core::RegionLevel::Village), None);
    match level.into_iter().find(|f| f.severity == Severity::Error) {
        Some(finding) => Err(finding),
        None => Ok(code.as_str().to_string()),
    }
}
