//! Tests of NIK parsing and its cross-checks.

use super::*;
use crate::report::Severity;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn today() -> Date {
    d(2026, 11, 29)
}

fn codes_of(findings: &[Finding]) -> Vec<&'static str> {
    for f in findings {
        assert!(CODES.contains(&f.code), "{} missing from CODES", f.code);
    }
    findings.iter().map(|f| f.code).collect()
}

fn param<'a>(f: &'a Finding, name: &str) -> &'a str {
    f.params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .unwrap()
}

fn errors(input: &str) -> Vec<Finding> {
    Nik::parse(input).unwrap_err()
}

#[test]
fn woman_born_1990_in_lubuk_alung() {
    let nik = Nik::parse("1305014107900001").unwrap();
    assert_eq!(nik.sex(), Sex::Female);
    assert_eq!(nik.sex().code(), 'P');
    assert_eq!(
        (nik.birth_day(), nik.birth_month(), nik.birth_yy()),
        (1, 7, 90)
    );
    assert_eq!(nik.birth_date(today()), Some(d(1990, 7, 1)));
    assert_eq!(nik.province().as_str(), "13");
    assert_eq!(nik.regency().as_str(), "13.05");
    assert_eq!(nik.district().as_str(), "13.05.01");
    assert_eq!(nik.serial(), 1);
    assert_eq!(nik.to_string(), "1305014107900001");
    assert_eq!(Nik::encode(&nik.parts()), "1305014107900001");
    assert_eq!("1305014107900001".parse::<Nik>(), Ok(nik));
}

#[test]
fn man_and_last_serial() {
    let nik = Nik::parse("1371023112859999").unwrap();
    assert_eq!(nik.sex(), Sex::Male);
    assert_eq!(nik.birth_date(today()), Some(d(1985, 12, 31)));
    assert_eq!(nik.serial(), 9999);
    assert_eq!(nik.regency().as_str(), "13.71");
}

#[test]
fn leap_day_needs_a_leap_year_in_one_century() {
    let nik = Nik::parse("1305012902000001").unwrap();
    assert_eq!(
        nik.birth_date(today()),
        Some(d(2000, 2, 29)),
        "1900 was not a leap year"
    );
    assert_eq!(
        nik.birth_date(d(2000, 2, 28)),
        None,
        "not yet born, and 1900-02-29 is no date"
    );
    // Women's leap day: 29 + 40.
    assert!(Nik::parse("1305016902040001").is_ok());
    let e = errors("1305012902010001");
    assert_eq!(codes_of(&e), ["nik.birth_date"]);
    assert_eq!(param(&e[0], "digits"), "290201");
}

#[test]
fn century_is_the_latest_not_after_today() {
    let nik = Nik::parse("1305010106250001").unwrap();
    assert_eq!(nik.birth_date(d(2026, 1, 1)), Some(d(2025, 6, 1)));
    assert_eq!(nik.birth_date(d(2025, 6, 1)), Some(d(2025, 6, 1)));
    assert_eq!(nik.birth_date(d(2025, 5, 31)), Some(d(1925, 6, 1)));
}

#[test]
fn impossible_day_fields() {
    for (input, digits) in [
        ("1305010001900001", "000190"),
        ("1305013201900001", "320190"),
        ("1305014001900001", "400190"),
        ("1305017201900001", "720190"),
        ("1305019901900001", "990190"),
        ("1305013104900001", "310490"),
        ("1305017104900001", "710490"),
        ("1305013002900001", "300290"),
        ("1305010100900001", "010090"),
        ("1305010113900001", "011390"),
    ] {
        let e = errors(input);
        assert_eq!(codes_of(&e), ["nik.birth_date"], "{input}");
        assert_eq!(param(&e[0], "digits"), digits);
    }
    assert!(Nik::parse("1305017101900001").is_ok(), "71 = 31 + 40");
    assert!(Nik::parse("1305013101900001").is_ok());
}

