//! Conformance of the NIK, No. KK and region-code validators with the real Kemendagri region
//! tables in `../shared/data/wilayah/` (beside the repository; never copied into it).
//!
//! Every district code of every decree year must be accepted as a NIK and No. KK prefix, and
//! every code must parse. Set `CERIA_WILAYAH_DIR` to read the tables from elsewhere (a git
//! worktree is not beside `shared/`); without the folder the tests print why and pass.

use ceria_core::validate::nik::{self, Nik};
use ceria_core::validate::nomor_kk::{self, NomorKk};
use ceria_core::validate::region::{self, RegionTable, VillageKind};
use ceria_core::{Date, RegionLevel};
use std::path::PathBuf;
use std::time::Instant;

/// The decree tables, oldest first, as `(file name, contents)`; `None` (with the reason
/// printed) when the folder is absent.
fn tables() -> Option<Vec<(String, String)>> {
    let dir = std::env::var_os("CERIA_WILAYAH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/data/wilayah"
            ))
        });
    let Ok(listing) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: region tables not found at {}", dir.display());
        return None;
    };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    // `wilayah_2016.csv` … `wilayah_2025.csv`: name order is year order.
    paths.sort();
    if paths.is_empty() {
        eprintln!("skipped: no CSV file in {}", dir.display());
        return None;
    }
    let files = paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    Some(files)
}

fn today() -> Date {
    Date::from_ymd(2026, 11, 29).unwrap()
}

#[test]
fn every_district_is_a_valid_nik_and_kk_prefix() {
    let Some(files) = tables() else { return };
    let merged = RegionTable::from_csvs(files.iter().map(|(_, csv)| csv.as_str())).unwrap();
    let mut checked = 0usize;
    for (name, csv) in &files {
        let table = RegionTable::from_csv(csv).unwrap_or_else(|e| panic!("{name}: {e}"));
        let districts: Vec<String> = table
            .iter()
            .filter(|(code, _)| code.level() == RegionLevel::District)
            .map(|(code, _)| code.to_string())
            .collect();
        assert!(!districts.is_empty(), "{name} lists no district");
        for district in &districts {
            let prefix = district.replace('.', "");
            let text = format!("{prefix}0101900001");
            let parsed = Nik::parse(&text)
                .unwrap_or_else(|e| panic!("{name}: NIK {text} of {district}: {e:?}"));
            assert_eq!(parsed.district().as_str(), district);
            assert!(
                nik::check_region(&parsed, &table).is_empty(),
                "{name}: {district}"
            );
            assert!(
                nik::check_region(&parsed, &merged).is_empty(),
                "merged: {district}"
            );

            let text = format!("{prefix}0101200001");
            let kk = NomorKk::parse(&text, today())
                .unwrap_or_else(|e| panic!("{name}: No. KK {text} of {district}: {e:?}"));
            assert!(
                nomor_kk::check_region(&kk, &table).is_empty(),
                "{name}: {district}"
            );
            checked += 1;
        }
        eprintln!(
            "{name}: {} codes, {} districts",
            table.len(),
            districts.len()
        );
    }
    eprintln!("{checked} district prefixes checked");
}

#[test]
fn every_code_of_every_year_parses_and_survives_the_merge() {
    let Some(files) = tables() else { return };
    let merged = RegionTable::from_csvs(files.iter().map(|(_, csv)| csv.as_str())).unwrap();
    for (name, csv) in &files {
        let table = RegionTable::from_csv(csv).unwrap();
        for (code, region_name) in table.iter() {
            let parsed = region::parse_code(code.as_str())
                .unwrap_or_else(|f| panic!("{name}: {code} refused: {f:?}"));
            assert_eq!(parsed, code);
            assert_eq!(
                region::parse_code(&code.as_str().replace('.', "")),
                Ok(code)
            );
            assert!(region::check_code(&code, Some(code.level()), Some(&table)).is_empty());
            assert_eq!(table.name(code.as_str()), Some(region_name));
            assert!(
                merged.contains_code(&code),
                "{name}: {code} lost in the merge"
            );
            if let Some(parent) = code.parent() {
                assert!(table.contains_code(&parent), "{name}: {code} has no parent");
            }
        }
        assert!(merged.len() >= table.len());
    }
    // Where years disagree on a name, the newest decree's wins.
    let (_, newest) = files.last().unwrap();
    let newest = RegionTable::from_csv(newest).unwrap();
    for (code, region_name) in newest.iter() {
        assert_eq!(merged.name_of(&code), Some(region_name), "{code}");
    }
}

#[test]
fn padang_pariaman_in_the_2025_table() {
    let Some(files) = tables() else { return };
    let Some((_, csv)) = files.iter().find(|(name, _)| name == "wilayah_2025.csv") else {
        eprintln!("skipped: wilayah_2025.csv not present");
        return;
    };
    let started = Instant::now();
    let table = RegionTable::from_csv(csv).unwrap();
    eprintln!(
        "wilayah_2025.csv: {} rows loaded in {:?} (this build)",
        table.len(),
        started.elapsed()
    );

    // Kemendagri 13.05, not BPS 1305 (Tanah Datar).
    assert_eq!(table.name("13.05"), Some("Kabupaten Padang Pariaman"));
    assert_eq!(table.name("1305"), Some("Kabupaten Padang Pariaman"));
    let districts: Vec<_> = table.children("13.05").collect();
    assert_eq!(districts.len(), 17, "Padang Pariaman has 17 districts");
    assert!(
        districts.windows(2).all(|w| w[0].0 < w[1].0),
        "sorted by code"
    );
    assert_eq!(
        districts.first().map(|(c, n)| (c.as_str(), *n)),
        Some(("13.05.01", "Lubuak Aluang"))
    );
    let mut villages = 0;
    for (district, _) in &districts {
        let nagari: Vec<_> = table.children(district.as_str()).collect();
        assert!(!nagari.is_empty(), "{district} has villages");
        // West Sumatra's villages outside the cities are nagari (desa, 2xxx).
        assert!(
            nagari
                .iter()
                .all(|(v, _)| v.village_kind() == Some(VillageKind::Desa))
        );
        villages += nagari.len();
    }
    eprintln!(
        "Padang Pariaman: {} districts, {villages} villages",
        districts.len()
    );
    assert_eq!(table.children("").count(), 38, "38 provinces since 2022");
}
