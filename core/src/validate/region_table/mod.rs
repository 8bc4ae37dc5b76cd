//! The region table: Kemendagri code -> name, loaded from the `code,name` CSV files of the
//! region decrees (`wilayah_2025.csv` has about 91,000 rows).
//!
//! Memory matters on phones, so a table is one string holding every name plus a sorted array
//! of 16-byte entries (numeric key, name offset, name length): 2.3 MB for the 2025 table,
//! with lookups by binary search. The numeric key sorts exactly like the dotted code, so a
//! region's descendants are one contiguous run of the array.

use crate::catalog::source::RegionLevel;
use crate::validate::region::{Parts, RegionCode};
use std::borrow::Cow;
use std::fmt;

/// A loaded region table (code -> name), e.g. from `wilayah_2025.csv`; immutable once built.
#[derive(Clone, Default)]
pub struct RegionTable {
    /// Sorted by `key`, keys unique.
    entries: Vec<Entry>,
    /// Every name, back to back; entries point into it.
    names: String,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    start: u32,
    len: u32,
}

/// Why a region table could not be loaded. Not shown to citizens: it names the file line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// The first non-blank line is not the `code,name` header.
    #[error("region table: expected the header `code,name`, found `{found}`")]
    Header {
        /// The line found instead (at most 40 characters).
        found: String,
    },
    /// A data row is malformed.
    #[error("region table line {line}: {problem}")]
    Row {
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong with it.
        problem: RowProblem,
    },
    /// The same code appears twice in one file.
    #[error("region table line {line}: code {code} already given on line {first_line}")]
    Duplicate {
        /// The repeated code, dotted.
        code: String,
        /// 1-based line of its first appearance.
        first_line: usize,
        /// 1-based line of the repeat.
        line: usize,
    },
    /// The names add up to more than 4 GiB; no real table comes near.
    #[error("region table too large")]
    TooLarge,
    /// An error in one of several files given to [`RegionTable::from_csvs`].
    #[error("region table #{index}: {error}")]
    InTable {
        /// 0-based position of the file in the list.
        index: usize,
        /// The error in that file.
        error: Box<RegionError>,
    },
}

/// What is wrong with one row of a region CSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    /// Not exactly two fields.
    #[error("expected 2 fields `code,name`, found {0}")]
    FieldCount(usize),
    /// The code is not `PP`, `PP.KK`, `PP.KK.CC` or `PP.KK.CC.DDDD` (or the same undotted).
    #[error("`{0}` is not a region code")]
    Code(String),
    /// The name is blank.
    #[error("the name is empty")]
    EmptyName,
    /// A quoted field has no closing quote.
    #[error("a quoted field is not closed")]
    Unterminated,
    /// Something other than a comma follows a closing quote.
    #[error("text after a closing quote")]
    AfterQuote,
}

const REGENCY_SPAN: u64 = 101;
const DISTRICT_SPAN: u64 = 101;
const VILLAGE_SPAN: u64 = 10_001;

/// The sort key of a code: each part + 1 (0 = absent), so a parent sorts right before its
/// descendants, like the dotted text does.
fn key_of(parts: &Parts) -> u64 {
    let two = |v: Option<u8>| v.map_or(0, |x| u64::from(x) + 1);
    let village = parts.village.map_or(0, |v| u64::from(v) + 1);
    ((u64::from(parts.province) * REGENCY_SPAN + two(parts.regency)) * DISTRICT_SPAN
        + two(parts.district))
        * VILLAGE_SPAN
        + village
}

/// Inverse of [`key_of`] for keys it produced.
fn parts_of(key: u64) -> Parts {
    let village = key % VILLAGE_SPAN;
    let rest = key / VILLAGE_SPAN;
    let district = rest % DISTRICT_SPAN;
    let rest = rest / DISTRICT_SPAN;
    let regency = rest % REGENCY_SPAN;
    let province = rest / REGENCY_SPAN;
    let two = |v: u64| v.checked_sub(1).and_then(|x| u8::try_from(x).ok());
    Parts {
        province: u8::try_from(province).unwrap_or(0),
        regency: two(regency),
        district: two(district),
        village: village.checked_sub(1).and_then(|x| u16::try_from(x).ok()),
    }
}

/// How many keys a region at `level` covers, itself and all its descendants.
fn span(level: RegionLevel) -> u64 {
    match level {
        RegionLevel::Province => REGENCY_SPAN * DISTRICT_SPAN * VILLAGE_SPAN,
        RegionLevel::Regency => DISTRICT_SPAN * VILLAGE_SPAN,
        RegionLevel::District => VILLAGE_SPAN,
        RegionLevel::Village => 1,
    }
}

