//! The NIK (Nomor Induk Kependudukan), the 16-digit personal number `PP KK CC DDMMYY SSSS`:
//! the district where it was first issued, the birth date (day + 40 for women) and a serial.
//!
//! There is no check digit, so validation is structural: an impossible province, regency,
//! district, date or serial is an error. A NIK never changes, even after a move or a region
//! split, so a well-formed prefix missing from today's region table is only a warning.
//!
//! This module also holds the 16-digit layout helpers that [`crate::validate::nomor_kk`] shares (same
//! region prefix, a `DDMMYY` date, a serial).

use crate::report::Finding;
use crate::validate::date::Date;
use crate::validate::name::OddChars;
use crate::validate::region::{self, Parts, PrefixProblem, RegionCode, RegionTable};
use std::fmt;
use std::str::FromStr;

/// Every finding code this module can emit.
pub const CODES: &[&str] = &[
    "nik.length",
    "nik.not_digits",
    "nik.province",
    "nik.regency",
    "nik.district",
    "nik.birth_date",
    "nik.serial",
    "nik.birth_date_mismatch",
    "nik.sex_mismatch",
    "nik.region_unknown",
];

/// Number of digits in a NIK or a No. KK.
pub const LEN: usize = 16;

/// What a woman's NIK adds to the day of birth.
const FEMALE_DAY_OFFSET: u8 = 40;

/// Sex as encoded in the NIK and recorded on forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Laki-laki (`L`).
    Male,
    /// Perempuan (`P`).
    Female,
}

impl Sex {
    /// The form code: `'L'` (laki-laki) or `'P'` (perempuan).
    pub fn code(self) -> char {
        match self {
            Sex::Male => 'L',
            Sex::Female => 'P',
        }
    }

