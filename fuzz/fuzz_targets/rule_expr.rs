//! The rule language: any text as a rule (what a catalog file carries), compiled against
//! the fields of every service of the embedded catalog, then evaluated on values taken from
//! the input. Input: one byte for the type of `.`, the rule up to the first newline, then
//! one value per line (field `k` reads line `k mod lines`).
//!
//! Beyond "no panic": a compiled rule's value has the rule's type (or is null), `eval_bool`
//! agrees with `eval`, and evaluation is deterministic.

#![no_main]

use ceria_core::expr::value::Value;
use ceria_core::expr::{Env, Expr, Scope, Type};
use ceria_core::{Catalog, Date, field_type};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Every field id of the embedded catalog (sorted, each once, the first service's type wins)
/// and every attachment id: real rules from the catalog compile here.
static FIELDS: LazyLock<(Vec<(String, Type)>, Vec<String>)> = LazyLock::new(|| {
    let catalog = Catalog::embedded();
    let mut fields = BTreeMap::new();
    let mut attachments = Vec::new();
    for service in catalog.services() {
        for f in &service.fields {
            fields.entry(f.id.clone()).or_insert(field_type(f.kind));
        }
        attachments.extend(service.attachments.iter().map(|a| a.id.clone()));
    }
    (fields.into_iter().collect(), attachments)
});

/// [`FIELDS`] with `.` of the given type (`None` outside a constraint).
struct CatalogScope(Option<Type>);

impl Scope for CatalogScope {
    fn field(&self, name: &str) -> Option<(usize, Type)> {
        let fields = &FIELDS.0;
        let index = fields
            .binary_search_by(|(id, _)| id.as_str().cmp(name))
            .ok()?;
        Some((index, fields.get(index)?.1))
    }
    fn current(&self) -> Option<Type> {
        self.0
    }
    fn has_attachment(&self, id: &str) -> bool {
        FIELDS.1.iter().any(|a| a == id)
    }
}

struct InputEnv {
    values: Vec<Value>,
    current: Value,
}

impl Env for InputEnv {
    fn field(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }
    fn current(&self) -> &Value {
        &self.current
    }
    fn today(&self) -> Date {
        ceria_fuzz::today()
    }
    fn attached(&self, id: &str) -> bool {
        id.len() % 2 == 0
    }
}

/// A field's text as the typed value a form gives it (null when it does not parse).
fn typed(text: &str, ty: Type) -> Value {
    let parsed = match ty {
        Type::Text => (!text.is_empty()).then(|| Value::Text(text.to_string())),
        Type::Int => text.parse().ok().map(Value::Int),
        Type::Date => Date::parse_iso(text).map(Value::Date),
        Type::Bool => text.parse().ok().map(Value::Bool),
    };
    parsed.unwrap_or(Value::Null)
}

fn type_of(value: &Value) -> Option<Type> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some(Type::Bool),
        Value::Int(_) => Some(Type::Int),
        Value::Text(_) => Some(Type::Text),
        Value::Date(_) => Some(Type::Date),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (rule, values) = text.split_once('\n').unwrap_or((text, ""));
    let current = [
        None,
        Some(Type::Bool),
        Some(Type::Int),
        Some(Type::Text),
        Some(Type::Date),
    ][usize::from(pick) % 5];
    let scope = CatalogScope(current);
    let Ok(expr) = Expr::compile(rule, &scope) else {
        return;
    };
    assert!(expr.fields().windows(2).all(|w| w[0] < w[1]));
    let lines: Vec<&str> = values.lines().collect();
    let line = |k: usize| lines.get(k % lines.len().max(1)).copied().unwrap_or("");
    let env = InputEnv {
        values: FIELDS
            .0
            .iter()
            .enumerate()
            .map(|(k, (_, ty))| typed(line(k), *ty))
            .collect(),
        current: current.map_or(Value::Null, |ty| typed(line(0), ty)),
    };
    let value = expr.eval(&env);
    if let Some(ty) = type_of(&value) {
        assert_eq!(ty, expr.ty(), "`{rule}` gave {value:?}");
    }
    assert_eq!(expr.eval(&env), value, "`{rule}` is not deterministic");
    if expr.ty() == Type::Bool {
        let expected = match value {
            Value::Bool(b) => Some(b),
            _ => None,
        };
        assert_eq!(expr.eval_bool(&env), expected, "`{rule}`");
    }
});