fn child_level(level: RegionLevel) -> Option<RegionLevel> {
    match level {
        RegionLevel::Province => Some(RegionLevel::Regency),
        RegionLevel::Regency => Some(RegionLevel::District),
        RegionLevel::District => Some(RegionLevel::Village),
        RegionLevel::Village => None,
    }
}

/// Splits one CSV line into fields; `"` quotes a field, `""` is a quote inside it.
fn split_fields(line: &str) -> Result<Vec<Cow<'_, str>>, RowProblem> {
    let mut fields = Vec::with_capacity(2);
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut tail = quoted;
            loop {
                let (chunk, after) = tail.split_once('"').ok_or(RowProblem::Unterminated)?;
                value.push_str(chunk);
                match after.strip_prefix('"') {
                    Some(more) => {
                        value.push('"');
                        tail = more;
                    }
                    None => {
                        tail = after;
                        break;
                    }
                }
            }
            fields.push(Cow::Owned(value));
            if tail.is_empty() {
                return Ok(fields);
            }
            rest = tail.strip_prefix(',').ok_or(RowProblem::AfterQuote)?;
        } else {
            match rest.split_once(',') {
                Some((field, after)) => {
                    fields.push(Cow::Borrowed(field));
                    rest = after;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// Appends a name and returns its entry.
fn push_name(names: &mut String, key: u64, name: &str) -> Result<Entry, RegionError> {
    let start = u32::try_from(names.len()).map_err(|_| RegionError::TooLarge)?;
    let len = u32::try_from(name.len()).map_err(|_| RegionError::TooLarge)?;
    start.checked_add(len).ok_or(RegionError::TooLarge)?;
    names.push_str(name);
    Ok(Entry { key, start, len })
}

/// Collects rows (checked one by one) and sorts them into a table.
#[derive(Default)]
struct Builder {
    /// Each entry with the line it came from, for duplicate reports.
    rows: Vec<(Entry, usize)>,
    names: String,
}

impl Builder {
    fn push(&mut self, line: usize, code: &str, name: &str) -> Result<(), RegionError> {
        let row_error = |problem| RegionError::Row { line, problem };
        let code = code.trim();
        let parts =
            Parts::parse(code).ok_or_else(|| row_error(RowProblem::Code(code.to_string())))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(row_error(RowProblem::EmptyName));
        }
        let entry = push_name(&mut self.names, key_of(&parts), name)?;
        self.rows.push((entry, line));
        Ok(())
    }

    fn finish(self) -> Result<RegionTable, RegionError> {
        let Builder {
            mut rows,
            mut names,
        } = self;
        // Decree files are already sorted, which the stable sort handles in linear time.
        rows.sort_by_key(|(e, _)| e.key);
        let duplicate = rows.windows(2).find_map(|w| match w {
            [(a, first), (b, second)] if a.key == b.key => Some((a.key, *first, *second)),
            _ => None,
        });
        if let Some((key, first, second)) = duplicate {
            return Err(RegionError::Duplicate {
                code: RegionCode::from_parts(parts_of(key)).to_string(),
                first_line: first.min(second),
                line: first.max(second),
            });
        }
        names.shrink_to_fit();
        Ok(RegionTable {
            entries: rows.into_iter().map(|(e, _)| e).collect(),
            names,
        })
    }
}

impl RegionTable {
    /// Loads a `code,name` CSV. Tolerates a UTF-8 BOM, CRLF line ends, blank lines and quoted
    /// names with commas inside (`"Lubuk Pakam I,II"`). Codes may be dotted or undotted; only
    /// their syntax is checked, since a decree is the authority on which codes exist.
    pub fn from_csv(csv: &str) -> Result<RegionTable, RegionError> {
        let text = csv.strip_prefix('\u{feff}').unwrap_or(csv);
        let mut lines = text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
            .filter(|(_, l)| !l.trim().is_empty());
        let header_ok = |l: &str| {
            split_fields(l).is_ok_and(|f| {
                f.len() == 2
                    && f.first()
                        .is_some_and(|c| c.trim().eq_ignore_ascii_case("code"))
                    && f.get(1)
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case("name"))
            })
        };
        match lines.next() {
            Some((_, header)) if header_ok(header) => {}
            other => {
                let found = other.map_or("", |(_, l)| l).chars().take(40).collect();
                return Err(RegionError::Header { found });
            }
        }

        let mut builder = Builder::default();
        for (line, raw) in lines {
            let fields = split_fields(raw).map_err(|problem| RegionError::Row { line, problem })?;
            let [code, name] = fields.as_slice() else {
                return Err(RegionError::Row {
                    line,
                    problem: RowProblem::FieldCount(fields.len()),
                });
            };
            builder.push(line, code, name)?;
        }
        builder.finish()
    }

    /// Builds a table from `(code, name)` pairs, such as the rows a server stored when it
    /// imported a decree CSV. Errors name the pair's 1-based position as the line.
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RegionTable, RegionError> {
        let mut builder = Builder::default();
        for (index, (code, name)) in rows.into_iter().enumerate() {
            builder.push(index + 1, code, name)?;
        }
        builder.finish()
    }

    /// Loads several decree years, oldest first, into one table: a code that only an older
    /// decree lists is still real (NIKs keep old district codes); where years disagree on a
    /// name, the newer one wins.
    pub fn from_csvs<'a>(
        csvs: impl IntoIterator<Item = &'a str>,
    ) -> Result<RegionTable, RegionError> {
        let mut table = RegionTable::default();
        for (index, csv) in csvs.into_iter().enumerate() {
            let wrap = |e| RegionError::InTable {
                index,
                error: Box::new(e),
            };
            let next = RegionTable::from_csv(csv).map_err(wrap)?;
            table.merge(&next).map_err(wrap)?;
        }
        Ok(table)
    }

    /// Adds every code of `newer` to this table; for codes in both, `newer`'s name wins.
    pub fn merge(&mut self, newer: &RegionTable) -> Result<(), RegionError> {
        let mut entries = Vec::with_capacity(self.entries.len().max(newer.entries.len()));
        let mut names = String::with_capacity(self.names.len().max(newer.names.len()));
        let mut old = self.entries.iter().peekable();
        let mut new = newer.entries.iter().peekable();
        loop {
            let (from, entry) = match (old.peek(), new.peek()) {
                (Some(o), Some(n)) if o.key < n.key => (&*self, old.next()),
                (Some(o), Some(n)) if o.key == n.key => {
                    old.next();
                    (newer, new.next())
                }
                (_, Some(_)) => (newer, new.next()),
                (Some(_), None) => (&*self, old.next()),
                (None, None) => break,
            };
            if let Some(e) = entry {
                entries.push(push_name(&mut names, e.key, from.name_at(e))?);
            }
        }
        names.shrink_to_fit();
        *self = RegionTable { entries, names };
        Ok(())
    }

    fn name_at(&self, e: &Entry) -> &str {
        let start = e.start as usize;
        self.names
            .get(start..start + e.len as usize)
            .unwrap_or_default()
    }

    fn find(&self, key: u64) -> Option<&Entry> {
        let i = self.entries.binary_search_by_key(&key, |e| e.key).ok()?;
        self.entries.get(i)
    }

    /// The name of a code (dotted or undotted), e.g. `13.05` -> `Kabupaten Padang Pariaman`.
    pub fn name(&self, code: &str) -> Option<&str> {
        let parts = Parts::parse(code.trim())?;
        self.find(key_of(&parts)).map(|e| self.name_at(e))
    }

    /// The name of a parsed code.
    pub fn name_of(&self, code: &RegionCode) -> Option<&str> {
        self.find(key_of(&code.parts())).map(|e| self.name_at(e))
    }

    /// Whether the table lists this code (dotted or undotted).
    pub fn contains(&self, code: &str) -> bool {
        self.name(code).is_some()
    }

    /// Whether the table lists this parsed code.
    pub fn contains_code(&self, code: &RegionCode) -> bool {
        self.find(key_of(&code.parts())).is_some()
    }

    /// The direct children of `parent` (a province's regencies, a regency's districts, a
    /// district's villages) with their names, sorted by code. An empty `parent` lists the
    /// provinces; an unparsable one or a village has no children.
    pub fn children(&self, parent: &str) -> impl Iterator<Item = (RegionCode, &str)> + '_ {
        let parent = parent.trim();
        let (slice, level) = if parent.is_empty() {
            (self.entries.as_slice(), Some(RegionLevel::Province))
        } else {
            match Parts::parse(parent) {
                Some(parts) => {
                    let level = parts.level();
                    let key = key_of(&parts);
                    let lo = self.entries.partition_point(|e| e.key <= key);
                    let end = key.saturating_add(span(level));
                    let hi = self.entries.partition_point(|e| e.key < end);
                    (
                        self.entries.get(lo..hi).unwrap_or_default(),
                        child_level(level),
                    )
                }
                None => (&[][..], None),
            }
        };
        slice.iter().filter_map(move |e| {
            let parts = parts_of(e.key);
            (Some(parts.level()) == level).then(|| (RegionCode::from_parts(parts), self.name_at(e)))
        })
    }

    /// Every code with its name, sorted by code.
    pub fn iter(&self) -> impl Iterator<Item = (RegionCode, &str)> + '_ {
        self.entries
            .iter()
            .map(|e| (RegionCode::from_parts(parts_of(e.key)), self.name_at(e)))
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no code.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for RegionTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Printing 90,000 names helps nobody.
        f.debug_struct("RegionTable")
            .field("len", &self.entries.len())
            .field("name_bytes", &self.names.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
