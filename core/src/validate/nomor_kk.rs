//! The No. KK (Nomor Kartu Keluarga), the 16-digit family-card number `PP KK CC DDMMYY SSSS`:
//! the district of issue, the date the family record was entered (no + 40) and a serial.
//!
//! Unlike a NIK, a No. KK changes whenever the family does (a move, a new head, a divorce), so
//! its date is when the current record was made and cannot be in the future. The layout
//! checks are the NIK's ([`crate::validate::nik`]) with `kk.` codes.

use crate::report::Finding;
use crate::validate::date::Date;
use crate::validate::nik::{
    LEN, NumberCodes, digit_text, district_of, latest_not_after, pair, prefix_findings,
    province_of, read_digits, regency_of, region_warning, serial_of,
};
use crate::validate::region::{RegionCode, RegionTable};
use std::fmt;

/// Every finding code this module can emit.
pub const CODES: &[&str] = &[
    "kk.length",
    "kk.not_digits",
    "kk.province",
    "kk.regency",
    "kk.district",
    "kk.date",
    "kk.serial",
    "kk.region_unknown",
];

const KK_CODES: NumberCodes = NumberCodes {
    length: "kk.length",
    not_digits: "kk.not_digits",
    province: "kk.province",
    regency: "kk.regency",
    district: "kk.district",
};

/// A structurally valid No. KK.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NomorKk {
    /// Digit values 0-9.
    digits: [u8; LEN],
    /// The record date, century resolved.
    date: Date,
}

impl NomorKk {
    /// Parses a No. KK. Surrounding whitespace and ASCII spaces between digit groups are
    /// ignored. The `DDMMYY` date takes the latest century (20YY, else 19YY) that is a real
    /// date not after `today`.
    ///
    /// Errors list every independent problem: `kk.not_digits` (param `chars`) and
    /// `kk.length` (param `length`) first; when the text is 16 digits, any of `kk.province`
    /// (`province`), `kk.regency` (`regency`), `kk.district` (`district`), `kk.date`
    /// (`digits`: the `DDMMYY` part, no real date up to today) and `kk.serial` (`0000`).
    pub fn parse(input: &str, today: Date) -> Result<NomorKk, Vec<Finding>> {
        let digits = read_digits(input, &KK_CODES)?;
        let mut findings = prefix_findings(&digits, &KK_CODES);
        let date = latest_not_after(pair(&digits, 6), pair(&digits, 8), pair(&digits, 10), today);
        if date.is_none() {
            findings.push(Finding::error("kk.date").with("digits", digit_text(&digits, 6, 12)));
        }
        if serial_of(&digits) == 0 {
            findings.push(Finding::error("kk.serial"));
        }
        match date {
            Some(date) if findings.is_empty() => Ok(NomorKk { digits, date }),
            _ => Err(findings),
        }
    }

    /// The province of issue, e.g. `13`.
    pub fn province(&self) -> RegionCode {
        province_of(&self.digits)
    }

    /// The regency or city of issue, e.g. `13.05`.
    pub fn regency(&self) -> RegionCode {
        regency_of(&self.digits)
    }

    /// The district of issue, e.g. `13.05.01`.
    pub fn district(&self) -> RegionCode {
        district_of(&self.digits)
    }

    /// The date the family record was entered.
    pub fn date(&self) -> Date {
        self.date
    }

    /// Serial, 1-9999.
    pub fn serial(&self) -> u16 {
        serial_of(&self.digits)
    }
}

impl fmt::Display for NomorKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&digit_text(&self.digits, 0, LEN))
    }
}

impl fmt::Debug for NomorKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NomorKk({self}, {})", self.date)
    }
}

