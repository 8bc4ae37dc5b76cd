//! A father born after his child on a birth report (`akta_kelahiran`, issue 16) is refused by
//! the catalog's rule `parent.born_after_child`, the same rule the phone, `ceria validate form`
//! and the server's push run. No minimum age is invented for fathers.

use ceria_core::{Catalog, Severity, ValidationContext, ValidationReport};
use std::collections::{BTreeMap, BTreeSet};

#[path = "fixtures/example_form.rs"]
mod example_form;

/// The valid birth report of the catalog's example forms and its attachments.
fn birth_report() -> (BTreeMap<String, String>, BTreeSet<String>) {
    example_form::example_form("akta_kelahiran")
}

/// Validates as the phone does (`Device` runs the same `Catalog::validate`), with today's date.
fn validate(values: &BTreeMap<String, String>, attached: &BTreeSet<String>) -> ValidationReport {
    let ctx = ValidationContext {
        today: None,
        regions: None,
    };
    Catalog::embedded()
        .validate("akta_kelahiran", values, attached, &ctx)
        .unwrap()
}

fn errors_on<'a>(report: &'a ValidationReport, field: &str) -> Vec<&'a str> {
    report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error && i.field.as_deref() == Some(field))
        .map(|i| i.code.as_str())
        .collect()
}

/// Sets the father (and, as he reports, the reporter) to a man born on `born` with a NIK that
/// matches it.
fn father_born(values: &mut BTreeMap<String, String>, born: &str) {
    let (y, m, d) = (&born[2..4], &born[5..7], &born[8..10]);
    let nik = format!("130509{d}{m}{y}0004");
    values.insert("tanggal_lahir_ayah".into(), born.into());
    values.insert("nik_ayah".into(), nik.clone());
    values.insert("nik_pelapor".into(), nik);
}

#[test]
fn a_father_born_after_his_child_is_refused_on_his_fields() {
    let (mut values, attached) = birth_report();
    assert!(validate(&values, &attached).valid);
    // The child was born on 2026-10-20; the father's NIK matches his stated birth date.
    father_born(&mut values, "2026-11-05");
    let report = validate(&values, &attached);
    assert!(!report.valid);
    assert_eq!(
        errors_on(&report, "tanggal_lahir_ayah"),
        ["parent.born_after_child"]
    );
    let issue = report
        .issues
        .iter()
        .find(|i| i.code == "parent.born_after_child")
        .unwrap();
    assert!(
        issue.message_id.contains("Tanggal lahir ayah"),
        "{}",
        issue.message_id
    );
    assert!(!issue.message_en.is_empty());
    // Born on the child's birthday is just as impossible.
    father_born(&mut values, "2026-10-20");
    let report = validate(&values, &attached);
    assert_eq!(
        errors_on(&report, "tanggal_lahir_ayah"),
        ["parent.born_after_child"]
    );
}

#[test]
fn no_minimum_age_is_invented_for_fathers_and_the_mothers_rule_is_kept() {
    let (mut values, attached) = birth_report();
    // Aged 3 at the birth: implausible, but no regulation sets a father's minimum age.
    father_born(&mut values, "2023-05-01");
    let report = validate(&values, &attached);
    assert!(
        errors_on(&report, "tanggal_lahir_ayah").is_empty(),
        "{:?}",
        report.issues
    );
    assert!(
        errors_on(&report, "nik_ayah").is_empty(),
        "{:?}",
        report.issues
    );
    // The mother's rule (at least 10 at the birth) stays as it was.
    let (mut values, attached) = birth_report();
    values.insert("tanggal_lahir_ibu".into(), "2020-03-12".into());
    values.insert("nik_ibu".into(), "1305095203200003".into());
    let report = validate(&values, &attached);
    assert_eq!(
        errors_on(&report, "tanggal_lahir_ibu"),
        ["akta_kelahiran.mother_age"]
    );
}
