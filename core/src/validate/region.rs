//! Kemendagri region codes: their syntax (`PP`, `PP.KK`, `PP.KK.CC`, `PP.KK.CC.DDDD`), the
//! prefix rules shared by the NIK and the No. KK, and the region-field checks.
//!
//! The loaded name table lives in [`crate::validate::region_table`] and is re-exported here as
//! [`RegionTable`]. These are Kemendagri codes (`13.05` = Kabupaten Padang Pariaman), not the
//! statistics office's BPS codes.

use crate::catalog::source::RegionLevel;
use crate::report::Finding;
use std::fmt;

pub use crate::validate::region_table::{RegionError, RegionTable};

/// Every finding code this module can emit.
pub const CODES: &[&str] = &["region.invalid", "region.level", "region.unknown"];

/// Province codes ever issued (38 provinces as of 2025). `20` and `54` never appear in a NIK.
pub const ISSUED_PROVINCES: [u8; 38] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

/// Longest dotted code: `PP.KK.CC.DDDD`.
const MAX_CODE_LEN: usize = 13;

/// A syntactically and structurally valid Kemendagri code, kept in dotted form.
///
/// Small and `Copy`: the dotted text is stored inline, so listing a table's children does not
/// allocate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode {
    buf: [u8; MAX_CODE_LEN],
    len: u8,
}

/// What kind of village a village code names, from the first digit of its `DDDD` part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VillageKind {
    /// `1xxx`: kelurahan (urban, headed by a civil servant).
    Kelurahan,
    /// `2xxx`: desa; in West Sumatra, a nagari.
    Desa,
    /// `3xxx`: desa adat (customary village).
    DesaAdat,
}

/// Which part of a `PP KK CC` prefix is impossible (see [`check_prefix`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrefixProblem {
    /// `PP` is not a province code ever issued.
    Province,
    /// `KK` is `00` or `70` (01-69 kabupaten, 71-99 kota).
    Regency,
    /// `CC` is `00`.
    District,
}

/// The numeric parts of a code; absent parts are `None`. Only syntax is checked here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub(crate) province: u8,
    pub(crate) regency: Option<u8>,
    pub(crate) district: Option<u8>,
    pub(crate) village: Option<u16>,
}

impl Parts {
    pub(crate) fn level(&self) -> RegionLevel {
        match (self.regency, self.district, self.village) {
            (None, _, _) => RegionLevel::Province,
            (Some(_), None, _) => RegionLevel::Regency,
            (Some(_), Some(_), None) => RegionLevel::District,
            (Some(_), Some(_), Some(_)) => RegionLevel::Village,
        }
    }

    /// Reads `PP[.KK[.CC[.DDDD]]]` or the same digits without dots (2, 4, 6 or 10 digits).
    /// Dotted and undotted forms are not mixed.
    pub(crate) fn parse(s: &str) -> Option<Parts> {
        let b = s.as_bytes();
        let digits: Vec<&[u8]> = if b.contains(&b'.') {
            b.split(|&c| c == b'.').collect()
        } else {
            let widths: &[usize] = match b.len() {
                2 => &[2],
                4 => &[2, 2],
                6 => &[2, 2, 2],
                10 => &[2, 2, 2, 4],
                _ => return None,
            };
            let mut rest = b;
            let mut out = Vec::with_capacity(widths.len());
            for &w in widths {
                let (head, tail) = rest.split_at_checked(w)?;
                out.push(head);
                rest = tail;
            }
            out
        };
        let widths_ok = digits.len() <= 4
            && digits.iter().enumerate().all(|(i, part)| {
                part.len() == if i == 3 { 4 } else { 2 } && part.iter().all(u8::is_ascii_digit)
            });
        if !widths_ok {
            return None;
        }
        let num = |i: usize| -> Option<u16> {
            digits.get(i).map(|p| {
                p.iter()
                    .fold(0u16, |acc, &c| acc * 10 + u16::from(c - b'0'))
            })
        };
        let two = |i: usize| num(i).and_then(|v| u8::try_from(v).ok());
        Some(Parts {
            province: two(0)?,
            regency: two(1),
            district: two(2),
            village: num(3),
        })
    }
}

impl RegionCode {
    /// Builds the dotted text of `parts` (which must hold values of at most 2/2/2/4 digits).
    pub(crate) fn from_parts(parts: Parts) -> RegionCode {
        let mut code = RegionCode {
            buf: [0; MAX_CODE_LEN],
            len: 0,
        };
        code.push_digits(u16::from(parts.province), 2);
        for (part, width) in [
            (parts.regency.map(u16::from), 2),
            (parts.district.map(u16::from), 2),
            (parts.village, 4),
        ] {
            match part {
                Some(value) => {
                    code.push_byte(b'.');
                    code.push_digits(value, width);
                }
                None => break,
            }
        }
        code
    }

    /// The district code `PP.KK.CC` (used for NIK and No. KK prefixes).
    pub(crate) fn district_of(province: u8, regency: u8, district: u8) -> RegionCode {
        RegionCode::from_parts(Parts {
            province,
            regency: Some(regency),
            district: Some(district),
            village: None,
        })
    }

