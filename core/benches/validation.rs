//! Validation speed on this machine (targets: full ~40-field form <= 20 us, one field <= 2 us,
//! catalog load + type-check <= 5 ms). Run: `cargo bench -p ceria-core --bench validation`.

use ceria_core::catalog::EMBEDDED_JSON;
use ceria_core::{Catalog, Date, ValidationContext};
use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;

#[path = "../tests/fixtures/example_form.rs"]
mod example_form;

/// The biggest form of the catalog and its valid example from the test fixtures.
fn biggest_form(catalog: &Catalog) -> (String, BTreeMap<String, String>, BTreeSet<String>) {
    let service = catalog
        .services()
        .iter()
        .max_by_key(|s| s.fields.len())
        .map(|s| s.id.clone())
        .unwrap_or_default();
    let (values, attached) = example_form::example_form(&service);
    (service, values, attached)
}

fn benches(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let (service, values, attached) = biggest_form(&catalog);
    let fields = catalog.service(&service).map_or(0, |s| s.fields.len());
    let ctx = ValidationContext {
        today: Date::from_ymd(2026, 11, 29),
        regions: None,
    };
    let report = catalog
        .validate(&service, &values, &attached, &ctx)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report.valid,
        "benchmark form must be valid: {:?}",
        report.issues
    );
    println!("benchmark form: {service} with {fields} fields");

    c.bench_function(
        &format!("validate full form ({service}, {fields} fields)"),
        |b| b.iter(|| catalog.validate(black_box(&service), black_box(&values), &attached, &ctx)),
    );
    let nik_field = catalog
        .service(&service)
        .and_then(|s| {
            s.fields
                .iter()
                .find(|f| f.kind == ceria_core::FieldKind::Nik)
        })
        .map(|f| f.id.clone())
        .unwrap_or_default();
    c.bench_function(
        &format!("validate one field ({nik_field}, in context)"),
        |b| {
            b.iter(|| {
                catalog.validate_field(black_box(&service), black_box(&nik_field), &values, &ctx)
            })
        },
    );
    c.bench_function("catalog load + type-check (embedded)", |b| {
        b.iter(|| Catalog::from_json(black_box(EMBEDDED_JSON)))
    });
}

criterion_group!(validation, benches);
criterion_main!(validation);
