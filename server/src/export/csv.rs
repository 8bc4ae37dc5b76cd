//! The CSV writer: RFC 4180 quoting by the `csv` crate, text that a spreadsheet would run as
//! a formula defused, several tables one after another with their title and a blank line.

use super::{Cell, ExportError, Sheet};

/// Characters that make a spreadsheet read a cell as a formula (or hide one after a control).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The text of a cell as written to CSV.
pub(super) fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) if t.starts_with(FORMULA_STARTS) => format!("'{t}"),
        Cell::Text(t) => t.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Number(x) => format!("{x:.2}"),
        Cell::Share(x) => format!("{:.1}", x * 100.0),
        Cell::Empty => String::new(),
    }
}

/// Writes the sheets; a single sheet is a plain table (header line, rows).
pub(super) fn write(sheets: &[Sheet]) -> Result<Vec<u8>, ExportError> {
    let fail = |e: csv::Error| ExportError::Csv(e.to_string());
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    let titled = sheets.len() > 1;
    for (i, sheet) in sheets.iter().enumerate() {
        if titled {
            if i > 0 {
                out.write_record([""]).map_err(fail)?;
            }
            out.write_record([cell_text(&Cell::Text(sheet.title.clone()))])
                .map_err(fail)?;
        }
        let header = sheet
            .columns
            .iter()
            .map(|c| cell_text(&Cell::Text(c.clone())));
        out.write_record(header).map_err(fail)?;
        for row in &sheet.rows {
            out.write_record(row.iter().map(cell_text)).map_err(fail)?;
        }
    }
    out.into_inner()
        .map_err(|e| ExportError::Csv(e.error().to_string()))
}
