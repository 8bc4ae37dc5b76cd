//! Forms sent as JSON (a file, an HTTP body) turned into the text per field that validation
//! takes.

use super::{MAX_FORM_BYTES, check_input};
use crate::catalog::error::ValidateError;
use std::collections::BTreeMap;

/// Turns a JSON object (`{"field": value}`) into form text. Strings are taken as they are,
/// numbers and booleans as their JSON text, `null` as empty; arrays and objects are refused
/// with the field named, because no field holds them.
pub fn form_values_from_json(
    json: &serde_json::Value,
) -> Result<BTreeMap<String, String>, ValidateError> {
    let serde_json::Value::Object(map) = json else {
        return Err(ValidateError::Malformed(
            "the form must be a JSON object".into(),
        ));
    };
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                return Err(ValidateError::Malformed(format!(
                    "field `{key}` must be a string, number or boolean"
                )));
            }
        };
        out.insert(key.clone(), text);
    }
    check_input(&out)?;
    Ok(out)
}

/// Parses a form sent as raw bytes (a file, an HTTP body): JSON text, UTF-8, an object of
/// field values. Invalid UTF-8, malformed JSON and wrong shapes are reported as
/// [`ValidateError::Malformed`] with the position, never a panic.
pub fn form_values_from_json_bytes(
    bytes: &[u8],
) -> Result<BTreeMap<String, String>, ValidateError> {
    if bytes.len() > MAX_FORM_BYTES * 2 {
        return Err(ValidateError::InputTooLarge(format!(
            "{} bytes (at most {})",
            bytes.len(),
            MAX_FORM_BYTES * 2
        )));
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ValidateError::Malformed(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        )));
    }
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ValidateError::Malformed(format!("line {} column {}: {e}", e.line(), e.column()))
    })?;
    form_values_from_json(&json)
}
