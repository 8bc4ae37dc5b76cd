//! Tests of the export writers: CSV quoting and formula defusing, readable workbooks, and the
//! sheets of the figures.

use super::*;
use crate::stats::{ServiceTiming, Timing, YearStats};
use ceria_core::Catalog;
use std::io::Read;

fn sheet(rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet {
        title: "Uji".into(),
        columns: vec!["A".into(), "B".into()],
        rows,
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}

fn csv_string(sheets: &[Sheet]) -> String {
    let bytes = render(sheets, Format::Csv).unwrap();
    let s = String::from_utf8(bytes).unwrap();
    s.strip_prefix('\u{feff}').expect("BOM").to_string()
}

#[test]
fn csv_quotes_and_defuses_formulas() {
    let out = csv_string(&[sheet(vec![
        vec![text("=HYPERLINK(\"http://x\",\"klik\")"), text("+62 812")],
        vec![text("-1+1"), text("@SUM(A1)")],
        vec![text("\tx"), text("Lubuk Pakam I,II")],
        vec![text("baris\nbaru"), text("kata \"kutip\"")],
        vec![Cell::Int(-5), Cell::Share(0.875)],
        vec![Cell::Number(4.5), Cell::Empty],
        vec![text("a=b"), text("13.05.01.2001")],
    ])]);
    let lines: Vec<&str> = out.trim_end().split("\r\n").collect();
    let expected = [
        "A,B",
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\",'+62 812",
        "'-1+1,'@SUM(A1)",
        "'\tx,\"Lubuk Pakam I,II\"",
        "\"baris\nbaru\",\"kata \"\"kutip\"\"\"",
        "-5,87.5",
        "4.50,",
        "a=b,13.05.01.2001",
    ];
    assert_eq!(lines, expected);
    // Read back with a CSV parser: every value survives, formulas only as text.
    let mut reader = ::csv::Reader::from_reader(out.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows[2][1], "Lubuk Pakam I,II");
    assert_eq!(rows[3][0], "baris\nbaru");
    assert!(
        rows.iter()
            .flatten()
            .all(|v| !v.starts_with(['=', '+', '-', '@']) || v == "-5")
    );
}

#[test]
fn csv_of_several_tables_has_titles_and_blank_lines() {
    let a = sheet(vec![vec![Cell::Int(1), Cell::Int(2)]]);
    let mut b = sheet(vec![]);
    b.title = "=Kedua".into();
    let out = csv_string(&[a, b]);
    assert_eq!(out, "Uji\r\nA,B\r\n1,2\r\n\"\"\r\n'=Kedua\r\nA,B\r\n");
}

/// The files of a workbook, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            files.insert(name, s);
        }
    }
    files
}

#[test]
fn xlsx_is_a_readable_workbook_without_formulas() {
    let mut second = sheet(vec![vec![text("=1+1"), Cell::Share(0.5)]]);
    second.title = "Per layanan".into();
    let bytes = render(
        &[sheet(vec![vec![text("Kasang"), Cell::Int(7)]]), second],
        Format::Xlsx,
    )
    .unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip archive");
    let files = unzip(&bytes);
    let workbook = &files["xl/workbook.xml"];
    assert!(workbook.contains("name=\"Uji\"") && workbook.contains("name=\"Per layanan\""));
    let strings = &files["xl/sharedStrings.xml"];
    assert!(strings.contains("Kasang") && strings.contains("=1+1"));
    let sheets: String = files
        .iter()
        .filter(|(name, _)| name.starts_with("xl/worksheets/"))
        .map(|(_, body)| body.as_str())
        .collect();
    assert!(!sheets.contains("<f>"), "no formula cells");
    assert!(sheets.contains("<v>7</v>") && sheets.contains("<v>0.5</v>"));
}

#[test]
fn formats_and_file_names() {
    assert_eq!(Format::from_code(" XLSX "), Some(Format::Xlsx));
    assert_eq!(Format::from_code("csv"), Some(Format::Csv));
    assert_eq!(Format::from_code("pdf"), None);
    assert_eq!(
        file_name("statistik-2026", Format::Xlsx),
        "statistik-2026.xlsx"
    );
    assert_eq!(file_name("a\"b/../c", Format::Csv), "a-b----c.csv");
}

#[test]
fn figures_become_labelled_sheets() {
    let catalog = Catalog::embedded();
    let service = catalog.services()[0].clone();
    let mut y = YearStats {
        year: 2026,
        requests: 3,
        by_month: vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2],
        ..YearStats::default()
    };
    y.by_service.insert(service.id.clone(), 3);
    y.by_village.insert("13.05.01.2001".into(), 3);
    y.by_state.insert("completed".into(), 2);
    y.by_state.insert("submitted".into(), 1);
    y.village_names
        .insert("13.05.01.2001".into(), "Kasang".into());
    y.service_names
        .insert(service.id.clone(), service.name.clone());
    let timing = Timing {
        completed: 2,
        on_time: 1,
        share_on_time: 0.5,
        mean_working_days: 4.5,
        max_working_days: 7,
    };
    y.processing.insert(
        service.id.clone(),
        ServiceTiming {
            service_days: service.service_days,
            timing: timing.clone(),
        },
    );
    y.overall = timing;
    let sheets = statistics(&y, &catalog, "id");
    let titles: Vec<&str> = sheets.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Per bulan", "Per layanan", "Per nagari", "Per status"]
    );
    assert_eq!(sheets[0].rows.len(), 13, "12 months and the total");
    assert_eq!(sheets[0].rows[11], vec![text("Desember"), Cell::Int(2)]);
    assert_eq!(sheets[0].rows[12], vec![text("Jumlah"), Cell::Int(3)]);
    let s = &sheets[1].rows[0];
    assert_eq!(s[1], text(&service.name.id));
    assert_eq!(s[6], Cell::Share(0.5));
    assert_eq!(sheets[2].rows[0][1], text("Kasang"));
    assert_eq!(sheets[3].rows.len(), 2);
    let en = statistics(&y, &catalog, "en");
    assert_eq!(en[0].columns, ["Month", "Requests"]);
    for sheet in sheets.iter().chain(&en) {
        assert!(sheet.rows.iter().all(|r| r.len() == sheet.columns.len()));
        assert!(
            sheet.columns.iter().all(|c| !c.starts_with("export.")),
            "every heading has a message: {:?}",
            sheet.columns
        );
    }
}
