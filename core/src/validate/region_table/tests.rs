//! Tests of the region table: CSV import, lookups and the compact encoding.

use super::*;
use proptest::prelude::*;

const SAMPLE: &str = "\u{feff}code,name\r\n\
    13,Sumatera Barat\r\n\
    13.05,Kabupaten Padang Pariaman\r\n\
    13.05.02,Batang Anai\r\n\
    13.05.01,Lubuak Aluang\r\n\
    13.05.01.2001,Pasa Lubuak Aluang\r\n\
    \r\n\
    13.71,Kota Padang\r\n\
    12.07.28.1007,\"Lubuk Pakam I,II\"\r\n\
    12,\"Sumatera \"\"Utara\"\"\"\r\n";

fn codes<'a>(it: impl Iterator<Item = (RegionCode, &'a str)>) -> Vec<String> {
    it.map(|(c, _)| c.to_string()).collect()
}

#[test]
fn loads_bom_crlf_quotes_and_blank_lines() {
    let t = RegionTable::from_csv(SAMPLE).unwrap();
    assert_eq!(t.len(), 8);
    assert_eq!(t.name("13.05"), Some("Kabupaten Padang Pariaman"));
    assert_eq!(t.name("1305"), Some("Kabupaten Padang Pariaman"));
    assert_eq!(t.name(" 13.05.01 "), Some("Lubuak Aluang"));
    assert_eq!(t.name("12.07.28.1007"), Some("Lubuk Pakam I,II"));
    assert_eq!(t.name("12"), Some("Sumatera \"Utara\""));
    assert_eq!(t.name("13.05.03"), None);
    assert_eq!(t.name("not a code"), None);
    assert!(t.contains("13.71"));
    assert!(!t.contains("13.72"));
    let all = codes(t.iter());
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "iteration follows the dotted order");
}

#[test]
fn children_are_direct_and_sorted() {
    let t = RegionTable::from_csv(SAMPLE).unwrap();
    assert_eq!(codes(t.children("")), ["12", "13"]);
    assert_eq!(codes(t.children("13")), ["13.05", "13.71"]);
    assert_eq!(codes(t.children("13.05")), ["13.05.01", "13.05.02"]);
    assert_eq!(codes(t.children("130501")), ["13.05.01.2001"]);
    assert_eq!(
        t.children("13.05").next().map(|(_, n)| n),
        Some("Lubuak Aluang")
    );
    assert_eq!(t.children("13.05.01.2001").count(), 0);
    assert_eq!(t.children("13.06").count(), 0);
    assert_eq!(t.children("13.0").count(), 0);
    // A village whose district is not listed is not a child of the regency.
    assert_eq!(codes(t.children("12.07")), Vec::<String>::new());
}

#[test]
fn header_is_required() {
    let e = RegionTable::from_csv("").unwrap_err();
    assert_eq!(
        e,
        RegionError::Header {
            found: String::new()
        }
    );
    let e = RegionTable::from_csv("13,Sumatera Barat\n").unwrap_err();
    assert_eq!(
        e,
        RegionError::Header {
            found: "13,Sumatera Barat".into()
        }
    );
    assert!(RegionTable::from_csv(" Code , Name \n").unwrap().is_empty());
}

#[test]
fn bad_rows_name_their_line() {
    let cases = [
        ("code,name\n13,A\n13.05\n", 3, RowProblem::FieldCount(1)),
        ("code,name\n13,A,B\n", 2, RowProblem::FieldCount(3)),
        ("code,name\n\n1.3,A\n", 3, RowProblem::Code("1.3".into())),
        ("code,name\r\n13,  \r\n", 2, RowProblem::EmptyName),
        ("code,name\n13,\"Sumatera\n", 2, RowProblem::Unterminated),
        (
            "code,name\n13,\"Sumatera\" Barat\n",
            2,
            RowProblem::AfterQuote,
        ),
    ];
    for (csv, line, problem) in cases {
        assert_eq!(
            RegionTable::from_csv(csv).unwrap_err(),
            RegionError::Row { line, problem },
            "{csv:?}"
        );
    }
}

