//! Loading a catalog: the embedded one loads; a broken one fails with an error that names the
//! service, field, property and position that is wrong.

use ceria_core::catalog::EMBEDDED_JSON;
use ceria_core::{Catalog, CatalogError, ValidateError, ValidationContext};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

fn embedded_json() -> Value {
    serde_json::from_str(EMBEDDED_JSON).unwrap()
}

fn load(v: &Value) -> Result<Catalog, CatalogError> {
    Catalog::from_json(&v.to_string())
}

/// The first service's id and its first field's id.
fn first_field(v: &Value) -> (String, String) {
    let s = &v["services"][0];
    (
        s["id"].as_str().unwrap().into(),
        s["fields"][0]["id"].as_str().unwrap().into(),
    )
}

#[test]
fn embedded_catalog_loads_with_version_and_hash() {
    let c = Catalog::embedded();
    assert!(!c.version().is_empty());
    assert_eq!(c.hash().len(), 64);
    assert_eq!(c.json(), EMBEDDED_JSON);
    // Same content, same hash: the ETag is stable across processes.
    assert_eq!(Catalog::from_json(EMBEDDED_JSON).unwrap().hash(), c.hash());
}

#[test]
fn syntax_error_names_line_and_column() {
    let err = Catalog::from_json("{\n  \"format\": 1,\n  \"version\": }").unwrap_err();
    match err {
        CatalogError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 14)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_field_in_a_rule_names_service_field_property_and_column() {
    let mut v = embedded_json();
    let (service, field) = first_field(&v);
    v["services"][0]["fields"][0]["constraint"] = json!("len(.) > 0 and ${tidak_ada} = 'x'");
    let err = load(&v).unwrap_err();
    let CatalogError::Invalid {
        service: s,
        field: f,
        property,
        column,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(s.as_deref(), Some(service.as_str()));
    assert_eq!(f.as_deref(), Some(field.as_str()));
    assert_eq!(property.as_deref(), Some("constraint"));
    assert_eq!(*column, Some(16), "{message}");
    assert!(message.contains("tidak_ada"), "{message}");
    let shown = err.to_string();
    assert!(
        shown.contains(&service) && shown.contains("constraint"),
        "{shown}"
    );
}

#[test]
fn type_mismatch_and_syntax_error_in_rules_fail_loading() {
    let mut v = embedded_json();
    v["services"][0]["fields"][0]["relevant"] = json!("17 + 1");
    assert!(
        matches!(load(&v), Err(CatalogError::Invalid { property: Some(p), .. }) if p == "relevant")
    );
    let mut v = embedded_json();
    v["services"][0]["checks"] = json!([{
        "id": "rusak", "expr": "(1 = 1", "severity": "error", "code": "constraint.failed"
    }]);
    assert!(
        matches!(load(&v), Err(CatalogError::Invalid { property: Some(p), .. }) if p == "expr")
    );
}

#[test]
fn dangling_references_fail_loading() {
    let mut v = embedded_json();
    v["services"][0]["group"] = json!("tidak_ada");
    assert!(load(&v).unwrap_err().to_string().contains("group"));

    let mut v = embedded_json();
    let messages = v["messages"].as_object_mut().unwrap();
    messages.remove("nik.length");
    assert!(load(&v).unwrap_err().to_string().contains("nik.length"));

    let mut v = embedded_json();
    v["states"].as_object_mut().unwrap().remove("completed");
    assert!(load(&v).unwrap_err().to_string().contains("completed"));

    let mut v = embedded_json();
    let fields = v["services"][0]["fields"].as_array_mut().unwrap();
    let dup = fields[0].clone();
    fields.push(dup);
    assert!(load(&v).unwrap_err().to_string().contains("unique"));
}

#[test]
fn validation_api_rejects_bad_calls_without_panicking() {
    let c = Catalog::embedded();
    let ctx = ValidationContext::default();
    let none = BTreeSet::new();
    let err = c
        .validate("tidak_ada", &BTreeMap::new(), &none, &ctx)
        .unwrap_err();
    assert_eq!(err, ValidateError::UnknownService("tidak_ada".into()));

    let (service, field) = first_field(&embedded_json());
    let mut values = BTreeMap::new();
    values.insert(field.clone(), "x".repeat(1024 * 1024));
    assert!(matches!(
        c.validate(&service, &values, &none, &ctx),
        Err(ValidateError::InputTooLarge(_))
    ));

    let mut values = BTreeMap::new();
    values.insert(field.clone(), "x".repeat(10_000));
    values.insert("bukan_field".into(), "1".into());
    let report = c.validate(&service, &values, &none, &ctx).unwrap();
    assert!(!report.valid);
    assert!(
        report
            .issues_for(&field)
            .any(|i| i.code == "field.too_long")
    );
    assert!(
        report
            .issues_for("bukan_field")
            .any(|i| i.code == "field.unknown")
    );

    assert!(matches!(
        c.validate_field(&service, "bukan_field", &BTreeMap::new(), &ctx),
        Err(ValidateError::UnknownField { .. })
    ));
    let malformed = ceria_core::form_values_from_json(&json!({"a": [1]}));
    assert!(matches!(malformed, Err(ValidateError::Malformed(m)) if m.contains("`a`")));
    assert!(ceria_core::form_values_from_json(&json!([1])).is_err());
    let ok = ceria_core::form_values_from_json(&json!({"a": 1, "b": true, "c": null})).unwrap();
    assert_eq!(ok.get("a").map(String::as_str), Some("1"));
    assert_eq!(ok.get("b").map(String::as_str), Some("true"));
    assert!(!ok.contains_key("c"));
}

#[test]
fn empty_form_lists_required_fields_and_missing_attachments() {
    let c = Catalog::embedded();
    let ctx = ValidationContext::default();
    for service in c.services() {
        let report = c
            .validate(&service.id, &BTreeMap::new(), &BTreeSet::new(), &ctx)
            .unwrap();
        assert!(!report.valid, "{}: an empty form must not pass", service.id);
        assert!(
            report.issues.iter().any(|i| i.code == "field.required"),
            "{}",
            service.id
        );
        for missing in &report.missing_attachments {
            assert!(service.attachments.iter().any(|a| &a.id == missing));
        }
        for issue in &report.issues {
            assert_ne!(
                issue.message_id, issue.code,
                "{}: {} has no message",
                service.id, issue.code
            );
        }
    }
}

#[test]
fn raw_form_bytes_with_bad_encoding_or_shape_are_refused_clearly() {
    use ceria_core::form_values_from_json_bytes as parse;
    let bad_utf8 = parse(b"{\"nama\": \"Bud\xff\"}").unwrap_err();
    assert!(
        matches!(&bad_utf8, ValidateError::Malformed(m) if m.contains("UTF-8") && m.contains("13"))
    );
    let truncated = parse(b"{\"nama\": \"Bu").unwrap_err();
    assert!(matches!(&truncated, ValidateError::Malformed(m) if m.contains("line 1")));
    let huge = vec![b' '; 600 * 1024];
    assert!(matches!(parse(&huge), Err(ValidateError::InputTooLarge(_))));
    let ok = parse("{\"nama\": \"Budi Santoso\", \"umur\": 17}".as_bytes()).unwrap();
    assert_eq!(ok.get("umur").map(String::as_str), Some("17"));
}

#[cfg(feature = "device")]
#[test]
fn every_device_code_and_local_state_is_worded() {
    let c = Catalog::embedded();
    for code in ceria_core::DEVICE_CODES {
        assert!(c.has_message(code), "catalog has no message for device code `{code}`");
    }
    for state in ["draft", "queued", "uploading", "pushed", "needs_fix"] {
        assert_ne!(c.state_label_by_code(state).id, state, "no label for local state {state}");
    }
}
