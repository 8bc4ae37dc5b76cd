//! The XLSX writer (`rust_xlsxwriter`): one worksheet per sheet, a bold frozen header row,
//! shares as percentages, columns fitted to their contents.

use super::{Cell, ExportError, Sheet};
use rust_xlsxwriter::{Format, Workbook};

/// Longest worksheet name Excel accepts.
const MAX_SHEET_NAME: usize = 31;

/// A worksheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let base: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(MAX_SHEET_NAME)
        .collect();
    let base = base.trim().trim_matches('\'').to_string();
    let base = if base.is_empty() {
        "Sheet".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" {n}");
        let keep = MAX_SHEET_NAME.saturating_sub(suffix.len());
        name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    name
}

/// Writes the sheets as a workbook.
pub(super) fn write(sheets: &[Sheet]) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let decimals = Format::new().set_num_format("0.00");
    let mut names = Vec::new();
    for sheet in sheets {
        let name = sheet_name(&sheet.title, &names);
        let ws = workbook.add_worksheet();
        ws.set_name(&name)?;
        names.push(name);
        for (col, heading) in sheet.columns.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, heading, &bold)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (col, cell) in row.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, col, t)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number(r, col, *n as f64)?;
                    }
                    Cell::Number(x) => {
                        ws.write_number_with_format(r, col, *x, &decimals)?;
                    }
                    Cell::Share(x) => {
                        ws.write_number_with_format(r, col, *x, &percent)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofit();
    }
    if sheets.is_empty() {
        workbook.add_worksheet();
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        assert_eq!(sheet_name("Per bulan", &[]), "Per bulan");
        assert_eq!(sheet_name("a/b:c", &[]), "a b c");
        assert_eq!(sheet_name("", &[]), "Sheet");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &[]).chars().count(), 31);
        let taken = vec!["Per bulan".to_string()];
        assert_eq!(sheet_name("per bulan", &taken), "per bulan 2");
        let taken = vec!["x".repeat(31)];
        assert_eq!(sheet_name(&long, &taken), format!("{} 2", "x".repeat(29)));
    }
}
