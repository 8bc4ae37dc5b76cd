//! The audit of the checks each person on a form gets (issue 16): for every service, every person
//! it names (found by the catalog's field naming conventions: `nik_<who>`, `nama_<who>`,
//! `tanggal_lahir_<who>`, `jenis_kelamin_<who>`; no suffix for the person the request is about)
//! and the checks that apply to their NIK, birth date and role. The table in `docs/catalog.md`
//! is generated from `core/catalog/catalog.json` here, so it cannot drift from the catalog, and
//! a person with a gap (no NIK, a NIK not matched with the stated birth date or sex, a birth date
//! never compared with the form's events) fails the test unless [`REASONS`] says why the gap is
//! deliberate.
//!
//! Regenerate the table after a catalog change with
//! `CERIA_BLESS=1 cargo test -p ceria-core --test person_audit`.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The role of each person suffix: (suffix, role, the sex the role implies).
const ROLES: &[(&str, &str, Option<&str>)] = &[
    ("", "the person the request is about", None),
    ("anak", "child", None),
    ("ibu", "mother", Some("P")),
    ("ayah", "father", Some("L")),
    ("suami", "husband", Some("L")),
    ("istri", "wife", Some("P")),
    ("pasangan", "spouse", None),
    ("kepala", "head of family", None),
    ("kepala_lama", "former head of family", None),
    ("anggota", "family member", None),
    ("pemohon", "applicant", None),
    ("jenazah", "deceased", None),
    ("pelapor", "reporter", None),
    ("saksi_1", "witness 1", None),
    ("saksi_2", "witness 2", None),
    (
        "pemuka_agama",
        "religious leader who performed the marriage",
        None,
    ),
];

/// Name fields that hold a name being changed, not a person (`nama_baru`, `nama_lama`).
const NOT_PERSONS: &[&str] = &["baru", "lama"];

/// Why a gap is deliberate: (service, person suffix, reason). Every person with a gap needs one;
/// a person without a gap may have one as a note.
const REASONS: &[(&str, &str, &str)] = &[
    (
        "kk_baru",
        "kepala_lama",
        "Asked only when the head of family died; the form has no date of death (the death \
         certificate is attached), and the marriage date belongs to the other reason for a new KK.",
    ),
    (
        "kk_perubahan",
        "kepala",
        "The event date is the member's event; the head only signs for the family card. The \
         head's NIK is checked against the attached KK by the officer.",
    ),
    (
        "pisah_kk",
        "kepala_lama",
        "Named only to find the family card (its number is asked); the applicant is the person \
         leaving it.",
    ),
    (
        "akta_kelahiran",
        "anak",
        "A newborn has no NIK yet: the NIK is issued with the birth certificate and the new KK.",
    ),
    (
        "akta_kelahiran",
        "ayah",
        "No regulation sets a minimum age for fathers, so only the impossibility (born after the \
         child) is refused; the mother's `akta_kelahiran.mother_age` is kept as it was.",
    ),
    (
        "akta_kelahiran",
        "saksi_1",
        "Witnesses of the SPTJM (F-2.03, Permendagri 9/2016) vouch for the statement made now, not \
         for having seen the birth, so their birth date is not compared with the child's; the \
         regulations summarised for this catalog set no age for them (the 21-year minimum applies \
         to marriage witnesses).",
    ),
    (
        "akta_kelahiran",
        "saksi_2",
        "As witness 1: they vouch for the statement made now, and no age is set for them.",
    ),
    (
        "akta_kelahiran",
        "pelapor",
        "The reporter reports now and may be younger than a child registered late (an older \
         sibling, a village official); when the reporter is a parent the NIK must be the \
         mother's or the father's (`reporter.parent_nik`), whose checks then apply.",
    ),
    (
        "akta_kematian",
        "pelapor",
        "A death registered late may be reported by someone born after it (a grandchild), so the \
         reporter's birth is compared with the deceased's only for a parent or a child.",
    ),
    (
        "akta_perkawinan",
        "pemuka_agama",
        "Named as on the religious marriage letter, which is attached; the form asks no NIK of \
         the religious leader.",
    ),
];

