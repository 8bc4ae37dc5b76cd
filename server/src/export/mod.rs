//! Files a registry hands to its regent: the request list and the yearly figures as CSV and
//! XLSX. The figures and the list are built once as [`Sheet`]s (labels from the catalog's
//! messages, in the reader's language) and written by one writer per format.
//!
//! A text cell never becomes a formula: XLSX cells are written as strings, and CSV text that
//! a spreadsheet would run (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
//! leading apostrophe (OWASP "CSV injection").

mod csv;
mod reports;
mod xlsx;

pub use reports::{MAX_EXPORT_ROWS, RequestFilter, month_name, request_list, statistics};

/// A file format of the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values, UTF-8 with a byte-order mark (so spreadsheets read it as UTF-8).
    Csv,
    /// An Office Open XML workbook, one worksheet per sheet.
    Xlsx,
}

impl Format {
    /// `csv` or `xlsx`.
    pub fn from_code(code: &str) -> Option<Format> {
        match code.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type to serve the file with.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, written as text (never as a formula).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number with decimals.
    Number(f64),
    /// A share between 0 and 1, shown as a percentage.
    Share(f64),
    /// Nothing.
    Empty,
}

/// A table with a title and column headings.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Title: the worksheet name in XLSX, a heading line in a CSV of several tables.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// Why a file could not be written (only a bug or memory exhaustion: the input is ours).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook writer failed.
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("csv: {0}")]
    Csv(String),
}

/// Writes `sheets` as one file.
pub fn render(sheets: &[Sheet], format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Csv => csv::write(sheets),
        Format::Xlsx => xlsx::write(sheets),
    }
}

/// A download name such as `statistik-2026.xlsx` (ASCII, no path or quote characters).
pub fn file_name(stem: &str, format: Format) -> String {
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{stem}.{}", format.extension())
}

#[cfg(test)]
mod tests;