    /// Reads a form code `L` or `P` (any case, surrounding spaces ignored).
    pub fn from_code(code: &str) -> Option<Sex> {
        match code.trim() {
            "L" | "l" => Some(Sex::Male),
            "P" | "p" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A structurally valid NIK.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nik {
    /// Digit values 0-9.
    digits: [u8; LEN],
}

/// The components of a NIK, for building one ([`Nik::encode`]) or reading it ([`Nik::parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NikParts {
    /// `PP`, e.g. 13.
    pub province: u8,
    /// `KK`, e.g. 5 for `13.05`.
    pub regency: u8,
    /// `CC`, e.g. 1 for `13.05.01`.
    pub district: u8,
    /// Sex (decides the + 40 on the day).
    pub sex: Sex,
    /// Day of birth, 1-31 (without the + 40).
    pub birth_day: u8,
    /// Month of birth, 1-12.
    pub birth_month: u8,
    /// Year of birth without century, 0-99.
    pub birth_yy: u8,
    /// Serial, 1-9999.
    pub serial: u16,
}

/// The finding codes of one 16-digit number kind (NIK or No. KK).
pub(crate) struct NumberCodes {
    pub(crate) length: &'static str,
    pub(crate) not_digits: &'static str,
    pub(crate) province: &'static str,
    pub(crate) regency: &'static str,
    pub(crate) district: &'static str,
}

const NIK_CODES: NumberCodes = NumberCodes {
    length: "nik.length",
    not_digits: "nik.not_digits",
    province: "nik.province",
    regency: "nik.regency",
    district: "nik.district",
};

/// Whether `c` is a separator people type or paste between the digit groups of a NIK or
/// No. KK: any space, including the no-break space of copied text (but not a tab or a line
/// break, which are refused like other stray characters).
fn is_separator(c: char) -> bool {
    c.is_whitespace() && !c.is_control()
}

/// A NIK or No. KK as typed, trimmed and without separators ([`is_separator`]): the one
/// normalisation the phone, the registry and the command line apply before comparing or
/// storing a number.
pub fn strip_separators(input: &str) -> String {
    input.trim().chars().filter(|c| !is_separator(*c)).collect()
}

/// Reads 16 ASCII digits. Surrounding whitespace is trimmed and separators ([`is_separator`]:
/// spaces, also a no-break space) are dropped, since people type these numbers in groups (`1305 0141 0790 0001`); anything else
/// that is not an ASCII digit (dashes, dots, Arabic-Indic or full-width digits) is refused.
/// Reports the non-digits (param `chars`) and a wrong length (param `length`) together.
pub(crate) fn read_digits(input: &str, codes: &NumberCodes) -> Result<[u8; LEN], Vec<Finding>> {
    let mut digits = [0u8; LEN];
    let mut count = 0usize;
    let mut odd = OddChars::default();
    for c in input.trim().chars().filter(|c| !is_separator(*c)) {
        if c.is_ascii_digit() {
            if let Some(slot) = digits.get_mut(count) {
                *slot = c as u8 - b'0';
            }
        } else {
            odd.add(c);
        }
        count += 1;
    }
    let mut findings = Vec::new();
    if !odd.is_empty() {
        findings.push(Finding::error(codes.not_digits).with("chars", odd.to_param()));
    }
    if count != LEN {
        findings.push(Finding::error(codes.length).with("length", count.to_string()));
    }
    if findings.is_empty() {
        Ok(digits)
    } else {
        Err(findings)
    }
}

/// The two-digit number at `at` (digits `at` and `at + 1`).
pub(crate) fn pair(digits: &[u8; LEN], at: usize) -> u8 {
    let d = |i: usize| digits.get(i).copied().unwrap_or(0);
    d(at) * 10 + d(at + 1)
}

/// The four-digit serial at the end.
pub(crate) fn serial_of(digits: &[u8; LEN]) -> u16 {
    u16::from(pair(digits, 12)) * 100 + u16::from(pair(digits, 14))
}

/// The digits `from..to` as text, for a message parameter.
pub(crate) fn digit_text(digits: &[u8; LEN], from: usize, to: usize) -> String {
    digits
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// The region-prefix errors of a 16-digit number, with the offending code as parameter
/// (`province` `20`, `regency` `13.70`, `district` `13.05.00`).
pub(crate) fn prefix_findings(digits: &[u8; LEN], codes: &NumberCodes) -> Vec<Finding> {
    let (pp, kk, cc) = (pair(digits, 0), pair(digits, 2), pair(digits, 4));
    region::check_prefix(pp, kk, cc)
        .into_iter()
        .map(|problem| match problem {
            PrefixProblem::Province => {
                Finding::error(codes.province).with("province", format!("{pp:02}"))
            }
            PrefixProblem::Regency => {
                Finding::error(codes.regency).with("regency", format!("{pp:02}.{kk:02}"))
            }
            PrefixProblem::District => {
                Finding::error(codes.district).with("district", format!("{pp:02}.{kk:02}.{cc:02}"))
            }
        })
        .collect()
}

/// The province `PP` of a 16-digit number.
pub(crate) fn province_of(digits: &[u8; LEN]) -> RegionCode {
    RegionCode::from_parts(Parts {
        province: pair(digits, 0),
        regency: None,
        district: None,
        village: None,
    })
}

/// The regency or city `PP.KK` of a 16-digit number.
pub(crate) fn regency_of(digits: &[u8; LEN]) -> RegionCode {
    RegionCode::from_parts(Parts {
        province: pair(digits, 0),
        regency: Some(pair(digits, 2)),
        district: None,
        village: None,
    })
}

/// The district `PP.KK.CC` of a 16-digit number.
pub(crate) fn district_of(digits: &[u8; LEN]) -> RegionCode {
    RegionCode::district_of(pair(digits, 0), pair(digits, 2), pair(digits, 4))
}

/// `day-month-yy` in 19yy and 20yy, latest first; dates that do not exist are left out.
pub(crate) fn century_dates(day: u8, month: u8, yy: u8) -> impl Iterator<Item = Date> {
    [2000, 1900].into_iter().filter_map(move |century| {
        Date::from_ymd(century + i32::from(yy), u32::from(month), u32::from(day))
    })
}

/// The latest of 20yy/19yy giving a real date not after `today`.
pub(crate) fn latest_not_after(day: u8, month: u8, yy: u8, today: Date) -> Option<Date> {
    century_dates(day, month, yy).find(|d| *d <= today)
}

/// The warning for a district missing from the region table (param `district`).
pub(crate) fn region_warning(
    district: RegionCode,
    table: &RegionTable,
    code: &'static str,
) -> Vec<Finding> {
    if table.contains_code(&district) {
        Vec::new()
    } else {
        vec![Finding::warning(code).with("district", district.as_str())]
    }
}

impl Nik {
    /// Parses a NIK. Surrounding whitespace and ASCII spaces between digit groups are ignored.
    ///
    /// Errors list every independent problem: `nik.not_digits` (param `chars`) and
    /// `nik.length` (param `length`) first; when the text is 16 digits, any of
    /// `nik.province` (`province`), `nik.regency` (`regency`), `nik.district` (`district`),
    /// `nik.birth_date` (`digits`: the `DDMMYY` part, which is no date in 19YY nor 20YY,
    /// women's day + 40 included) and `nik.serial` (`0000`).
    pub fn parse(input: &str) -> Result<Nik, Vec<Finding>> {
        let digits = read_digits(input, &NIK_CODES)?;
        let mut findings = prefix_findings(&digits, &NIK_CODES);
        let nik = Nik { digits };
        // Day fields 00, 32-40 and 72-99 give a day outside 1-31, so no date exists.
        if century_dates(nik.birth_day(), nik.birth_month(), nik.birth_yy())
            .next()
            .is_none()
        {
            findings
                .push(Finding::error("nik.birth_date").with("digits", digit_text(&digits, 6, 12)));
        }
        if serial_of(&digits) == 0 {
            findings.push(Finding::error("nik.serial"));
        }
        if findings.is_empty() {
            Ok(nik)
        } else {
            Err(findings)
        }
    }

    /// Builds the 16 digits from components (adding 40 to a woman's day). It does not
    /// validate: out-of-range components give a string that [`Nik::parse`] refuses.
    pub fn encode(parts: &NikParts) -> String {
        let offset = match parts.sex {
            Sex::Female => FEMALE_DAY_OFFSET,
            Sex::Male => 0,
        };
        let day = u16::from(parts.birth_day) + u16::from(offset);
        format!(
            "{:02}{:02}{:02}{:02}{:02}{:02}{:04}",
            parts.province,
            parts.regency,
            parts.district,
            day,
            parts.birth_month,
            parts.birth_yy,
            parts.serial
        )
    }

    /// The components of this NIK.
    pub fn parts(&self) -> NikParts {
        NikParts {
            province: pair(&self.digits, 0),
            regency: pair(&self.digits, 2),
            district: pair(&self.digits, 4),
            sex: self.sex(),
            birth_day: self.birth_day(),
            birth_month: self.birth_month(),
            birth_yy: self.birth_yy(),
            serial: self.serial(),
        }
    }

    /// The province of first registration, e.g. `13`.
    pub fn province(&self) -> RegionCode {
        province_of(&self.digits)
    }

    /// The regency or city of first registration, e.g. `13.05`.
    pub fn regency(&self) -> RegionCode {
        regency_of(&self.digits)
    }

    /// The district (kecamatan) of first registration, e.g. `13.05.01`. It may have been
    /// split or renamed since.
    pub fn district(&self) -> RegionCode {
        district_of(&self.digits)
    }

    /// Female when the day field is over 40.
    pub fn sex(&self) -> Sex {
        if pair(&self.digits, 6) > FEMALE_DAY_OFFSET {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// Day of birth, 1-31 (the + 40 removed).
    pub fn birth_day(&self) -> u8 {
        let raw = pair(&self.digits, 6);
        if raw > FEMALE_DAY_OFFSET {
            raw - FEMALE_DAY_OFFSET
        } else {
            raw
        }
    }

    /// Month of birth, 1-12.
    pub fn birth_month(&self) -> u8 {
        pair(&self.digits, 8)
    }

    /// Year of birth without century, 0-99.
    pub fn birth_yy(&self) -> u8 {
        pair(&self.digits, 10)
    }

    /// The birth date in the latest century (20YY, else 19YY) that is not after `today`;
    /// `None` if neither works (29 February 2000 before that day). Someone over 100 years old
    /// is dated a century late: the NIK cannot tell, the form's birth date decides.
    pub fn birth_date(&self, today: Date) -> Option<Date> {
        latest_not_after(self.birth_day(), self.birth_month(), self.birth_yy(), today)
    }

    /// Serial, 1-9999.
    pub fn serial(&self) -> u16 {
        serial_of(&self.digits)
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&digit_text(&self.digits, 0, LEN))
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({self})")
    }
}

impl FromStr for Nik {
    type Err = Vec<Finding>;

    fn from_str(s: &str) -> Result<Nik, Vec<Finding>> {
        Nik::parse(s)
    }
}

/// Compares a NIK with the form's birth date and sex (either may be absent).
///
/// - `nik.birth_date_mismatch` (error) when day, month or two-digit year differ; params
///   `nik_date` (`DD-MM-YY` from the NIK) and `form_date` (`DD-MM-YYYY`).
/// - `nik.sex_mismatch` (error); params `nik_sex` and `form_sex` (`L` or `P`).
pub fn cross_check(nik: &Nik, birth_date: Option<Date>, sex: Option<Sex>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(date) = birth_date {
        let same = u32::from(nik.birth_day()) == date.day()
            && u32::from(nik.birth_month()) == date.month()
            && i32::from(nik.birth_yy()) == date.year().rem_euclid(100);
        if !same {
            findings.push(
                Finding::error("nik.birth_date_mismatch")
                    .with(
                        "nik_date",
                        format!(
                            "{:02}-{:02}-{:02}",
                            nik.birth_day(),
                            nik.birth_month(),
                            nik.birth_yy()
                        ),
                    )
                    .with(
                        "form_date",
                        format!("{:02}-{:02}-{:04}", date.day(), date.month(), date.year()),
                    ),
            );
        }
    }
    if let Some(form_sex) = sex.filter(|s| *s != nik.sex()) {
        findings.push(
            Finding::error("nik.sex_mismatch")
                .with("nik_sex", nik.sex().code().to_string())
                .with("form_sex", form_sex.code().to_string()),
        );
    }
    findings
}

/// Warns `nik.region_unknown` (param `district`) when the NIK's district is not in `table`.
/// Never an error: NIKs keep the prefix of a district that has since been split or renamed.
pub fn check_region(nik: &Nik, table: &RegionTable) -> Vec<Finding> {
    region_warning(nik.district(), table, "nik.region_unknown")
}

#[cfg(test)]
mod tests;
