//! Typed values that rules compute with.
//!
//! Forms travel as text (`field -> string`), the way every form tool stores them; each field's
//! kind turns its text into a typed [`Value`] before rules see it. An empty or unparseable
//! field is [`Value::Null`], and rules treat it as "unknown" rather than failing.

use crate::validate::date::Date;
use std::fmt;

/// A typed value inside the rule engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Empty, missing or not (yet) valid.
    Null,
    /// A yes/no answer or the result of a comparison.
    Bool(bool),
    /// A whole number (ages, counts, days).
    Int(i64),
    /// Text, including codes from code lists and identity numbers.
    Text(String),
    /// A calendar date.
    Date(Date),
}

impl Value {
    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as the text a form stores (`""` for null).
    pub fn to_form_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write!(f, "{d}"),
        }
    }
}