    fn push_byte(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(usize::from(self.len)) {
            *slot = b;
            self.len += 1;
        }
    }

    fn push_digits(&mut self, value: u16, width: u32) {
        for i in (0..width).rev() {
            // Each step yields one decimal digit, so the cast is lossless.
            let digit = (value / 10u16.pow(i) % 10) as u8;
            self.push_byte(b'0' + digit);
        }
    }

    pub(crate) fn parts(&self) -> Parts {
        // A stored code is always valid syntax; the fallback is unreachable but panic-free.
        Parts::parse(self.as_str()).unwrap_or(Parts {
            province: 0,
            regency: None,
            district: None,
            village: None,
        })
    }

    /// The dotted code, e.g. `13.05.01`.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(..usize::from(self.len)).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Province, regency/city, district or village.
    pub fn level(&self) -> RegionLevel {
        match self.len {
            2 => RegionLevel::Province,
            5 => RegionLevel::Regency,
            8 => RegionLevel::District,
            _ => RegionLevel::Village,
        }
    }

    /// The enclosing region (`13.05.01` -> `13.05`); `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let mut parts = self.parts();
        if parts.village.take().is_none() && parts.district.take().is_none() {
            parts.regency.take()?;
        }
        Some(RegionCode::from_parts(parts))
    }

    /// The village kind for a village code; `None` at the other levels.
    pub fn village_kind(&self) -> Option<VillageKind> {
        match self.parts().village? / 1000 {
            1 => Some(VillageKind::Kelurahan),
            2 => Some(VillageKind::Desa),
            3 => Some(VillageKind::DesaAdat),
            _ => None,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

/// Checks a `PP KK CC` prefix: province ever issued, regency 01-69 or 71-99, district 01-99.
/// Returns every impossible part (empty when the prefix is well-formed). Shared by the NIK, the
/// No. KK and [`parse_code`] so the three agree on what a region prefix may be.
pub fn check_prefix(province: u8, regency: u8, district: u8) -> Vec<PrefixProblem> {
    let mut problems = Vec::new();
    if !ISSUED_PROVINCES.contains(&province) {
        problems.push(PrefixProblem::Province);
    }
    if !matches!(regency, 1..=69 | 71..=99) {
        problems.push(PrefixProblem::Regency);
    }
    if !(1..=99).contains(&district) {
        problems.push(PrefixProblem::District);
    }
    problems
}

/// Parses a region code typed or stored in a form: dotted (`13.05.01`) or undotted 2, 4, 6 or
/// 10 digits (`130501`), normalised to dotted. Surrounding whitespace is ignored.
///
/// The province must be one ever issued, the regency 01-69 or 71-99, the district 01-99 and a
/// village number must start with 1, 2 or 3; otherwise `region.invalid` (param `code`).
/// Whether the code exists is a separate, table-based check ([`check_code`]).
pub fn parse_code(input: &str) -> Result<RegionCode, Finding> {
    let text = input.trim();
    let invalid = || Finding::error("region.invalid").with("code", clip(text));
    let parts = Parts::parse(text).ok_or_else(invalid)?;
    // Absent parts take a valid placeholder so one prefix rule serves every level.
    let prefix_ok = check_prefix(
        parts.province,
        parts.regency.unwrap_or(1),
        parts.district.unwrap_or(1),
    )
    .is_empty()
        && parts.village.is_none_or(|v| (1..=3).contains(&(v / 1000)));
    if prefix_ok {
        Ok(RegionCode::from_parts(parts))
    } else {
        Err(invalid())
    }
}

/// The region-field checks after parsing: `region.level` (error; params `expected`, `actual`
/// as lower-case level names `province`, `regency`, `district`, `village`) when the code is at
/// another level than the field wants, and `region.unknown` (warning; param `code`) when a
/// table is given and does not list the code.
pub fn check_code(
    code: &RegionCode,
    expected: Option<RegionLevel>,
    table: Option<&RegionTable>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(want) = expected.filter(|want| *want != code.level()) {
        findings.push(
            Finding::error("region.level")
                .with("expected", level_name(want))
                .with("actual", level_name(code.level())),
        );
    }
    if table.is_some_and(|t| !t.contains_code(code)) {
        findings.push(Finding::warning("region.unknown").with("code", code.as_str()));
    }
    findings
}

/// The level's name as in the catalog file (`district`).
pub fn level_name(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "province",
        RegionLevel::Regency => "regency",
        RegionLevel::District => "district",
        RegionLevel::Village => "village",
    }
}

/// At most 20 characters of what a person typed, for a message parameter.
fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(20).collect();
    if text.chars().nth(20).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> RegionCode {
        parse_code(s).unwrap()
    }

    #[test]
    fn parses_every_level_dotted_and_undotted() {
        for (input, dotted, level) in [
            ("13", "13", RegionLevel::Province),
            ("13.05", "13.05", RegionLevel::Regency),
            ("1305", "13.05", RegionLevel::Regency),
            ("13.05.01", "13.05.01", RegionLevel::District),
            (" 130501 ", "13.05.01", RegionLevel::District),
            ("13.05.01.2001", "13.05.01.2001", RegionLevel::Village),
            ("1305012001", "13.05.01.2001", RegionLevel::Village),
            ("13.71.01.1001", "13.71.01.1001", RegionLevel::Village),
        ] {
            let c = code(input);
            assert_eq!(c.as_str(), dotted, "{input}");
            assert_eq!(c.to_string(), dotted);
            assert_eq!(c.level(), level, "{input}");
        }
    }

    #[test]
    fn rejects_bad_syntax_and_impossible_parts() {
        for bad in [
            "",
            "1",
            "130",
            "13.5",
            "13.05.1",
            "13.05.01.201",
            "13.05.01.20011",
            "13.05.01.2001.1",
            "1305.01",
            "13..05",
            ".13",
            "13.",
            "13-05",
            "１３",
            "13.05.01.2001x",
            "20",
            "54",
            "13.00",
            "13.70",
            "13.05.00",
            "13.05.01.0001",
            "13.05.01.4001",
            "13050120",
        ] {
            let f = parse_code(bad).unwrap_err();
            assert_eq!(f.code, "region.invalid", "{bad:?}");
            assert_eq!(f.severity, crate::Severity::Error);
        }
    }

    #[test]
    fn invalid_code_param_is_clipped() {
        let f = parse_code(&"9".repeat(100)).unwrap_err();
        let (_, shown) = f.params.iter().find(|(k, _)| *k == "code").unwrap();
        assert_eq!(shown.chars().count(), 21);
    }

    #[test]
    fn parent_walks_up_to_the_province() {
        let v = code("13.05.01.2001");
        let d = v.parent().unwrap();
        assert_eq!(d.as_str(), "13.05.01");
        let r = d.parent().unwrap();
        assert_eq!(r.as_str(), "13.05");
        let p = r.parent().unwrap();
        assert_eq!(p.as_str(), "13");
        assert_eq!(p.parent(), None);
    }

    #[test]
    fn village_kind_from_first_digit() {
        assert_eq!(
            code("13.71.01.1001").village_kind(),
            Some(VillageKind::Kelurahan)
        );
        assert_eq!(
            code("13.05.01.2001").village_kind(),
            Some(VillageKind::Desa)
        );
        assert_eq!(
            code("51.03.01.3001").village_kind(),
            Some(VillageKind::DesaAdat)
        );
        assert_eq!(code("13.05.01").village_kind(), None);
    }

    #[test]
    fn prefix_rules() {
        assert!(check_prefix(13, 5, 1).is_empty());
        assert!(check_prefix(96, 99, 99).is_empty());
        assert!(check_prefix(21, 71, 1).is_empty());
        assert_eq!(check_prefix(20, 5, 1), vec![PrefixProblem::Province]);
        assert_eq!(check_prefix(13, 70, 1), vec![PrefixProblem::Regency]);
        assert_eq!(check_prefix(13, 0, 1), vec![PrefixProblem::Regency]);
        assert_eq!(check_prefix(13, 5, 0), vec![PrefixProblem::District]);
        assert_eq!(
            check_prefix(0, 70, 0),
            vec![
                PrefixProblem::Province,
                PrefixProblem::Regency,
                PrefixProblem::District
            ]
        );
        for p in [10, 22, 30, 37, 50, 54, 60, 66, 70, 77, 80, 83, 90, 97, 99] {
            assert_eq!(check_prefix(p, 1, 1), vec![PrefixProblem::Province], "{p}");
        }
    }

    #[test]
    fn check_code_level_and_table() {
        let table =
            RegionTable::from_csv("code,name\n13,Sumatera Barat\n13.05,Padang Pariaman\n").unwrap();
        let regency = code("13.05");
        assert!(check_code(&regency, Some(RegionLevel::Regency), Some(&table)).is_empty());
        let f = check_code(&regency, Some(RegionLevel::District), None);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "region.level");
        assert_eq!(
            f[0].params,
            vec![
                ("expected", "district".to_string()),
                ("actual", "regency".to_string())
            ]
        );
        let f = check_code(&code("13.05.01"), None, Some(&table));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "region.unknown");
        assert_eq!(f[0].severity, crate::Severity::Warning);
        assert!(CODES.contains(&f[0].code));
    }

    proptest! {
        #[test]
        fn parse_code_never_panics(s in "\\PC{0,20}") {
            let _ = parse_code(&s);
        }

        #[test]
        fn dotted_round_trip(
            pp in proptest::sample::select(ISSUED_PROVINCES.to_vec()),
            kk in prop_oneof![1u8..=69, 71u8..=99],
            cc in 1u8..=99,
            v in 1000u16..=3999,
        ) {
            let text = format!("{pp:02}.{kk:02}.{cc:02}.{v:04}");
            let c = parse_code(&text).unwrap();
            prop_assert_eq!(c.as_str(), text.as_str());
            prop_assert_eq!(parse_code(&text.replace('.', "")).unwrap(), c);
            let d = c.parent().unwrap();
            prop_assert_eq!(d, RegionCode::district_of(pp, kk, cc));
            prop_assert_eq!(parse_code(d.as_str()).unwrap(), d);
        }
    }
}
