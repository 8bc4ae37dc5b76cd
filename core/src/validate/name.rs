//! Person names: normalisation and the two name policies.
//!
//! Every name is trimmed and its inner whitespace collapsed to single spaces; typographic
//! apostrophes (`’`, `ʼ`, `‘`, `` ` ``, `´`) become `'` and Unicode hyphens become `-` (phone
//! keyboards insert them), and invisible zero-width characters pasted from chat apps are
//! dropped. Names are Latin letters (accents included, precomposed or with combining marks)
//! and spaces, at most `max_len` characters.
//!
//! - [`NamePolicy::Existing`], a name already on record, is checked loosely: it must match the
//!   KTP or KK as printed. Single names are common, and records made before Permendagri
//!   73/2022 carry apostrophes (`Siti Nur'aini`), hyphens (`Abdul-Rahman`) and abbreviations
//!   with dots (`Muh. Ridwan`, `H. Ahmad`), so `'`, `-` and `.` are accepted; digits and any
//!   other punctuation are not.
//! - [`NamePolicy::New`], a name being recorded now, follows Permendagri 73/2022: at least two
//!   words, no digits, no punctuation, no abbreviations or titles. `I` as the first word is
//!   allowed because it is a Balinese name element (`I Gusti Ngurah Rai`, `I Made`), written
//!   as a word in the civil record, not the initial of another name; `Ni`, its female
//!   counterpart, is two letters and never looks like an abbreviation.

use crate::catalog::source::NamePolicy;
use crate::report::Finding;

/// Every finding code this module can emit.
pub const CODES: &[&str] = &[
    "name.too_long",
    "name.invalid_chars",
    "name.digits",
    "name.one_word",
    "name.punctuation",
    "name.abbreviation",
];

/// The longest name Permendagri 73/2022 allows, spaces included.
pub const DEFAULT_MAX_LEN: usize = 60;

/// Most characters or words listed in one finding; enough to point at the problem.
const MAX_SHOWN: usize = 5;

/// Titles and abbreviations written without a dot (compared in lower case, dots removed).
/// Only letter groups that are not also real name elements.
const TITLES: &[&str] = &[
    "dr", "drs", "dra", "hj", "ir", "prof", "sh", "spd", "spdi", "skom", "sag", "mpd", "msi", "mm",
    "muh", "moh", "mhd",
];

/// Distinct offending characters (at most five) for a `chars` message parameter.
#[derive(Debug, Default)]
pub(crate) struct OddChars {
    chars: Vec<char>,
}

impl OddChars {
    /// Notes a character (repeats and anything past the fifth are not listed).
    pub(crate) fn add(&mut self, c: char) {
        if self.chars.len() < MAX_SHOWN && !self.chars.contains(&c) {
            self.chars.push(c);
        }
    }

