//! Every service in the embedded catalog has an example form that passes and the typical
//! mistakes citizens make, each failing with the expected code
//! (`core/tests/fixtures/services/<service>.json`).

use ceria_core::{Catalog, Date, Severity, ValidationContext};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Deserialize)]
struct Fixture {
    today: String,
    valid: Form,
    #[serde(default)]
    valid_warnings: Vec<String>,
    mistakes: Vec<Mistake>,
}

#[derive(Deserialize)]
struct Form {
    values: BTreeMap<String, String>,
    #[serde(default)]
    attachments: Vec<String>,
}

#[derive(Deserialize)]
struct Mistake {
    what: String,
    values: BTreeMap<String, String>,
    #[serde(default)]
    attachments: Vec<String>,
    expect: Vec<Expected>,
}

#[derive(Deserialize)]
struct Expected {
    field: Option<String>,
    code: String,
}

fn load(service: &str) -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/services")
        .join(format!("{service}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} missing: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {service}: {e}"))
}

#[test]
fn every_service_has_a_passing_example_and_failing_typical_mistakes() {
    let catalog = Catalog::embedded();
    assert!(
        catalog.services().len() >= 17,
        "catalog lists every required service"
    );
    let mut failures = Vec::new();
    for service in catalog.services() {
        let fx = load(&service.id);
        let today = Date::parse_iso(&fx.today).expect("fixture date");
        let ctx = ValidationContext {
            today: Some(today),
            regions: None,
        };
        let attached: BTreeSet<String> = fx.valid.attachments.iter().cloned().collect();
        let report = catalog
            .validate(&service.id, &fx.valid.values, &attached, &ctx)
            .unwrap();
        for issue in &report.issues {
            let allowed =
                issue.severity == Severity::Warning && fx.valid_warnings.contains(&issue.code);
            if !allowed {
                failures.push(format!(
                    "{}: valid example has {:?} {} on {:?}: {}",
                    service.id, issue.severity, issue.code, issue.field, issue.message_id
                ));
            }
        }
        assert!(
            !fx.mistakes.is_empty(),
            "{}: no typical mistake",
            service.id
        );
        for m in &fx.mistakes {
            let attached: BTreeSet<String> = m.attachments.iter().cloned().collect();
            let report = catalog
                .validate(&service.id, &m.values, &attached, &ctx)
                .unwrap();
            for want in &m.expect {
                let found = report
                    .issues
                    .iter()
                    .any(|i| i.code == want.code && i.field == want.field);
                if !found {
                    failures.push(format!(
                        "{}: mistake `{}` should give {} on {:?}, got {:?}",
                        service.id,
                        m.what,
                        want.code,
                        want.field,
                        report
                            .issues
                            .iter()
                            .map(|i| (&i.code, &i.field))
                            .collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_message_is_worded_in_both_languages() {
    let catalog = Catalog::embedded();
    for (code, text) in &catalog.source().messages {
        assert!(
            !text.id.trim().is_empty() && !text.en.trim().is_empty(),
            "{code}"
        );
    }
    for service in catalog.services() {
        assert!(
            !service.name.id.is_empty() && !service.name.en.is_empty(),
            "{}",
            service.id
        );
        assert_eq!(service.fee, 0, "{}: services are free by law", service.id);
        for f in &service.fields {
            assert!(
                !f.label.id.is_empty() && !f.label.en.is_empty(),
                "{}.{}",
                service.id,
                f.id
            );
        }
    }
}
