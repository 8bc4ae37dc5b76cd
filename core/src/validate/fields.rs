//! Parsing one field's text by its kind (free text, dates, integers) into a typed value and
//! the findings about it, before rules see it.

use crate::expr::value::Value;
use crate::report::{Finding, Severity};
use crate::validate::date::Date;

/// One field's parse result.
pub(super) struct Parsed {
    pub(super) value: Value,
    pub(super) normalized: Option<String>,
    pub(super) findings: Vec<Finding>,
}

impl Parsed {
    pub(super) fn ok(value: Value) -> Parsed {
        Parsed {
            value,
            normalized: None,
            findings: Vec::new(),
        }
    }
    pub(super) fn bad(findings: Vec<Finding>) -> Parsed {
        // A value with an error is unknown to the rules; warnings keep the value.
        Parsed {
            value: Value::Null,
            normalized: None,
            findings,
        }
    }
}

/// A parsed value that keeps its value unless a finding is an error.
pub(super) fn with_warnings(
    value: Value,
    normalized: Option<String>,
    findings: Vec<Finding>,
) -> Parsed {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Parsed::bad(findings)
    } else {
        Parsed {
            value,
            normalized,
            findings,
        }
    }
}

/// At most 40 characters of a user's text, for a message parameter.
pub(super) fn clip(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

pub(super) fn parse_text(text: &str, max: usize) -> Parsed {
    let length = text.chars().count();
    if length > max {
        return Parsed::bad(vec![
            Finding::error("field.too_long")
                .with("max", max.to_string())
                .with("length", length.to_string()),
        ]);
    }
    let mut bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    if !bad.is_empty() {
        bad.dedup();
        let shown: String = bad
            .iter()
            .take(5)
            .map(|c| c.escape_unicode().to_string())
            .collect();
        return Parsed::bad(vec![
            Finding::error("text.invalid_chars").with("chars", shown),
        ]);
    }
    Parsed::ok(Value::Text(text.to_string()))
}

pub(super) fn parse_date(text: &str, today: Date, allow_future: bool) -> Parsed {
    let Some(date) = Date::parse_iso(text) else {
        // Well-shaped but before the earliest accepted year: say so rather than "invalid".
        let year: Option<i32> = text.get(0..4).and_then(|y| y.parse().ok());
        if text.len() == 10 && year.is_some_and(|y| y < crate::validate::date::MIN_YEAR) {
            return Parsed::bad(vec![
                Finding::error("date.too_old")
                    .with("min", crate::validate::date::MIN_YEAR.to_string()),
            ]);
        }
        return Parsed::bad(vec![Finding::error("date.invalid")]);
    };
    if !allow_future && date > today {
        return Parsed::bad(vec![Finding::error("date.future")]);
    }
    Parsed::ok(Value::Date(date))
}

pub(super) fn parse_integer(text: &str, min: Option<i64>, max: Option<i64>) -> Parsed {
    let Ok(n) = text.parse::<i64>() else {
        return Parsed::bad(vec![Finding::error("integer.invalid")]);
    };
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        return Parsed::bad(vec![
            Finding::error("integer.range")
                .with("min", min.map_or("-".into(), |m| m.to_string()))
                .with("max", max.map_or("-".into(), |m| m.to_string())),
        ]);
    }
    Parsed::ok(Value::Int(n))
}