    /// Whether no character was noted.
    pub(crate) fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The characters separated by spaces; invisible ones as `U+XXXX` so a person can see them.
    pub(crate) fn to_param(&self) -> String {
        let shown: Vec<String> = self
            .chars
            .iter()
            .map(|&c| {
                if c.is_control() || c.is_whitespace() || is_invisible(c) || is_combining(c) {
                    format!("U+{:04X}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect();
        shown.join(" ")
    }
}

/// Format characters and selectors that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Combining diacritical marks (an accent typed after its letter).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// A letter of the Latin script: ASCII, Latin-1, Latin Extended-A/B and Additional.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (c.is_alphabetic() && matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}'))
}

/// Punctuation a person may type in a name field (as opposed to symbols, emoji, scripts).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '¡' | '«' | '·' | '»' | '¿' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}'
        )
}

/// One character of a name after normalisation; `None` drops it.
fn normalize_char(c: char) -> Option<char> {
    match c {
        '\u{2019}' | '\u{02BC}' | '\u{2018}' | '`' | '\u{00B4}' => Some('\''),
        '\u{2010}' | '\u{2011}' => Some('-'),
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' => None,
        other => Some(other),
    }
}

/// Trims, collapses whitespace runs to one space, unifies apostrophes and hyphens and drops
/// zero-width characters (see the module doc). Idempotent.
pub fn normalize_name(input: &str) -> String {
    let words: Vec<String> = input
        .split_whitespace()
        .map(|w| w.chars().filter_map(normalize_char).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// Whether a word of a new name is an abbreviation or a title: it has a dot (`Muh.`, `S.Pd`),
/// is a single letter (`M`; `I` only as the Balinese first word) or is a known title (`Hj`).
/// A word without letters (a stray `.`) is punctuation, not an abbreviation.
fn is_abbreviation(word: &str, first: bool) -> bool {
    let letters: String = word
        .chars()
        .filter(|c| is_latin_letter(*c))
        .flat_map(char::to_lowercase)
        .collect();
    match letters.chars().count() {
        0 => false,
        _ if word.contains('.') => true,
        1 => !(first && word.eq_ignore_ascii_case("i")),
        _ => TITLES.contains(&letters.as_str()),
    }
}

/// Normalises a name and checks it against `policy`; `max_len` counts characters with spaces
/// (a letter with a combining accent counts once). Blank input gives no finding: whether the
/// field is required is the caller's rule. Findings, in this order:
///
/// - `name.too_long` (params `max`, `length`);
/// - `name.invalid_chars` (`chars`): control characters, emoji, symbols, other scripts;
/// - `name.digits`;
/// - `name.punctuation` (`chars`): punctuation the policy does not allow;
/// - `New` only: `name.one_word`, then one `name.abbreviation` (`word`) per distinct
///   abbreviation or title, at most five.
pub fn check_name(input: &str, policy: NamePolicy, max_len: usize) -> (String, Vec<Finding>) {
    let name = normalize_name(input);
    let mut findings = Vec::new();
    if name.is_empty() {
        return (name, findings);
    }
    let length = name.chars().filter(|c| !is_combining(*c)).count();
    if length > max_len {
        findings.push(
            Finding::error("name.too_long")
                .with("max", max_len.to_string())
                .with("length", length.to_string()),
        );
    }

    let new = policy == NamePolicy::New;
    let mut invalid = OddChars::default();
    let mut punctuation = OddChars::default();
    let mut digits = false;
    let mut words = 0usize;
    let mut abbreviations: Vec<&str> = Vec::new();
    for (index, word) in name.split(' ').enumerate() {
        if word.chars().any(is_latin_letter) {
            words += 1;
        }
        let abbreviation = new && is_abbreviation(word, index == 0);
        // A combining mark is fine only right after a letter (or another mark on it).
        let mut after_letter = false;
        for c in word.chars() {
            if is_latin_letter(c) {
                after_letter = true;
                continue;
            }
            if is_combining(c) {
                if !after_letter {
                    invalid.add(c);
                }
                continue;
            }
            after_letter = false;
            if c.is_ascii_digit() {
                digits = true;
            } else if is_punctuation(c) {
                // A new name's dotted abbreviation is reported as such, not as punctuation.
                let allowed = if new {
                    c == '.' && abbreviation
                } else {
                    matches!(c, '\'' | '-' | '.')
                };
                if !allowed {
                    punctuation.add(c);
                }
            } else {
                invalid.add(c);
            }
        }
        if abbreviation && abbreviations.len() < MAX_SHOWN && !abbreviations.contains(&word) {
            abbreviations.push(word);
        }
    }

    if !invalid.is_empty() {
        findings.push(Finding::error("name.invalid_chars").with("chars", invalid.to_param()));
    }
    if digits {
        findings.push(Finding::error("name.digits"));
    }
    if !punctuation.is_empty() {
        findings.push(Finding::error("name.punctuation").with("chars", punctuation.to_param()));
    }
    if new && words < 2 {
        findings.push(Finding::error("name.one_word"));
    }
    for word in abbreviations {
        findings.push(Finding::error("name.abbreviation").with("word", word));
    }
    (name, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXISTING: NamePolicy = NamePolicy::Existing;
    const NEW: NamePolicy = NamePolicy::New;

    fn check(input: &str, policy: NamePolicy) -> (String, Vec<&'static str>) {
        let (name, findings) = check_name(input, policy, DEFAULT_MAX_LEN);
        for f in &findings {
            assert!(CODES.contains(&f.code), "{} missing from CODES", f.code);
            assert_eq!(f.severity, crate::Severity::Error);
        }
        (name, findings.iter().map(|f| f.code).collect())
    }

    fn codes(input: &str, policy: NamePolicy) -> Vec<&'static str> {
        check(input, policy).1
    }

    fn param(input: &str, policy: NamePolicy, code: &str, name: &str) -> Vec<String> {
        let (_, findings) = check_name(input, policy, DEFAULT_MAX_LEN);
        findings
            .iter()
            .filter(|f| f.code == code)
            .flat_map(|f| {
                f.params
                    .iter()
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
            })
            .collect()
    }

    #[test]
    fn ordinary_names_pass_both_policies() {
        for name in [
            "Muhammad Fadhly",
            "SITI NURBAYA",
            "Rahmat Hidayat Putra",
            "I Gusti Ngurah Rai",
            "i made wirawan",
            "Ni Luh Putu Ayu",
            "Hélène Anggraini",
            "Nguyễn Văn An",
        ] {
            assert_eq!(codes(name, EXISTING), Vec::<&str>::new(), "{name}");
            assert_eq!(codes(name, NEW), Vec::<&str>::new(), "{name}");
        }
    }

    #[test]
    fn whitespace_is_normalised() {
        let (name, found) = check("  muhammad \t\u{a0} fadhly\n", NEW);
        assert_eq!(name, "muhammad fadhly");
        assert!(found.is_empty());
        assert_eq!(
            check("Budi\u{200B} Santoso\u{FEFF}", NEW),
            ("Budi Santoso".into(), vec![])
        );
        assert_eq!(check("   ", NEW), (String::new(), vec![]));
        assert_eq!(check("\u{200B}", NEW), (String::new(), vec![]));
    }

    #[test]
    fn apostrophes_and_hyphens() {
        assert_eq!(
            check("Siti Nur'aini", EXISTING),
            ("Siti Nur'aini".into(), vec![])
        );
        assert_eq!(
            check("Siti Nur’aini", EXISTING),
            ("Siti Nur'aini".into(), vec![])
        );
        assert_eq!(
            check("Abdul-Rahman", EXISTING),
            ("Abdul-Rahman".into(), vec![])
        );
        assert_eq!(check("Abdul\u{2011}Rahman", EXISTING).0, "Abdul-Rahman");
        assert_eq!(codes("Siti Nur'aini", NEW), ["name.punctuation"]);
        assert_eq!(
            param("Siti Nur’aini", NEW, "name.punctuation", "chars"),
            ["'"]
        );
        assert_eq!(
            codes("Abdul-Rahman", NEW),
            ["name.punctuation", "name.one_word"]
        );
    }

    #[test]
    fn single_names_only_on_record() {
        assert!(codes("Budi", EXISTING).is_empty());
        assert!(codes("Sukarno", EXISTING).is_empty());
        assert_eq!(codes("Budi", NEW), ["name.one_word"]);
        assert_eq!(codes("I", NEW), ["name.one_word"]);
    }

    #[test]
    fn titles_and_abbreviations_in_new_names() {
        assert_eq!(codes("Dr. Budi", NEW), ["name.abbreviation"]);
        assert_eq!(param("Dr. Budi", NEW, "name.abbreviation", "word"), ["Dr."]);
        assert_eq!(
            param("H Ahmad Dahlan", NEW, "name.abbreviation", "word"),
            ["H"]
        );
        assert_eq!(
            param("Hj Siti Aminah", NEW, "name.abbreviation", "word"),
            ["Hj"]
        );
        assert_eq!(
            param("Muh. Ridwan", NEW, "name.abbreviation", "word"),
            ["Muh."]
        );
        assert_eq!(
            param("Muhammad M Ridwan", NEW, "name.abbreviation", "word"),
            ["M"]
        );
        assert_eq!(
            param("Budi I Santoso", NEW, "name.abbreviation", "word"),
            ["I"]
        );
        assert_eq!(
            param("Ir Soekarno", NEW, "name.abbreviation", "word"),
            ["Ir"]
        );
        assert_eq!(
            param("Budi Santoso SH", NEW, "name.abbreviation", "word"),
            ["SH"]
        );
        assert_eq!(
            codes("Budi Santoso, S.Pd", NEW),
            ["name.punctuation", "name.abbreviation"],
            "the comma is punctuation, the dotted title an abbreviation"
        );
        assert_eq!(
            param("Budi Santoso, S.Pd", NEW, "name.abbreviation", "word"),
            ["S.Pd"]
        );
        assert_eq!(
            param("Budi . Santoso", NEW, "name.punctuation", "chars"),
            ["."]
        );
        let many = "A B C D E F G H";
        assert_eq!(
            param(many, NEW, "name.abbreviation", "word"),
            ["A", "B", "C", "D", "E"]
        );
        assert_eq!(param("M M Ridwan", NEW, "name.abbreviation", "word"), ["M"]);
        // Names that merely start like a title are fine.
        assert!(codes("Hjalmar Irawan", NEW).is_empty());
        assert!(codes("Drajat Mohammad", NEW).is_empty());
    }

    #[test]
    fn records_may_keep_their_dots() {
        assert!(codes("Dr. Budi", EXISTING).is_empty());
        assert!(codes("Muh. Ridwan", EXISTING).is_empty());
        assert!(codes("H Ahmad", EXISTING).is_empty());
        assert_eq!(codes("Budi Santoso, S.Pd", EXISTING), ["name.punctuation"]);
        assert_eq!(
            param("Budi (Ucok)", EXISTING, "name.punctuation", "chars"),
            ["( )"]
        );
    }

    #[test]
    fn digits() {
        assert_eq!(codes("Budi2", EXISTING), ["name.digits"]);
        assert_eq!(codes("Budi2", NEW), ["name.digits", "name.one_word"]);
        assert_eq!(codes("Budi Santoso 3", NEW), ["name.digits"]);
        // Other scripts' digits are not ASCII digits.
        assert_eq!(codes("Budi ٣", EXISTING), ["name.invalid_chars"]);
    }

    #[test]
    fn length_limit_counts_characters() {
        let sixty = format!("{} {}", "A".repeat(30), "B".repeat(29));
        assert_eq!(sixty.chars().count(), 60);
        assert!(codes(&sixty, NEW).is_empty());
        let sixty_one = format!("{sixty}C");
        assert_eq!(codes(&sixty_one, NEW), ["name.too_long"]);
        assert_eq!(param(&sixty_one, NEW, "name.too_long", "max"), ["60"]);
        assert_eq!(param(&sixty_one, NEW, "name.too_long", "length"), ["61"]);
        // Accents count once, precomposed or combined.
        let accented = format!("{} {}", "é".repeat(30), "e\u{301}".repeat(29));
        assert!(codes(&accented, NEW).is_empty());
        let (_, f) = check_name("Budi Santoso", NEW, 5);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].params,
            vec![("max", "5".into()), ("length", "12".into())]
        );
    }

    #[test]
    fn emoji_scripts_and_control_characters() {
        assert_eq!(
            param("Budi 😀 Santoso", EXISTING, "name.invalid_chars", "chars"),
            ["😀"]
        );
        assert_eq!(
            param(
                "Budi 👨\u{200D}👩\u{200D}👧",
                NEW,
                "name.invalid_chars",
                "chars"
            ),
            ["👨 U+200D 👩 👧"]
        );
        assert_eq!(
            param("Бори Santoso", NEW, "name.invalid_chars", "chars"),
            ["Б о р и"]
        );
        assert_eq!(
            param("محمد Ali", NEW, "name.invalid_chars", "chars"),
            ["م ح د"]
        );
        assert_eq!(
            param("Budi\u{7}Santoso", NEW, "name.invalid_chars", "chars"),
            ["U+0007"]
        );
        assert_eq!(
            param("\u{301}Budi Santoso", NEW, "name.invalid_chars", "chars"),
            ["U+0301"]
        );
        assert_eq!(
            param("Budi © ™ ° Santoso", NEW, "name.invalid_chars", "chars"),
            ["© ™ °"]
        );
        assert_eq!(
            param("ΑΒΓΔΕΖΗ Santoso", NEW, "name.invalid_chars", "chars"),
            ["Α Β Γ Δ Ε"]
        );
        assert_eq!(
            param("Budi ß Santoso", NEW, "name.invalid_chars", "chars"),
            Vec::<String>::new()
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_normalisation_is_stable(s in "\\PC{0,70}", new in any::<bool>()) {
            let policy = if new { NEW } else { EXISTING };
            let (name, findings) = check_name(&s, policy, DEFAULT_MAX_LEN);
            prop_assert_eq!(name.trim(), name.as_str());
            prop_assert!(!name.contains("  "));
            let (again, findings_again) = check_name(&name, policy, DEFAULT_MAX_LEN);
            prop_assert_eq!(&again, &name);
            prop_assert_eq!(findings_again, findings);
        }

        #[test]
        fn letters_and_spaces_are_accepted_on_record(s in "[A-Za-zÀ-ÖØ-öø-ÿ ]{0,60}") {
            let (_, findings) = check_name(&s, EXISTING, DEFAULT_MAX_LEN);
            prop_assert!(findings.is_empty(), "{:?}", findings);
        }
    }
}
