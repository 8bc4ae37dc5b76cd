//! Building `CeriaError`s for the few failures the FFI layer meets itself (arguments that are
//! not in the expected format, validation calls that cannot be answered). The wording comes
//! from the catalog's `messages`, like every error of the core.

use ceria_core::{Catalog, DeviceError, ValidateError};

/// An `InvalidInput` error with `code`, worded by the catalog.
pub(crate) fn invalid(catalog: &Catalog, code: &str, params: &[(&str, String)]) -> DeviceError {
    let text = catalog.message(code, params);
    DeviceError::InvalidInput {
        code: code.to_string(),
        message_id: text.id,
        message_en: text.en,
    }
}

/// `request.malformed`: an argument the app should never have sent (a programming error in
/// the app, not something the user typed). `detail` says which one.
pub(crate) fn malformed(catalog: &Catalog, detail: String) -> DeviceError {
    invalid(catalog, "request.malformed", &[("detail", detail)])
}

/// Words a validation call that could not be answered.
pub(crate) fn validate_error(catalog: &Catalog, e: ValidateError) -> DeviceError {
    match e {
        ValidateError::UnknownService(service) => {
            invalid(catalog, "service.unknown", &[("service", service)])
        }
        ValidateError::UnknownField { field, .. } => {
            invalid(catalog, "field.unknown", &[("field", field)])
        }
        other @ (ValidateError::InputTooLarge(_) | ValidateError::Malformed(_)) => {
            malformed(catalog, other.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_errors_keep_their_codes() {
        let c = Catalog::embedded();
        let e = validate_error(&c, ValidateError::UnknownService("x".into()));
        assert_eq!(e.code(), "service.unknown");
        let e = validate_error(
            &c,
            ValidateError::UnknownField {
                service: "ktp_baru".into(),
                field: "zz".into(),
            },
        );
        assert_eq!(e.code(), "field.unknown");
        assert!(matches!(e, DeviceError::InvalidInput { .. }));
        let e = validate_error(&c, ValidateError::InputTooLarge("big".into()));
        assert_eq!(e.code(), "request.malformed");
        // Worded by the catalog, not the bare code.
        assert_ne!(e.message("id"), "request.malformed");
    }
}