#[test]
fn duplicate_codes_are_rejected_with_both_lines() {
    let e = RegionTable::from_csv("code,name\n13.05,A\n13,B\n1305,C\n").unwrap_err();
    assert_eq!(
        e,
        RegionError::Duplicate {
            code: "13.05".into(),
            first_line: 2,
            line: 4
        }
    );
    assert!(e.to_string().contains("line 4"));
}

#[test]
fn rows_build_the_same_table_as_the_csv() {
    let csv = "code,name\n13,Sumatera Barat\n13.05,Padang Pariaman\n13.05.01,Lubuak Aluang\n";
    let from_csv = RegionTable::from_csv(csv).unwrap();
    let pairs: Vec<(RegionCode, String)> =
        from_csv.iter().map(|(c, n)| (c, n.to_string())).collect();
    let texts: Vec<(String, &str)> = pairs
        .iter()
        .rev()
        .map(|(c, n)| (c.to_string(), n.as_str()))
        .collect();
    let from_rows = RegionTable::from_rows(texts.iter().map(|(c, n)| (c.as_str(), *n))).unwrap();
    let again: Vec<(RegionCode, String)> =
        from_rows.iter().map(|(c, n)| (c, n.to_string())).collect();
    assert_eq!(again, pairs);
    assert!(matches!(
        RegionTable::from_rows([("13", "A"), ("13.5", "B")]),
        Err(RegionError::Row {
            line: 2,
            problem: RowProblem::Code(_)
        })
    ));
    assert!(matches!(
        RegionTable::from_rows([("13", "A"), ("13", "B")]),
        Err(RegionError::Duplicate {
            first_line: 1,
            line: 2,
            ..
        })
    ));
}

#[test]
fn merge_keeps_old_codes_and_prefers_new_names() {
    let old = "code,name\n13.05,Padang Pariaman\n13.05.01,Lubuk Alung\n13.05.99,Hapus\n";
    let new = "code,name\n13.05,Kabupaten Padang Pariaman\n13.05.01,Lubuak Aluang\n\
               13.05.17,Anam Lingkuang\n";
    let t = RegionTable::from_csvs([old, new]).unwrap();
    assert_eq!(t.len(), 4);
    assert_eq!(t.name("13.05.01"), Some("Lubuak Aluang"));
    assert_eq!(t.name("13.05.99"), Some("Hapus"));
    assert_eq!(
        codes(t.children("13.05")),
        ["13.05.01", "13.05.17", "13.05.99"]
    );
    let e = RegionTable::from_csvs([old, "code,name\nxx,A\n"]).unwrap_err();
    assert!(matches!(e, RegionError::InTable { index: 1, .. }), "{e}");
}

#[test]
fn keys_round_trip_and_sort_like_text() {
    let texts = [
        "11",
        "11.01",
        "11.01.01",
        "11.01.01.2001",
        "11.01.99",
        "11.02",
        "96.99",
    ];
    let keys: Vec<u64> = texts
        .iter()
        .map(|t| key_of(&Parts::parse(t).unwrap()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    for (t, k) in texts.iter().zip(keys) {
        assert_eq!(RegionCode::from_parts(parts_of(k)).as_str(), *t);
    }
}

proptest! {
    #[test]
    fn from_csv_never_panics(s in "(code,name\n)?[0-9.,\"\r\n a-z]{0,80}") {
        let _ = RegionTable::from_csv(&s);
    }

    #[test]
    fn loaded_rows_are_found(rows in proptest::collection::btree_map(
        (11u8..=96, 1u8..=99, 1u8..=99), "[A-Za-z][A-Za-z ,\"]{0,11}", 0..30,
    )) {
        let mut csv = String::from("code,name\n");
        for ((p, k, c), name) in &rows {
            csv.push_str(&format!("{p:02}.{k:02}.{c:02},\"{}\"\n", name.replace('"', "\"\"")));
        }
        let t = RegionTable::from_csv(&csv).unwrap();
        prop_assert_eq!(t.len(), rows.len());
        for ((p, k, c), name) in &rows {
            let code = format!("{p:02}.{k:02}.{c:02}");
            prop_assert_eq!(t.name(&code), Some(name.trim()));
        }
    }
}