#[test]
fn region_prefix_errors_name_the_code() {
    let e = errors("2005010101900001");
    assert_eq!(codes_of(&e), ["nik.province"]);
    assert_eq!(param(&e[0], "province"), "20");
    let e = errors("1370010101900001");
    assert_eq!(codes_of(&e), ["nik.regency"]);
    assert_eq!(param(&e[0], "regency"), "13.70");
    assert_eq!(codes_of(&errors("1300010101900001")), ["nik.regency"]);
    let e = errors("1305000101900001");
    assert_eq!(codes_of(&e), ["nik.district"]);
    assert_eq!(param(&e[0], "district"), "13.05.00");
    assert!(
        Nik::parse("9699990101900001").is_ok(),
        "highest province, a kota, district 99"
    );
}

#[test]
fn serial_zero_is_invalid() {
    assert_eq!(codes_of(&errors("1305010101900000")), ["nik.serial"]);
}

#[test]
fn independent_problems_are_all_reported() {
    let e = errors("2070003202010000");
    assert_eq!(
        codes_of(&e),
        [
            "nik.province",
            "nik.regency",
            "nik.district",
            "nik.birth_date",
            "nik.serial"
        ]
    );
    assert!(e.iter().all(|f| f.severity == Severity::Error));
}

#[test]
fn spaces_between_groups_are_accepted() {
    for input in [
        "1305 0141 0790 0001",
        " 130501 410790 0001\n",
        "\t1305014107900001 ",
    ] {
        assert_eq!(
            Nik::parse(input).unwrap().to_string(),
            "1305014107900001",
            "{input:?}"
        );
    }
}

#[test]
fn other_characters_and_lengths() {
    let e = errors("1305-0141-0790-0001");
    assert_eq!(codes_of(&e), ["nik.not_digits", "nik.length"]);
    assert_eq!(param(&e[0], "chars"), "-");
    assert_eq!(param(&e[1], "length"), "19");
    let e = errors("1305\t0141.0790.0001");
    assert_eq!(param(&e[0], "chars"), "U+0009 .");
    // Full-width and Arabic-Indic digits look like digits but are not ASCII.
    let e = errors("１３０５０１４１０７９０００01");
    assert_eq!(codes_of(&e), ["nik.not_digits"]);
    assert_eq!(codes_of(&errors("١٣٠٥٠١٤١٠٧٩٠٠٠٠١")), ["nik.not_digits"]);
    let e = errors("130501410790001");
    assert_eq!(codes_of(&e), ["nik.length"]);
    assert_eq!(param(&e[0], "length"), "15");
    assert_eq!(param(&errors("13050141079000011")[0], "length"), "17");
    assert_eq!(param(&errors("13050141079000O1")[0], "chars"), "O");
    let e = errors("abcdefghijklmnopqrstuvwxyz");
    assert_eq!(param(&e[0], "chars"), "a b c d e");
}

#[test]
fn cross_check_birth_date_and_sex() {
    let nik = Nik::parse("1305014107900001").unwrap();
    assert!(cross_check(&nik, Some(d(1990, 7, 1)), Some(Sex::Female)).is_empty());
    assert!(cross_check(&nik, None, None).is_empty());
    // Only the two-digit year is in the NIK.
    assert!(cross_check(&nik, Some(d(1890, 7, 1)), None).is_empty());
    let f = cross_check(&nik, Some(d(1991, 7, 1)), Some(Sex::Male));
    assert_eq!(
        codes_of(&f),
        ["nik.birth_date_mismatch", "nik.sex_mismatch"]
    );
    assert_eq!(param(&f[0], "nik_date"), "01-07-90");
    assert_eq!(param(&f[0], "form_date"), "01-07-1991");
    assert_eq!(param(&f[1], "nik_sex"), "P");
    assert_eq!(param(&f[1], "form_sex"), "L");
    // A man's NIK with the woman's day (41) on the form: the day differs.
    let man = Nik::parse("1305010107900001").unwrap();
    assert_eq!(
        codes_of(&cross_check(&man, Some(d(1990, 7, 2)), None)),
        ["nik.birth_date_mismatch"]
    );
    assert_eq!(
        codes_of(&cross_check(&man, Some(d(1990, 8, 1)), None)),
        ["nik.birth_date_mismatch"]
    );
}

