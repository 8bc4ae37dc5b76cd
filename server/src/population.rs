//! The population register extract the registry imports (`ceria admin population import`)
//! so a citizen can show, without an office visit, that the NIK of their account is theirs:
//! they give their No. KK, birth date and mother's name, the fields Dukcapil itself asks for.
//!
//! The server keeps no second copy of the register in clear. Each row is reduced to one
//! HMAC-SHA256 over its four normalised fields, keyed with a secret of the data directory
//! ([`KEY_FILE`], made at the first import, never stored in the database); a citizen's answer
//! is normalised and hashed the same way and looked up. So:
//! - a match needs all four fields at once, and a miss says nothing about which one was wrong;
//! - a copy of the database alone (a backup, a leaked dump) holds no NIK, No. KK, birth date
//!   or name, and without the key its values cannot be tested against guesses;
//! - the extract cannot be listed or searched, only tested one full answer at a time, and
//!   those tests are limited per account ([`MAX_FAILED_CHECKS`] per [`CHECK_WINDOW_MS`]).

use crate::admin::AdminError;
use crate::store::Db;
use ceria_core::Date;
use ceria_core::validate::name::normalize_name;
use ceria_core::validate::nik::Nik;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::io::Write;
use std::path::Path;

/// The file of the data directory holding the register key (64 hex digits).
pub const KEY_FILE: &str = "population.key";

/// Failed register checks an account may make per window before it must wait.
pub(crate) const MAX_FAILED_CHECKS: u32 = 5;
/// The window of [`MAX_FAILED_CHECKS`]: 24 hours.
pub(crate) const CHECK_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// The secret that keys the stored register values.
#[derive(Clone)]
pub struct RegisterKey([u8; 32]);

impl std::fmt::Debug for RegisterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegisterKey(..)")
    }
}

fn parse_key(text: &str) -> std::io::Result<RegisterKey> {
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{KEY_FILE}: not 64 hex digits"),
            )
        })?;
    Ok(RegisterKey(bytes))
}

