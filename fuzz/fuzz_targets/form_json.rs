//! Form JSON: any bytes as a form (`form_values_from_json_bytes`, as the CLI and server read
//! a form file or body), then full and per-field validation with the embedded catalog. The
//! first byte picks the service and whether its attachments count as present.

#![no_main]

use ceria_core::{Catalog, ValidationContext, form_values_from_json_bytes};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

static CATALOG: LazyLock<Arc<Catalog>> = LazyLock::new(Catalog::embedded);

fuzz_target!(|data: &[u8]| {
    let Some((&pick, json)) = data.split_first() else {
        return;
    };
    let Ok(values) = form_values_from_json_bytes(json) else {
        return;
    };
    let services = CATALOG.services();
    let Some(service) = services.get(usize::from(pick) % services.len().max(1)) else {
        return;
    };
    let attached: BTreeSet<String> = if pick & 0x80 != 0 {
        service.attachments.iter().map(|a| a.id.clone()).collect()
    } else {
        BTreeSet::new()
    };
    let ctx = ValidationContext {
        today: Some(ceria_fuzz::today()),
        regions: None,
    };
    let report = CATALOG
        .validate(&service.id, &values, &attached, &ctx)
        .expect("a form within the input limits validates");
    assert_eq!(
        report.valid,
        report
            .issues
            .iter()
            .all(|i| i.severity != ceria_core::Severity::Error)
    );
    for field in values.keys().take(4) {
        // Unknown fields are an `Err`; known ones must check without panicking.
        let _ = CATALOG.validate_field(&service.id, field, &values, &ctx);
    }
});
