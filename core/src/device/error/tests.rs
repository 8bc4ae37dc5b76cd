//! Tests of the wording of device errors.

use super::*;
use crate::device::sync::http_api::Failure;
use crate::protocol::Problem;

#[test]
fn validate_errors_keep_their_codes() {
    let c = Catalog::embedded();
    let e = DeviceError::from_validate(&c, ValidateError::UnknownService("x".into()));
    assert_eq!(e.code(), "service.unknown");
    let e = DeviceError::from_validate(
        &c,
        ValidateError::UnknownField {
            service: "ktp_baru".into(),
            field: "zz".into(),
        },
    );
    assert_eq!(e.code(), "field.unknown");
    assert!(matches!(e, DeviceError::InvalidInput { .. }));
    let e = DeviceError::from_validate(&c, ValidateError::InputTooLarge("big".into()));
    assert_eq!(e.code(), "request.malformed");
    // Worded by the catalog, not the bare code.
    assert_ne!(e.message("id"), "request.malformed");
}

#[test]
fn server_words_are_kept_and_others_come_from_the_catalog() {
    let c = Catalog::embedded();
    let problem = Problem {
        type_uri: "about:blank".into(),
        title: "t".into(),
        status: 401,
        code: "auth.session_revoked".into(),
        message_id: "kata server".into(),
        message_en: "server words".into(),
        detail: None,
        issues: Vec::new(),
    };
    let e = Error::from(Failure::Unauthorized(Some(Box::new(problem)))).word(&c);
    assert_eq!(e.code(), "auth.session_revoked");
    assert_eq!(e.message("en"), "server words");
    let e = Error::from(Failure::Retry {
        status: 503,
        retry_after_ms: Some(5),
        problem: None,
    })
    .word(&c);
    assert!(matches!(
        e,
        DeviceError::Server {
            status: 503,
            retry_after_ms: Some(5),
            ..
        }
    ));
    assert_eq!(e.code(), "sync.server_error");
    assert_eq!(e.message("en"), c.message("sync.server_error", &[]).en);
    let e = Error::storage("disk full").word(&c);
    assert!(matches!(e, DeviceError::Storage { ref detail, .. } if detail == "disk full"));
}