/// People a form counts or lists without their own fields: (service, field, who, reason).
const LISTED_ONLY: &[(&str, &str, &str, &str)] = &[
    (
        "pindah_keluar",
        "anggota_pindah",
        "family members moving with the applicant",
        "Listed as free text (names and NIKs) with their number in `jumlah_pindah`; the rule \
         language has no lists, so the officer checks each member against the attached KK.",
    ),
    (
        "pindah_datang",
        "jumlah_pindah",
        "family members arriving with the applicant",
        "Only their number is asked; their names and NIKs are on the SKPWNI, which is attached \
         and issued by the origin's registry after its own checks.",
    ),
];

const BEGIN: &str = "<!-- BEGIN person-checks: generated by core/tests/person_audit.rs from core/catalog/catalog.json; do not edit -->";
const END: &str = "<!-- END person-checks -->";

struct Check<'a> {
    expr: &'a str,
    code: &'a str,
    warning: bool,
}

struct Person {
    suffix: String,
    role: &'static str,
    sex_of_role: Option<&'static str>,
    nik: Option<String>,
    name: Option<String>,
    /// The stated birth date field (`tanggal_lahir_<who>`).
    birth: Option<String>,
    /// The field the engine matches the NIK's date against (`birth_date_field`).
    nik_birth: Option<String>,
    sex: Option<String>,
    nik_sex: Option<String>,
    /// Every field of this person (by suffix), plus the NIK's linked fields.
    own: BTreeSet<String>,
}

