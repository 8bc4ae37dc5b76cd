//! The catalog loader: any bytes as a catalog file (what `PUT /v1/catalog` and a device's
//! catalog refresh take). Loading must fail cleanly or give a catalog that works: its own
//! JSON loads again to the same catalog, and every service validates an empty form.

#![no_main]

use ceria_core::{Catalog, ValidationContext};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeMap, BTreeSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(catalog) = Catalog::from_json(text) else {
        return;
    };
    let again = Catalog::from_json(catalog.json()).expect("a loaded catalog reloads");
    assert_eq!(again.hash(), catalog.hash());
    let ctx = ValidationContext {
        today: Some(ceria_fuzz::today()),
        regions: None,
    };
    for service in catalog.services() {
        let report = catalog
            .validate(&service.id, &BTreeMap::new(), &BTreeSet::new(), &ctx)
            .expect("a service of the catalog validates");
        assert_eq!(report.service, service.id);
    }
});