#[test]
fn sex_codes() {
    assert_eq!(Sex::from_code("L"), Some(Sex::Male));
    assert_eq!(Sex::from_code(" p "), Some(Sex::Female));
    assert_eq!(Sex::from_code("Laki-laki"), None);
    assert_eq!(Sex::from_code(""), None);
    assert_eq!(Sex::Male.code(), 'L');
}

#[test]
fn unknown_district_is_only_a_warning() {
    let table = RegionTable::from_csv(
        "code,name\n13.05,Kabupaten Padang Pariaman\n13.05.01,Lubuak Aluang\n",
    )
    .unwrap();
    assert!(check_region(&Nik::parse("1305014107900001").unwrap(), &table).is_empty());
    let f = check_region(&Nik::parse("1305184107900001").unwrap(), &table);
    assert_eq!(codes_of(&f), ["nik.region_unknown"]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(param(&f[0], "district"), "13.05.18");
}

#[test]
fn encode_adds_forty_for_women() {
    let parts = NikParts {
        province: 13,
        regency: 5,
        district: 1,
        sex: Sex::Female,
        birth_day: 1,
        birth_month: 7,
        birth_yy: 90,
        serial: 1,
    };
    assert_eq!(Nik::encode(&parts), "1305014107900001");
    assert_eq!(
        Nik::encode(&NikParts {
            sex: Sex::Male,
            ..parts
        }),
        "1305010107900001"
    );
    assert!(
        Nik::parse(&Nik::encode(&NikParts {
            birth_day: 200,
            ..parts
        }))
        .is_err()
    );
}

fn valid_parts() -> impl Strategy<Value = NikParts> {
    (
        proptest::sample::select(region::ISSUED_PROVINCES.to_vec()),
        prop_oneof![1u8..=69, 71u8..=99],
        1u8..=99,
        any::<bool>(),
        (1u8..=31, 1u8..=12, 0u8..=99),
        1u16..=9999,
    )
        .prop_filter_map(
            "no such date",
            |(province, regency, district, female, date, serial)| {
                let (birth_day, birth_month, birth_yy) = date;
                century_dates(birth_day, birth_month, birth_yy).next()?;
                let sex = if female { Sex::Female } else { Sex::Male };
                Some(NikParts {
                    province,
                    regency,
                    district,
                    sex,
                    birth_day,
                    birth_month,
                    birth_yy,
                    serial,
                })
            },
        )
}

proptest! {
    #[test]
    fn valid_components_round_trip(parts in valid_parts()) {
        let text = Nik::encode(&parts);
        let nik = Nik::parse(&text).unwrap();
        prop_assert_eq!(nik.parts(), parts);
        prop_assert_eq!(nik.to_string(), text);
        prop_assert!(nik.birth_date(Date::MAX).is_some());
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,40}") {
        if let Err(findings) = Nik::parse(&s) {
            prop_assert!(!findings.is_empty());
            codes_of(&findings);
        }
    }

    #[test]
    fn accepted_digits_re_encode(s in "[0-9]{16}") {
        if let Ok(nik) = Nik::parse(&s) {
            prop_assert_eq!(Nik::encode(&nik.parts()), s.clone());
            prop_assert_eq!(nik.to_string(), s);
        }
    }
}

#[test]
fn pasted_no_break_spaces_separate_groups_like_spaces() {
    let typed = "1305\u{a0}0141 0790\u{202f}0001";
    assert_eq!(super::strip_separators(typed), "1305014107900001");
    assert_eq!(Nik::parse(typed).unwrap().to_string(), "1305014107900001");
}
