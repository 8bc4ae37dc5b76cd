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

/// Lowest zxcvbn score accepted: 3 means the estimator needs more than 10^8 guesses
/// ("safely unguessable"). Logins are rate-limited and hashes are argon2id, so an online
/// attacker gets nowhere near that many tries; score 3 still refuses every password of the
/// common-password lists, keyboard walks, dates, and words with digits tacked on.
pub(crate) const MIN_PASSWORD_SCORE: u8 = 3;
/// Personal words shorter than this are not looked for in a password ("Ani" may be part of
/// an unrelated word).
const MIN_PERSONAL_CHARS: usize = 4;

/// Why a password is refused; [`PasswordProblem::code`] is the stable message code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("password must have at least {min} characters")]
    TooShort {
        /// Minimum length.
        min: usize,
    },
    /// Longer than [`MAX_PASSWORD_BYTES`].
    #[error("password must have at most {max} bytes")]
    TooLong {
        /// Maximum length in bytes.
        max: usize,
    },
    /// Built from the account's own data (NIK, name, phone, user name).
    #[error("password is built from the account's own data")]
    Personal,
    /// Common or otherwise easy to guess.
    #[error("password is easy to guess")]
    Common,
}

impl PasswordProblem {
    /// The stable message code (worded by the catalog's `messages`).
    pub fn code(&self) -> &'static str {
        match self {
            PasswordProblem::TooShort { .. } => "auth.weak_password",
            PasswordProblem::TooLong { .. } => "auth.password_too_long",
            PasswordProblem::Personal => "auth.personal_password",
            PasswordProblem::Common => "auth.common_password",
        }
    }

    /// Message parameters for [`PasswordProblem::code`].
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            PasswordProblem::TooShort { min } => vec![("min", min.to_string())],
            PasswordProblem::TooLong { max } => vec![("max", max.to_string())],
            PasswordProblem::Personal | PasswordProblem::Common => Vec::new(),
        }
    }
}

/// Lowercase letters and digits only: how personal data is compared with a password.
fn folded(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of an account's own data a password must not be built from: each value
/// whole and folded, its words, and a phone's local forms (`+62812...` -> `0812...`, `812...`).
fn personal_words(account_data: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for value in account_data {
        let value = value.trim();
        words.push(value.to_lowercase());
        words.push(folded(value));
        words.extend(
            value
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase),
        );
        if let Some(national) = value.strip_prefix("+62") {
            words.push(format!("0{national}"));
            words.push(national.to_string());
        }
    }
    words.retain(|w| w.chars().count() >= MIN_PERSONAL_CHARS);
    words.sort();
    words.dedup();
    words
}

/// Loads the estimator's word lists (a fraction of a second, once per process), so the first
/// registration after a start does not pay for it.
pub(crate) fn warm_up_password_policy() {
    let _ = zxcvbn::zxcvbn("warm-up", &[]);
}

/// Checks a password against the policy: length, then zxcvbn (the account's own data given
/// as user inputs) with at least [`MIN_PASSWORD_SCORE`], and, when it contains the account's
/// own data, the same score for what is left without it. A password refused and containing
/// that data is [`PasswordProblem::Personal`], any other [`PasswordProblem::Common`].
pub(crate) fn check_password(password: &str, account_data: &[&str]) -> Result<(), PasswordProblem> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordProblem::TooLong {
            max: MAX_PASSWORD_BYTES,
        });
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    let words = personal_words(account_data);
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let score = u8::from(zxcvbn::zxcvbn(password, &inputs).score());
    // What is left once the account's own data is taken out must be strong on its own:
    // "Maya.Sari.2024" scores well only because a name is long.
    let folded_password = folded(password);
    let mut rest = folded_password.clone();
    let mut longest_first: Vec<String> = words.iter().map(|w| folded(w)).collect();
    longest_first.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for word in longest_first.iter().filter(|w| !w.is_empty()) {
        rest = rest.replace(word.as_str(), "");
    }
    let personal = rest != folded_password;
    let rest_strong =
        !rest.is_empty() && u8::from(zxcvbn::zxcvbn(&rest, &[]).score()) >= MIN_PASSWORD_SCORE;
    match (score >= MIN_PASSWORD_SCORE, personal) {
        (true, false) => Ok(()),
        (true, true) if rest_strong => Ok(()),
        (_, true) => Err(PasswordProblem::Personal),
        (false, false) => Err(PasswordProblem::Common),
    }
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

#[cfg(test)]
mod password_tests {
    use super::*;

    const CITIZEN: [&str; 3] = ["1305010101900008", "Maya Sari", "+6281234567890"];

    #[test]
    fn guessable_passwords_are_refused_with_their_reason() {
        for common in [
            "12345678",
            "password",
            "password1",
            "qwertyuiop",
            "iloveyou",
            "11111111",
        ] {
            assert_eq!(
                check_password(common, &CITIZEN),
                Err(PasswordProblem::Common),
                "{common}"
            );
        }
        for personal in [
            "1305010101900008",
            "mayasari1981",
            "081234567890",
            "Maya.Sari.2024",
            "sandi-maya-123",
        ] {
            assert_eq!(
                check_password(personal, &CITIZEN),
                Err(PasswordProblem::Personal),
                "{personal}"
            );
        }
        // Passwords the suites used before this policy: a word for "password" and the name.
        assert_eq!(
            check_password("sandi-budi-123", &["Budi Santoso"]),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check_password("sandi-petugas-1", &["petugas.dukcapil"]),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check_password("kata-sandi-andika", &["Andika Pratama"]),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check_password("pendek", &CITIZEN).unwrap_err().code(),
            "auth.weak_password"
        );
        let long = "a".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(
            check_password(&long, &CITIZEN).unwrap_err().params(),
            vec![("max", MAX_PASSWORD_BYTES.to_string())]
        );
    }

    #[test]
    fn the_passwords_of_the_suites_pass() {
        for (password, data) in [
            ("rahasia-sekali", &CITIZEN[..]),
            ("Kerbau-Pagi-Hujan-71", &CITIZEN[..]),
            (
                "Lemari-Arsip-Biru-9",
                &["petugas.dukcapil", "Petugas petugas.dukcapil"][..],
            ),
            (
                "Rumah-Gadang-Biru-27",
                &["Andika Pratama", "+6281234567890"][..],
            ),
            ("rahasia-uji-2026", &["operator.sintuk", "officer"][..]),
            ("rahasia-nagari-2026", &["operator.sintuk"][..]),
            (
                "Sawah-Hijau-Pagi-45",
                &["Budi Santoso", "+6281234567890"][..],
            ),
            ("demo-rahasia-2026", &["Siti Rahmawati"][..]),
        ] {
            assert_eq!(check_password(password, data), Ok(()), "{password}");
        }
    }
}
