//! Errors of the catalog and validation API. Validation *findings* are not errors: they are
//! [`crate::Issue`]s in a report. These errors mean the call itself could not be answered.

/// Why a catalog could not be loaded. Names the service, field and position that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The file is not valid JSON or does not have the catalog's shape.
    #[error("catalog JSON, line {line} column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is well-formed but its content is inconsistent.
    #[error("{}", describe_invalid(.service, .field, .property, .column, .message))]
    Invalid {
        /// The service, if the problem is inside one.
        service: Option<String>,
        /// The field, check or attachment id, if the problem is inside one.
        field: Option<String>,
        /// The property, e.g. `constraint` or `list`.
        property: Option<String>,
        /// 1-based column inside an expression, if the problem is in one.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

fn describe_invalid(
    service: &Option<String>,
    field: &Option<String>,
    property: &Option<String>,
    column: &Option<usize>,
    message: &str,
) -> String {
    let mut at = Vec::new();
    if let Some(s) = service {
        at.push(format!("service `{s}`"));
    }
    if let Some(f) = field {
        at.push(format!("`{f}`"));
    }
    if let Some(p) = property {
        at.push(format!("property `{p}`"));
    }
    if let Some(c) = column {
        at.push(format!("column {c}"));
    }
    if at.is_empty() {
        message.to_string()
    } else {
        format!("{}: {message}", at.join(", "))
    }
}

/// Why a validation call could not be answered at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidateError {
    /// The service id is not in the catalog.
    #[error("unknown service `{0}`")]
    UnknownService(String),
    /// The field id is not in the service (single-field validation).
    #[error("unknown field `{field}` in service `{service}`")]
    UnknownField {
        /// Service id.
        service: String,
        /// Field id.
        field: String,
    },
    /// The input is larger than any real form (guards memory and time).
    #[error("form input too large: {0}")]
    InputTooLarge(String),
    /// The input does not have the form's shape (e.g. a JSON array where an object belongs).
    #[error("malformed form input: {0}")]
    Malformed(String),
}
