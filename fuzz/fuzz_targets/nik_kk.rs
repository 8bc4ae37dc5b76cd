//! NIK and No. KK parsing (every identity number a person types, on the phone and on the
//! server) and the region codes inside them: any text through `Nik::parse`,
//! `NomorKk::parse` and `region::parse_code`.
//!
//! Beyond "no panic": an accepted number prints as its 16 digits, parses again to itself,
//! and (NIK) rebuilds from its parts; the checks that use an accepted number (birth date,
//! cross-check, region table) run.

#![no_main]

use ceria_core::RegionTable;
use ceria_core::validate::nik::{self, Nik};
use ceria_core::validate::nomor_kk::{self, NomorKk};
use ceria_core::validate::region;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// A few rows of the 2025 decree around Padang Pariaman, for the region-table checks.
static REGIONS: LazyLock<RegionTable> = LazyLock::new(|| {
    RegionTable::from_rows([
        ("13", "Sumatera Barat"),
        ("13.05", "Padang Pariaman"),
        ("13.05.01", "Batang Anai"),
        ("13.05.17", "V Koto Kampung Dalam"),
        ("13.05.01.2001", "Kasang"),
    ])
    .expect("the fixed rows form a table")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = ceria_fuzz::today();
    if let Ok(nik) = Nik::parse(text) {
        let digits = nik.to_string();
        assert!(digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(Nik::parse(&digits).ok(), Some(nik));
        assert_eq!(Nik::encode(&nik.parts()), digits);
        let birth = nik.birth_date(today);
        let _ = nik::cross_check(&nik, birth, Some(nik.sex()));
        let _ = nik::check_region(&nik, &REGIONS);
        let _ = (nik.province(), nik.regency(), nik.district(), nik.serial());
    }
    if let Ok(kk) = NomorKk::parse(text, today) {
        let digits = kk.to_string();
        assert!(digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(NomorKk::parse(&digits, today).ok(), Some(kk));
        assert!(kk.date() <= today);
        let _ = nomor_kk::check_region(&kk, &REGIONS);
    }
    if let Ok(code) = region::parse_code(text) {
        assert_eq!(region::parse_code(code.as_str()).ok(), Some(code));
        let _ = (code.level(), code.parent(), code.village_kind());
    }
});