impl Person {
    /// How rules refer to this person's birth date.
    fn birth_refs(&self) -> Vec<String> {
        let mut refs: Vec<String> = [&self.birth, &self.nik_birth]
            .into_iter()
            .flatten()
            .map(|f| format!("${{{f}}}"))
            .collect();
        if let Some(nik) = &self.nik {
            refs.push(format!("nik_birth_date(${{{nik}}})"));
        }
        refs
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn role_of(suffix: &str) -> (&'static str, Option<&'static str>) {
    ROLES
        .iter()
        .find(|(s, _, _)| *s == suffix)
        .map(|(_, r, sex)| (*r, *sex))
        .unwrap_or_else(|| {
            panic!("person suffix `{suffix}`: add its role to ROLES in core/tests/person_audit.rs")
        })
}

/// The persons of a service, in the order their first field appears.
fn persons(fields: &[Value]) -> Vec<Person> {
    let ids: Vec<&str> = fields.iter().filter_map(|f| str_of(f, "id")).collect();
    let has = |id: &str| ids.contains(&id);
    let mut out: Vec<Person> = Vec::new();
    for f in fields {
        let (Some(id), Some(kind)) = (str_of(f, "id"), str_of(f, "kind")) else {
            continue;
        };
        let suffix = match (kind, id) {
            ("nik", "nik") | ("name", "nama" | "nama_lengkap") => "",
            ("nik", _) => match id.strip_prefix("nik_") {
                Some(s) => s,
                None => continue,
            },
            ("name", _) => match id.strip_prefix("nama_") {
                Some(s) => s,
                None => continue,
            },
            _ => continue,
        };
        if NOT_PERSONS.contains(&suffix) || out.iter().any(|p| p.suffix == suffix) {
            continue;
        }
        let (role, sex_of_role) = role_of(suffix);
        let with = |base: &str| {
            if suffix.is_empty() {
                base.to_string()
            } else {
                format!("{base}_{suffix}")
            }
        };
        let nik_field = fields.iter().find(|g| {
            str_of(g, "id") == Some(with("nik").as_str()) && str_of(g, "kind") == Some("nik")
        });
        let name = ["nama", "nama_lengkap"]
            .iter()
            .map(|b| with(b))
            .find(|n| has(n));
        let birth = Some(with("tanggal_lahir")).filter(|b| has(b));
        let sex = Some(with("jenis_kelamin")).filter(|s| has(s));
        let mut own: BTreeSet<String> = if suffix.is_empty() {
            [
                "nik",
                "nama",
                "nama_lengkap",
                "tanggal_lahir",
                "jenis_kelamin",
                "status_kawin",
            ]
            .iter()
            .filter(|f| has(f))
            .map(|f| f.to_string())
            .collect()
        } else {
            let tail = format!("_{suffix}");
            ids.iter()
                .filter(|i| i.ends_with(&tail))
                .map(|i| i.to_string())
                .collect()
        };
        let nik_birth = nik_field
            .and_then(|n| str_of(n, "birth_date_field"))
            .map(String::from);
        let nik_sex = nik_field
            .and_then(|n| str_of(n, "sex_field"))
            .map(String::from);
        own.extend(nik_birth.iter().chain(nik_sex.iter()).cloned());
        out.push(Person {
            suffix: suffix.to_string(),
            role,
            sex_of_role,
            nik: nik_field.map(|_| with("nik")),
            name,
            birth,
            nik_birth,
            sex,
            nik_sex,
            own,
        });
    }
    out
}

fn refs(expr: &str, field: &str) -> bool {
    expr.contains(&format!("${{{field}}}"))
}

fn codes(checks: &[&Check]) -> String {
    let mut seen = BTreeSet::new();
    let parts: Vec<String> = checks
        .iter()
        .filter(|c| seen.insert(c.code))
        .map(|c| {
            if c.warning {
                format!("`{}` (warning)", c.code)
            } else {
                format!("`{}`", c.code)
            }
        })
        .collect();
    parts.join(", ")
}

/// The generated section (without the markers), and the persons with an unexplained gap.
fn table(catalog: &Value) -> (String, Vec<String>) {
    let mut rows = vec![
        "| service | person | NIK (structure, region) | NIK = stated birth date | NIK = sex | birth date compared with | role and age | why a gap is left |".to_string(),
        "| --- | --- | --- | --- | --- | --- | --- | --- |".to_string(),
    ];
    let mut unexplained = Vec::new();
    let mut used_reasons = BTreeSet::new();
    let services = catalog["services"].as_array().expect("services");
    for service in services {
        let sid = str_of(service, "id").expect("service id");
        let empty = Vec::new();
        let fields = service["fields"].as_array().unwrap_or(&empty);
        let checks: Vec<Check> = service["checks"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|c| Check {
                expr: str_of(c, "expr").unwrap_or_default(),
                code: str_of(c, "code").unwrap_or_default(),
                warning: str_of(c, "severity") == Some("warning"),
            })
            .collect();
        let people = persons(fields);
        // Dates of the form's events: every date that is nobody's birth date.
        let events: Vec<&str> = fields
            .iter()
            .filter(|f| str_of(f, "kind") == Some("date"))
            .filter_map(|f| str_of(f, "id"))
            .filter(|id| !id.starts_with("tanggal_lahir"))
            .collect();
        for p in &people {
            let mine: Vec<&Check> = checks
                .iter()
                .filter(|c| p.own.iter().any(|f| refs(c.expr, f)))
                .collect();
            let sex_call = p.nik.as_ref().map(|n| format!("nik_sex(${{{n}}})"));
            let is_sex = |c: &Check| {
                sex_call
                    .as_ref()
                    .is_some_and(|s| c.expr.contains(s.as_str()))
                    || p.sex.as_ref().is_some_and(|s| refs(c.expr, s))
            };
            let my_births = p.birth_refs();
            let other_births: Vec<String> = people
                .iter()
                .filter(|o| o.suffix != p.suffix)
                .flat_map(Person::birth_refs)
                .collect();
            let is_event = |c: &Check| {
                my_births.iter().any(|b| c.expr.contains(b.as_str()))
                    && (events.iter().any(|e| refs(c.expr, e))
                        || other_births.iter().any(|b| c.expr.contains(b.as_str())))
            };
            let sex_checks: Vec<&Check> = mine.iter().copied().filter(|c| is_sex(c)).collect();
            let event_checks: Vec<&Check> = mine
                .iter()
                .copied()
                .filter(|c| !is_sex(c) && is_event(c))
                .collect();
            let role_checks: Vec<&Check> = mine
                .iter()
                .copied()
                .filter(|c| !is_sex(c) && !is_event(c))
                .collect();

            let mut gaps = Vec::new();
            let nik_cell = match &p.nik {
                Some(n) => format!("`{n}`"),
                None => {
                    gaps.push("no NIK");
                    "no NIK asked".to_string()
                }
            };
            let date_cell = match (&p.nik, &p.nik_birth, &p.birth) {
                (Some(_), Some(b), _) => format!("`{b}`"),
                (Some(_), None, Some(_)) => {
                    gaps.push("NIK not matched with the birth date");
                    "**gap**".to_string()
                }
                (Some(_), None, None) => "no date asked".to_string(),
                (None, _, _) => "-".to_string(),
            };
            let mut sex_parts = Vec::new();
            if let Some(s) = &p.nik_sex {
                sex_parts.push(format!("`{s}`"));
            }
            if !sex_checks.is_empty() {
                sex_parts.push(codes(&sex_checks));
            }
            let sex_cell = if !sex_parts.is_empty() {
                sex_parts.join(", ")
            } else if p.nik.is_some() && (p.sex.is_some() || p.sex_of_role.is_some()) {
                gaps.push("NIK not matched with the sex");
                "**gap**".to_string()
            } else if p.nik.is_some() {
                "no sex asked or implied".to_string()
            } else {
                "-".to_string()
            };
            let birth_known = p.nik.is_some() || p.birth.is_some();
            let has_events = !events.is_empty() || !other_births.is_empty();
            let event_cell = if !event_checks.is_empty() {
                codes(&event_checks)
            } else if birth_known && has_events {
                gaps.push("birth date not compared");
                "**gap**".to_string()
            } else {
                "no event on the form".to_string()
            };
            let role_cell = if role_checks.is_empty() {
                "-".to_string()
            } else {
                codes(&role_checks)
            };
            let reason = REASONS
                .iter()
                .find(|(s, who, _)| *s == sid && *who == p.suffix)
                .map(|(_, _, r)| {
                    used_reasons.insert((sid, p.suffix.clone()));
                    *r
                });
            if !gaps.is_empty() && reason.is_none() {
                unexplained.push(format!(
                    "{sid}: {} (`{}`): {}",
                    p.role,
                    p.suffix,
                    gaps.join(", ")
                ));
            }
            let who = match (&p.name, &p.nik) {
                (Some(n), _) | (None, Some(n)) => format!("{} (`{n}`)", p.role),
                (None, None) => p.role.to_string(),
            };
            rows.push(format!(
                "| `{sid}` | {who} | {nik_cell} | {date_cell} | {sex_cell} | {event_cell} | {role_cell} | {} |",
                reason.unwrap_or("")
            ));
        }
        for (_, field, who, reason) in LISTED_ONLY.iter().filter(|(s, ..)| *s == sid) {
            assert!(
                fields.iter().any(|f| str_of(f, "id") == Some(*field)),
                "LISTED_ONLY names `{sid}.{field}`, which the catalog does not have"
            );
            rows.push(format!(
                "| `{sid}` | {who} (`{field}`) | - | - | - | - | - | {reason} |"
            ));
        }
    }
    for (sid, who, _) in REASONS {
        assert!(
            used_reasons.contains(&(*sid, who.to_string())),
            "REASONS names `{sid}` person `{who}`, which the catalog does not have"
        );
    }
    (rows.join("\n"), unexplained)
}

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

#[test]
fn every_gap_in_the_per_person_checks_is_closed_or_explained() {
    let text = std::fs::read_to_string(repo_file("core/catalog/catalog.json")).expect("catalog");
    let catalog: Value = serde_json::from_str(&text).expect("catalog is JSON");
    let (_, unexplained) = table(&catalog);
    assert!(
        unexplained.is_empty(),
        "persons with a gap in their checks and no reason in core/tests/person_audit.rs \
         REASONS (close the gap with a catalog check, or say why it is deliberate):\n{}",
        unexplained.join("\n")
    );
}

#[test]
fn the_person_table_in_docs_catalog_md_matches_the_catalog() {
    let text = std::fs::read_to_string(repo_file("core/catalog/catalog.json")).expect("catalog");
    let catalog: Value = serde_json::from_str(&text).expect("catalog is JSON");
    let (generated, _) = table(&catalog);
    let docs_path = repo_file("docs/catalog.md");
    let docs = std::fs::read_to_string(&docs_path).expect("docs/catalog.md");
    let (Some(begin), Some(end)) = (docs.find(BEGIN), docs.find(END)) else {
        panic!("docs/catalog.md lacks the markers\n{BEGIN}\n{END}");
    };
    let current = docs[begin + BEGIN.len()..end].trim();
    if current == generated {
        return;
    }
    if std::env::var_os("CERIA_BLESS").is_some_and(|v| v == "1") {
        let updated = format!("{}{BEGIN}\n{generated}\n{}", &docs[..begin], &docs[end..]);
        std::fs::write(&docs_path, updated).expect("write docs/catalog.md");
        return;
    }
    panic!(
        "the per-person check table in docs/catalog.md differs from core/catalog/catalog.json; \
         regenerate it with\n    CERIA_BLESS=1 cargo test -p ceria-core --test person_audit\n\
         generated:\n{generated}"
    );
}