/// Warns `kk.region_unknown` (param `district`) when the district of issue is not in `table`.
/// Never an error: older cards keep the code of a district that has since been split.
pub fn check_region(kk: &NomorKk, table: &RegionTable) -> Vec<Finding> {
    region_warning(kk.district(), table, "kk.region_unknown")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Severity;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    fn today() -> Date {
        d(2026, 11, 29)
    }

    fn errors(input: &str) -> Vec<Finding> {
        let e = NomorKk::parse(input, today()).unwrap_err();
        for f in &e {
            assert!(CODES.contains(&f.code), "{} missing from CODES", f.code);
            assert_eq!(f.severity, Severity::Error);
        }
        e
    }

    fn codes(input: &str) -> Vec<&'static str> {
        errors(input).iter().map(|f| f.code).collect()
    }

    fn param(f: &Finding, name: &str) -> String {
        f.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    #[test]
    fn family_record_of_2015_in_lubuk_alung() {
        let kk = NomorKk::parse("1305 0120 0115 0003", today()).unwrap();
        assert_eq!(kk.to_string(), "1305012001150003");
        assert_eq!(kk.date(), d(2015, 1, 20));
        assert_eq!(kk.serial(), 3);
        assert_eq!(kk.province().as_str(), "13");
        assert_eq!(kk.regency().as_str(), "13.05");
        assert_eq!(kk.district().as_str(), "13.05.01");
    }

    #[test]
    fn date_century_is_the_latest_not_after_today() {
        let on = |input: &str, today: Date| NomorKk::parse(input, today).map(|k| k.date());
        assert_eq!(
            on("1305012911260001", today()),
            Ok(d(2026, 11, 29)),
            "entered today"
        );
        assert_eq!(
            on("1305013011260001", today()),
            Ok(d(1926, 11, 30)),
            "20YY is future"
        );
        assert_eq!(on("1305011503990001", today()), Ok(d(1999, 3, 15)));
        assert_eq!(on("1305012902000001", today()), Ok(d(2000, 2, 29)));
        let e = NomorKk::parse("1305012902000001", d(2000, 2, 28)).unwrap_err();
        assert_eq!(e.iter().map(|f| f.code).collect::<Vec<_>>(), ["kk.date"]);
    }

    #[test]
    fn impossible_dates() {
        for (input, digits) in [
            ("1305012902010001", "290201"),
            ("1305014101150001", "410115"),
            ("1305010001150001", "000115"),
            ("1305013104150001", "310415"),
            ("1305010113150001", "011315"),
        ] {
            let e = errors(input);
            assert_eq!(
                e.iter().map(|f| f.code).collect::<Vec<_>>(),
                ["kk.date"],
                "{input}"
            );
            assert_eq!(param(&e[0], "digits"), digits);
        }
    }

    #[test]
    fn prefix_and_serial_errors() {
        let e = errors("2005012001150003");
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].code, param(&e[0], "province")),
            ("kk.province", "20".into())
        );
        let e = errors("1370012001150003");
        assert_eq!(
            (e[0].code, param(&e[0], "regency")),
            ("kk.regency", "13.70".into())
        );
        let e = errors("1305002001150003");
        assert_eq!(
            (e[0].code, param(&e[0], "district")),
            ("kk.district", "13.05.00".into())
        );
        assert_eq!(codes("1305012001150000"), ["kk.serial"]);
        assert_eq!(
            codes("2070004101010000"),
            [
                "kk.province",
                "kk.regency",
                "kk.district",
                "kk.date",
                "kk.serial"
            ]
        );
    }

    #[test]
    fn characters_and_length() {
        let e = errors("1305-0120-0115-0003");
        assert_eq!(
            e.iter().map(|f| f.code).collect::<Vec<_>>(),
            ["kk.not_digits", "kk.length"]
        );
        assert_eq!(param(&e[0], "chars"), "-");
        assert_eq!(param(&e[1], "length"), "19");
        assert_eq!(codes("130501200115003"), ["kk.length"]);
        assert_eq!(codes("١٣٠٥٠١٢٠٠١١٥٠٠٠٣"), ["kk.not_digits"]);
    }

    #[test]
    fn unknown_district_is_only_a_warning() {
        let table = RegionTable::from_csv("code,name\n13.05.01,Lubuak Aluang\n").unwrap();
        let kk = NomorKk::parse("1305012001150003", today()).unwrap();
        assert!(check_region(&kk, &table).is_empty());
        let kk = NomorKk::parse("1305182001150003", today()).unwrap();
        let f = check_region(&kk, &table);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "kk.region_unknown");
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(param(&f[0], "district"), "13.05.18");
        assert!(CODES.contains(&f[0].code));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}|[0-9 ]{14,20}") {
            match NomorKk::parse(&s, today()) {
                Ok(kk) => {
                    prop_assert_eq!(kk.to_string(), s.replace(' ', "").trim().to_string());
                    prop_assert!(kk.date() <= today());
                }
                Err(findings) => prop_assert!(!findings.is_empty()),
            }
        }
    }
}