impl RegisterKey {
    /// The key of `data_dir`, `None` when no extract was ever imported there.
    pub fn load(data_dir: &Path) -> std::io::Result<Option<RegisterKey>> {
        match std::fs::read_to_string(data_dir.join(KEY_FILE)) {
            Ok(text) => parse_key(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The key of `data_dir`, made (readable by the owner only) if there is none.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<RegisterKey> {
        if let Some(key) = RegisterKey::load(data_dir)? {
            return Ok(key);
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(data_dir.join(KEY_FILE)) {
            Ok(mut file) => {
                writeln!(file, "{}", hex::encode(bytes))?;
                file.sync_all()?;
                Ok(RegisterKey(bytes))
            }
            // Made meanwhile by another process: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                parse_key(&std::fs::read_to_string(data_dir.join(KEY_FILE))?)
            }
            Err(e) => Err(e),
        }
    }

    /// The stored value of one person's register facts.
    pub(crate) fn proof(&self, facts: &RegisterFacts) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        // Fields are normalised and contain no newline, so the encoding is unambiguous.
        mac.update(b"ceria-population-v1\n");
        for part in [
            facts.nik.as_str(),
            facts.nomor_kk.as_str(),
            &facts.birth_date.to_string(),
            facts.mother_name.as_str(),
        ] {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The four facts of one person, normalised so that the register and a citizen's typing of
/// the same facts compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegisterFacts {
    /// 16 digits.
    pub nik: String,
    /// 16 digits.
    pub nomor_kk: String,
    /// The birth date.
    pub birth_date: Date,
    /// See [`name_key`].
    pub mother_name: String,
}

/// Which fact could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FactError {
    /// Not a NIK.
    #[error("NIK")]
    Nik,
    /// Not 16 digits.
    #[error("No. KK")]
    NomorKk,
    /// Not a date.
    #[error("birth date")]
    BirthDate,
    /// No letters.
    #[error("mother's name")]
    MotherName,
}

impl FactError {
    /// The field of the API body it is about.
    pub(crate) fn field(self) -> &'static str {
        match self {
            FactError::Nik => "nik",
            FactError::NomorKk => "nomor_kk",
            FactError::BirthDate => "birth_date",
            FactError::MotherName => "mother_name",
        }
    }
}

impl RegisterFacts {
    /// Reads and normalises the four facts.
    pub(crate) fn new(
        nik: &str,
        nomor_kk: &str,
        birth_date: &str,
        mother_name: &str,
    ) -> Result<RegisterFacts, FactError> {
        Ok(RegisterFacts {
            nik: Nik::parse(nik).map_err(|_| FactError::Nik)?.to_string(),
            nomor_kk: kk_digits(nomor_kk).ok_or(FactError::NomorKk)?,
            birth_date: parse_birth_date(birth_date).ok_or(FactError::BirthDate)?,
            mother_name: Some(name_key(mother_name))
                .filter(|n| !n.is_empty())
                .ok_or(FactError::MotherName)?,
        })
    }
}

/// A No. KK as its 16 digits; spaces, dots and dashes between digit groups are ignored. Only
/// the shape is checked: the register is the judge of which numbers exist.
fn kk_digits(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
        .collect();
    (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A birth date written `YYYY-MM-DD` (ISO, what apps send) or `DD-MM-YYYY` / `DD/MM/YYYY`
/// (how registers and KK print it).
pub(crate) fn parse_birth_date(input: &str) -> Option<Date> {
    let s = input.trim();
    if let Some(d) = Date::parse_iso(s) {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [d, m, y] if y.len() == 4 => {
            Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

/// A name as compared with the register: the core's name normalisation (whitespace,
/// apostrophe and hyphen variants, zero-width characters), then upper case, apostrophes and
/// dots dropped, and any other character that is not a letter read as a space, so
/// `Siti Nur'aini`, `SITI NURAINI` and ` siti  nur’aini ` are the same name.
pub(crate) fn name_key(input: &str) -> String {
    let spaced: String = normalize_name(input)
        .chars()
        .filter(|c| !matches!(c, '\'' | '.'))
        .map(|c| if c.is_alphabetic() { c } else { ' ' })
        .flat_map(char::to_uppercase)
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits one CSV record on `sep`, honouring double quotes (`""` inside quotes is a quote).
fn split_record(line: &str, sep: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if current.trim().is_empty() => {
                current.clear();
                quoted = true;
            }
            c if c == sep && !quoted => fields.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    fields.push(current);
    fields
}

/// The accepted column names (compared in lower case, spaces as `_`), per fact.
const COLUMNS: [(&str, &[&str]); 4] = [
    ("nik", &["nik"]),
    ("nomor_kk", &["no_kk", "nomor_kk", "kk", "no._kk"]),
    ("birth_date", &["birth_date", "tanggal_lahir", "tgl_lahir"]),
    (
        "mother_name",
        &["mother_name", "nama_ibu", "nama_ibu_kandung"],
    ),
];

/// What an import read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Rows stored (distinct).
    pub imported: usize,
    /// Rows that could not be read, skipped.
    pub skipped: usize,
    /// The first skipped lines: `line N: field`.
    pub skipped_lines: Vec<String>,
}

/// Reads a register CSV (header with `nik`, `no_kk`, `birth_date`, `mother_name` or their
/// Indonesian names; `,` or `;` separated; one record a line) into stored values.
pub(crate) fn read_csv(
    text: &str,
    key: &RegisterKey,
) -> Result<(Vec<String>, ImportReport), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err("empty file".into());
    };
    let sep = if header.contains(';') && !header.contains(',') {
        ';'
    } else {
        ','
    };
    let names: Vec<String> = split_record(header, sep)
        .iter()
        .map(|h| h.trim().to_lowercase().replace(' ', "_"))
        .collect();
    let mut index = [0usize; 4];
    for (slot, (fact, aliases)) in index.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|n| aliases.contains(&n.as_str()))
            .ok_or_else(|| format!("header: no column for {fact} ({})", aliases.join(" / ")))?;
    }
    let mut proofs = Vec::new();
    let mut report = ImportReport {
        imported: 0,
        skipped: 0,
        skipped_lines: Vec::new(),
    };
    for (n, line) in lines {
        let fields = split_record(line, sep);
        let get = |i: usize| fields.get(index[i]).map(String::as_str).unwrap_or("");
        match RegisterFacts::new(get(0), get(1), get(2), get(3)) {
            Ok(facts) => proofs.push(key.proof(&facts)),
            Err(e) => {
                report.skipped += 1;
                if report.skipped_lines.len() < 10 {
                    report.skipped_lines.push(format!("line {}: {e}", n + 1));
                }
            }
        }
    }
    proofs.sort();
    proofs.dedup();
    report.imported = proofs.len();
    Ok((proofs, report))
}

/// `ceria admin population import FILE.csv`: replaces the stored register extract with the
/// file's rows (making the data directory's key on the first import). A running server
/// uses it at once.
pub fn import(db: &Db, data_dir: &Path, csv_path: &Path) -> Result<ImportReport, AdminError> {
    let text = std::fs::read_to_string(csv_path)?;
    let key = RegisterKey::load_or_create(data_dir)?;
    let (proofs, report) = read_csv(&text, &key).map_err(AdminError::Invalid)?;
    if proofs.is_empty() {
        return Err(AdminError::Invalid(format!(
            "no readable row ({} skipped)",
            report.skipped
        )));
    }
    db.replace_population(&proofs)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIK: &str = "1305014107900001";

    #[test]
    fn the_same_facts_typed_differently_give_the_same_value() {
        let key = RegisterKey([7; 32]);
        let register =
            RegisterFacts::new(NIK, "1305012003150004", "01-07-1990", "SITI NUR'AINI").unwrap();
        let typed = RegisterFacts::new(
            "1305 0141 0790 0001",
            "1305.0120.0315.0004",
            "1990-07-01",
            "  siti  nur’aini ",
        )
        .unwrap();
        assert_eq!(key.proof(&register), key.proof(&typed));
        let other_mother =
            RegisterFacts::new(NIK, "1305012003150004", "1990-07-01", "Siti Aminah").unwrap();
        assert_ne!(key.proof(&register), key.proof(&other_mother));
        assert_ne!(
            key.proof(&register),
            RegisterKey([8; 32]).proof(&register),
            "another key, another value"
        );
    }

    #[test]
    fn facts_are_checked_for_shape() {
        assert_eq!(
            RegisterFacts::new(NIK, "12", "1990-07-01", "Siti").unwrap_err(),
            FactError::NomorKk
        );
        assert_eq!(
            RegisterFacts::new(NIK, "1305012003150004", "31-02-1990", "Siti").unwrap_err(),
            FactError::BirthDate
        );
        assert_eq!(
            RegisterFacts::new(NIK, "1305012003150004", "1990-07-01", " .' ").unwrap_err(),
            FactError::MotherName
        );
        assert_eq!(name_key("Abdul-Rahman,  H."), "ABDUL RAHMAN H");
    }

    #[test]
    fn csv_with_indonesian_headers_quotes_and_bad_rows() {
        let key = RegisterKey([1; 32]);
        let csv = "\u{feff}NIK;No KK;Tanggal Lahir;Nama Ibu Kandung\n\
                   1305014107900001;1305012003150004;01-07-1990;\"Siti \"\"Nur\"\" Aini\"\n\
                   \n\
                   123;1305012003150004;01-07-1990;Siti\n\
                   1305014107900001;1305012003150004;01-07-1990;\"Siti \"\"Nur\"\" Aini\"\n";
        let (proofs, report) = read_csv(csv, &key).unwrap();
        assert_eq!(proofs.len(), 1, "duplicates are stored once");
        assert_eq!(report.imported, 1);
        assert_eq!(report.skipped, 1);
        assert_eq!(report.skipped_lines, vec!["line 4: NIK".to_string()]);
        let facts =
            RegisterFacts::new(NIK, "1305012003150004", "1990-07-01", "Siti Nur Aini").unwrap();
        assert_eq!(proofs[0], key.proof(&facts));
        assert!(
            read_csv("nik,kk\n", &key)
                .unwrap_err()
                .contains("birth_date")
        );
    }

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        assert!(RegisterKey::load(dir.path()).unwrap().is_none());
        let made = RegisterKey::load_or_create(dir.path()).unwrap();
        let again = RegisterKey::load_or_create(dir.path()).unwrap();
        assert_eq!(made.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "only the owner reads the key");
        }
    }
}
