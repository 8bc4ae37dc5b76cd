//! Indonesian phone numbers, normalised to E.164 (`+62…`).
//!
//! Hand-written, Indonesia only, rather than the `phonenumber` crate (libphonenumber's
//! metadata for every country): a release cdylib with `opt-level = "s"`, `lto = true` and
//! `strip = true` that normalises one number measured 2,723,080 bytes with `phonenumber`
//! 0.3.10 against 266,664 bytes without it (x86_64; +2.46 MB, +0.69 MB gzipped), far over the
//! ~1 MB budget for the Android library. Forms only need Indonesian mobiles and landlines.
//!
//! Accepted: `08xx…`, `+628…`, `628…`, `8xx…` and landlines with their area code
//! (`0751 123456`), with spaces, dashes, dots and parentheses anywhere. A national
//! significant number (after `+62`) is a mobile `8…` of 9-12 digits, or a landline: area code
//! of 2-3 digits (first digit 2-7 or 9) and a 5-8 digit subscriber number, 7-11 in all.

use crate::report::Finding;

/// Every finding code this module can emit.
pub const CODES: &[&str] = &["phone.invalid", "phone.not_indonesian", "phone.length"];

/// Indonesia's country calling code.
const COUNTRY: &str = "62";

/// More digits than this cannot be a phone number; stops collecting early on junk.
const MAX_DIGITS: usize = 20;

/// Normalises an Indonesian phone number to E.164, e.g. `0812-3456-7890` -> `+6281234567890`
/// and `(0751) 123456` -> `+62751123456`.
///
/// Errors: `phone.invalid` (characters other than digits and separators, a misplaced `+`, or a
/// number that is neither mobile nor landline), `phone.not_indonesian` (a `+` country code
/// other than 62) and `phone.length` (too few or too many digits). No parameters.
pub fn normalize_phone(input: &str) -> Result<String, Finding> {
    let invalid = || Finding::error("phone.invalid");
    let mut digits = String::new();
    let mut plus = false;
    for c in input.trim().chars() {
        match c {
            '0'..='9' if digits.len() < MAX_DIGITS => digits.push(c),
            '0'..='9' => return Err(Finding::error("phone.length")),
            // `+` only opens the number: `(+62) 812…` is fine, `0812+3` is not.
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '.' | '(' | ')' => {}
            c if c.is_whitespace() => {}
            _ => return Err(invalid()),
        }
    }
    if digits.is_empty() {
        return Err(invalid());
    }
    let national = if plus {
        digits
            .strip_prefix(COUNTRY)
            .ok_or_else(|| Finding::error("phone.not_indonesian"))?
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else if let Some(rest) = digits.strip_prefix(COUNTRY) {
        rest
    } else if digits.starts_with('8') {
        digits.as_str()
    } else {
        return Err(invalid());
    };
    // People often keep the trunk 0 after the country code: `+62 0812…`.
    let national = match national.strip_prefix('0') {
        Some(rest) if !digits.starts_with('0') => rest,
        _ => national,
    };
    let allowed = match national.chars().next() {
        None => return Err(Finding::error("phone.length")),
        Some('8') => 9..=12,
        Some('2'..='7' | '9') => 7..=11,
        Some(_) => return Err(invalid()),
    };
    if !allowed.contains(&national.len()) {
        return Err(Finding::error("phone.length"));
    }
    Ok(format!("+{COUNTRY}{national}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        let f = normalize_phone(input).unwrap_err();
        assert!(CODES.contains(&f.code));
        assert_eq!(f.severity, crate::Severity::Error);
        f.code
    }

    #[test]
    fn mobile_numbers_in_every_common_form() {
        for input in [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "0812.3456.7890",
            "+6281234567890",
            "+62 812-3456-7890",
            "(+62) 812 3456 7890",
            "6281234567890",
            "81234567890",
            "+62 0812 3456 7890",
            " 0812\u{a0}3456\u{a0}7890 ",
        ] {
            assert_eq!(
                normalize_phone(input).unwrap(),
                "+6281234567890",
                "{input:?}"
            );
        }
    }

    #[test]
    fn mobile_lengths() {
        assert_eq!(
            normalize_phone("0812345678").unwrap(),
            "+62812345678",
            "9 digits"
        );
        assert_eq!(
            normalize_phone("0812345678901").unwrap(),
            "+62812345678901",
            "12 digits"
        );
        assert_eq!(code("081234567"), "phone.length");
        assert_eq!(code("08123456789012"), "phone.length");
        assert_eq!(code("+628"), "phone.length");
    }

    #[test]
    fn landlines_with_area_codes() {
        assert_eq!(normalize_phone("0751 123456").unwrap(), "+62751123456");
        assert_eq!(normalize_phone("(0751) 123-456").unwrap(), "+62751123456");
        assert_eq!(normalize_phone("021 12345678").unwrap(), "+622112345678");
        assert_eq!(
            normalize_phone("+62 21 1234 5678").unwrap(),
            "+622112345678"
        );
        assert_eq!(normalize_phone("0967 53412").unwrap(), "+6296753412");
        assert_eq!(
            normalize_phone("021 12345").unwrap(),
            "+622112345",
            "shortest"
        );
        assert_eq!(code("021 1234"), "phone.length");
        assert_eq!(code("0751 12345678 9"), "phone.length");
    }

    #[test]
    fn foreign_and_malformed_numbers() {
        assert_eq!(code("+60 12-345 6789"), "phone.not_indonesian");
        assert_eq!(code("+1 202 555 0100"), "phone.not_indonesian");
        assert_eq!(code("+0812345678"), "phone.not_indonesian");
        assert_eq!(code("0812345678a"), "phone.invalid");
        assert_eq!(code("0812/3456/7890"), "phone.invalid");
        assert_eq!(code("0812+34567890"), "phone.invalid");
        assert_eq!(code("++6281234567890"), "phone.invalid");
        assert_eq!(code("１２３４５６７８９"), "phone.invalid");
        assert_eq!(
            code("112"),
            "phone.invalid",
            "emergency and service numbers start with 1"
        );
        assert_eq!(code("0112345678"), "phone.invalid");
        assert_eq!(
            code("751123456"),
            "phone.invalid",
            "a landline needs its trunk 0"
        );
        assert_eq!(code("---"), "phone.invalid");
        assert_eq!(code("+"), "phone.invalid");
        assert_eq!(code("0"), "phone.length");
        assert_eq!(code("00"), "phone.invalid");
        assert_eq!(code(&"8".repeat(40)), "phone.length");
    }

    proptest! {
        #[test]
        fn never_panics_and_output_is_stable(s in "[0-9+() .\\-]{0,24}|\\PC{0,24}") {
            if let Ok(e164) = normalize_phone(&s) {
                prop_assert!(e164.starts_with("+62"));
                prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
                prop_assert!((10..=14).contains(&e164.len()), "{}", e164);
                prop_assert_eq!(normalize_phone(&e164).unwrap(), e164.clone());
            }
        }

        #[test]
        fn every_mobile_form_agrees(rest in "[0-9]{8,11}") {
            let e164 = format!("+628{rest}");
            for form in [format!("08{rest}"), format!("628{rest}"), format!("8{rest}")] {
                prop_assert_eq!(normalize_phone(&form).unwrap(), e164.clone());
            }
        }
    }
}
