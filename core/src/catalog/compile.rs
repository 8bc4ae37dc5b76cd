//! Load-time checking of a catalog: every reference resolved, every rule parsed and
//! type-checked, every message code present. The output is what validation evaluates.

use crate::catalog::error::CatalogError;
use crate::catalog::source::{CatalogSource, FieldKind, FieldSource, ServiceSource};
use crate::expr::{Expr, Scope, Type};
use crate::protocol::RequestState;
use std::collections::{HashMap, HashSet};

/// Message codes the engine itself emits; a catalog must word every one of them.
pub const ENGINE_CODES: &[&str] = &[
    "field.required",
    "field.unknown",
    "field.too_long",
    "text.invalid_chars",
    "integer.invalid",
    "integer.range",
    "choice.unknown",
    "bool.invalid",
    "date.invalid",
    "date.future",
    "date.too_old",
    "constraint.failed",
    "attachment.missing",
    "attachment.unknown",
];

/// A field ready to validate.
#[derive(Debug)]
pub(crate) struct CompiledField {
    pub relevant: Option<Expr>,
    pub required_if: Option<Expr>,
    pub constraint: Option<Expr>,
    pub constraint_code: String,
    pub calculate: Option<Expr>,
    /// Index of the `birth_date_field` / `sex_field` of a NIK field.
    pub birth_date_field: Option<usize>,
    pub sex_field: Option<usize>,
    /// Fields whose values this field's own rules read (for single-field validation).
    pub depends_on: Vec<usize>,
}

/// A cross-field check ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledCheck {
    pub expr: Expr,
    pub field: Option<usize>,
}

/// An attachment requirement ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledAttachment {
    pub required_if: Option<Expr>,
}

/// A service ready to validate.
#[derive(Debug)]
pub(crate) struct CompiledService {
    pub fields: Vec<CompiledField>,
    pub field_index: HashMap<String, usize>,
    pub checks: Vec<CompiledCheck>,
    pub attachments: Vec<CompiledAttachment>,
    pub deadline_field: Option<usize>,
}

/// Everything compiled from a catalog.
pub(crate) struct Compiled {
    pub services: Vec<CompiledService>,
    pub lists: HashMap<String, HashMap<String, usize>>,
}

/// The rule type a field kind has.
pub fn field_type(kind: FieldKind) -> Type {
    match kind {
        FieldKind::Date => Type::Date,
        FieldKind::Integer => Type::Int,
        FieldKind::Bool => Type::Bool,
        FieldKind::Text
        | FieldKind::Name
        | FieldKind::Nik
        | FieldKind::KkNumber
        | FieldKind::Choice
        | FieldKind::Phone
        | FieldKind::Region => Type::Text,
    }
}

struct Err<'a> {
    service: Option<&'a str>,
    field: Option<&'a str>,
}

impl Err<'_> {
    fn at(&self, property: &str, column: Option<usize>, message: String) -> CatalogError {
        CatalogError::Invalid {
            service: self.service.map(str::to_string),
            field: self.field.map(str::to_string),
            property: Some(property.to_string()),
            column,
            message,
        }
    }
}

fn top(message: String) -> CatalogError {
    CatalogError::Invalid {
        service: None,
        field: None,
        property: None,
        column: None,
        message,
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && s.as_bytes().first().is_some_and(|b| b.is_ascii_lowercase())
}

/// What a rule may see: fields declared before `visible_until` (or all of them), `.` of
/// `current`'s type, and the service's attachments.
struct ServiceScope<'a> {
    fields: &'a [FieldSource],
    index: &'a HashMap<String, usize>,
    visible_until: usize,
    current: Option<Type>,
    attachments: &'a HashSet<&'a str>,
}

impl Scope for ServiceScope<'_> {
    fn field(&self, name: &str) -> Option<(usize, Type)> {
        let &i = self.index.get(name)?;
        if i >= self.visible_until {
            return None;
        }
        Some((i, field_type(self.fields.get(i)?.kind)))
    }
    fn current(&self) -> Option<Type> {
        self.current
    }
    fn has_attachment(&self, id: &str) -> bool {
        self.attachments.contains(id)
    }
}

pub(crate) fn compile(src: &CatalogSource) -> Result<Compiled, CatalogError> {
    if src.format != 1 {
        return Err(top(format!(
            "format {} is not supported (this build reads 1)",
            src.format
        )));
    }
    if src.version.trim().is_empty() {
        return Err(top("version is empty".into()));
    }
    for state in RequestState::ALL {
        if !src.states.contains_key(state.code()) {
            return Err(top(format!("states: no label for `{}`", state.code())));
        }
    }
    let messages: HashSet<&str> = src.messages.keys().map(String::as_str).collect();
    for code in ENGINE_CODES.iter().chain(crate::validator_codes().iter()) {
        if !messages.contains(code) {
            return Err(top(format!("messages: no message for code `{code}`")));
        }
    }

    let mut lists = HashMap::new();
    for list in &src.code_lists {
        let e = Err {
            service: None,
            field: Some(&list.id),
        };
        if !is_id(&list.id) {
            return Err(e.at("id", None, "code list ids are snake_case".into()));
        }
        let mut codes = HashMap::new();
        for (i, item) in list.items.iter().enumerate() {
            if item.code.is_empty() || codes.insert(item.code.clone(), i).is_some() {
                return Err(e.at(
                    "items",
                    None,
                    format!("code `{}` empty or repeated", item.code),
                ));
            }
        }
        if lists.insert(list.id.clone(), codes).is_some() {
            return Err(e.at("id", None, "code list id repeated".into()));
        }
    }

    let groups: HashSet<&str> = src.groups.iter().map(|g| g.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut services = Vec::with_capacity(src.services.len());
    for service in &src.services {
        let e = Err {
            service: Some(&service.id),
            field: None,
        };
        if !is_id(&service.id) || !seen.insert(service.id.as_str()) {
            return Err(e.at("id", None, "service id must be unique snake_case".into()));
        }
        if !groups.contains(service.group.as_str()) {
            return Err(e.at("group", None, format!("unknown group `{}`", service.group)));
        }
        services.push(compile_service(service, &lists, &messages)?);
    }
    Ok(Compiled { services, lists })
}

fn compile_expr(
    src: &str,
    scope: &ServiceScope<'_>,
    want: Option<Type>,
    e: &Err<'_>,
    property: &str,
) -> Result<Expr, CatalogError> {
    let expr = Expr::compile(src, scope).map_err(|x| e.at(property, Some(x.column), x.message))?;
    if let Some(want) = want
        && expr.ty() != want
    {
        return Err(e.at(
            property,
            Some(1),
            format!("expression has type {:?}, expected {:?}", expr.ty(), want),
        ));
    }
    Ok(expr)
}

fn compile_service(
    service: &ServiceSource,
    lists: &HashMap<String, HashMap<String, usize>>,
    messages: &HashSet<&str>,
) -> Result<CompiledService, CatalogError> {
    let mut index = HashMap::new();
    for (i, f) in service.fields.iter().enumerate() {
        let e = Err {
            service: Some(&service.id),
            field: Some(&f.id),
        };
        if !is_id(&f.id) || index.insert(f.id.clone(), i).is_some() {
            return Err(e.at("id", None, "field id must be unique snake_case".into()));
        }
    }
    let mut attachment_ids = HashSet::new();
    for a in &service.attachments {
        let e = Err {
            service: Some(&service.id),
            field: Some(&a.id),
        };
        if !is_id(&a.id) || !attachment_ids.insert(a.id.as_str()) {
            return Err(e.at("id", None, "attachment id must be unique snake_case".into()));
        }
    }
    let n = service.fields.len();
    let mut fields = Vec::with_capacity(n);
    for (i, f) in service.fields.iter().enumerate() {
        let e = Err {
            service: Some(&service.id),
            field: Some(&f.id),
        };
        let ty = field_type(f.kind);
        check_kind_properties(f, lists, &e)?;
        // Relevance and computed values read only earlier fields, the way a paper form flows;
        // this also rules out cycles. Constraints and required-if may read any field.
        let earlier = ServiceScope {
            fields: &service.fields,
            index: &index,
            visible_until: i,
            current: None,
            attachments: &attachment_ids,
        };
        let any = ServiceScope {
            visible_until: n,
            ..earlier
        };
        let own = ServiceScope {
            current: Some(ty),
            ..any
        };
        let relevant = f
            .relevant
            .as_deref()
            .map(|s| compile_expr(s, &earlier, Some(Type::Bool), &e, "relevant"))
            .transpose()?;
        let calculate = f
            .calculate
            .as_deref()
            .map(|s| compile_expr(s, &earlier, Some(ty), &e, "calculate"))
            .transpose()?;
        let required_if = f
            .required_if
            .as_deref()
            .map(|s| compile_expr(s, &any, Some(Type::Bool), &e, "required_if"))
            .transpose()?;
        let constraint = f
            .constraint
            .as_deref()
            .map(|s| compile_expr(s, &own, Some(Type::Bool), &e, "constraint"))
            .transpose()?;
        let constraint_code = f
            .constraint_code
            .clone()
            .unwrap_or_else(|| "constraint.failed".to_string());
        if !messages.contains(constraint_code.as_str()) {
            return Err(e.at(
                "constraint_code",
                None,
                format!("no message `{constraint_code}`"),
            ));
        }
        let lookup = |name: &Option<String>, want: FieldKind, prop: &str| {
            name.as_ref()
                .map(|n| match index.get(n) {
                    Some(&j) if service.fields.get(j).is_some_and(|g| g.kind == want) => Ok(j),
                    _ => Err(e.at(prop, None, format!("`{n}` is not a {want:?} field"))),
                })
                .transpose()
        };
        let birth_date_field = lookup(&f.birth_date_field, FieldKind::Date, "birth_date_field")?;
        let sex_field = lookup(&f.sex_field, FieldKind::Choice, "sex_field")?;
        let mut depends_on: Vec<usize> = [&relevant, &calculate, &required_if, &constraint]
            .into_iter()
            .flatten()
            .flat_map(|x| x.fields().iter().copied())
            .chain(birth_date_field)
            .chain(sex_field)
            .filter(|&j| j != i)
            .collect();
        depends_on.sort_unstable();
        depends_on.dedup();
        fields.push(CompiledField {
            relevant,
            required_if,
            constraint,
            constraint_code,
            calculate,
            birth_date_field,
            sex_field,
            depends_on,
        });
    }

    let all = ServiceScope {
        fields: &service.fields,
        index: &index,
        visible_until: n,
        current: None,
        attachments: &attachment_ids,
    };
    let mut check_ids = HashSet::new();
    let mut checks = Vec::with_capacity(service.checks.len());
    for c in &service.checks {
        let e = Err {
            service: Some(&service.id),
            field: Some(&c.id),
        };
        if !is_id(&c.id) || !check_ids.insert(c.id.as_str()) {
            return Err(e.at("id", None, "check id must be unique snake_case".into()));
        }
        if !messages.contains(c.code.as_str()) {
            return Err(e.at("code", None, format!("no message `{}`", c.code)));
        }
        let mut field = None;
        for (k, name) in c.fields.iter().enumerate() {
            let Some(&j) = index.get(name) else {
                return Err(e.at("fields", None, format!("unknown field `{name}`")));
            };
            if k == 0 {
                field = Some(j);
            }
        }
        let expr = compile_expr(&c.expr, &all, Some(Type::Bool), &e, "expr")?;
        checks.push(CompiledCheck { expr, field });
    }

    let mut attachments = Vec::with_capacity(service.attachments.len());
    for a in &service.attachments {
        let e = Err {
            service: Some(&service.id),
            field: Some(&a.id),
        };
        let required_if = a
            .required_if
            .as_deref()
            .map(|s| compile_expr(s, &all, Some(Type::Bool), &e, "required_if"))
            .transpose()?;
        if a.max_files == Some(0) {
            return Err(e.at("max_files", None, "must be at least 1".into()));
        }
        attachments.push(CompiledAttachment { required_if });
    }

    let deadline_field = match &service.deadline {
        None => None,
        Some(d) => {
            let e = Err {
                service: Some(&service.id),
                field: None,
            };
            if !messages.contains(d.code.as_str()) {
                return Err(e.at("deadline", None, format!("no message `{}`", d.code)));
            }
            match index.get(&d.event_field) {
                Some(&j)
                    if service
                        .fields
                        .get(j)
                        .is_some_and(|f| f.kind == FieldKind::Date) =>
                {
                    Some(j)
                }
                _ => {
                    return Err(e.at(
                        "deadline",
                        None,
                        format!("event_field `{}` is not a date field", d.event_field),
                    ));
                }
            }
        }
    };

    Ok(CompiledService {
        fields,
        field_index: index,
        checks,
        attachments,
        deadline_field,
    })
}

fn check_kind_properties(
    f: &FieldSource,
    lists: &HashMap<String, HashMap<String, usize>>,
    e: &Err<'_>,
) -> Result<(), CatalogError> {
    match (f.kind, &f.list) {
        (FieldKind::Choice, Some(list)) if lists.contains_key(list) => {}
        (FieldKind::Choice, Some(list)) => {
            return Err(e.at("list", None, format!("unknown code list `{list}`")));
        }
        (FieldKind::Choice, None) => return Err(e.at("list", None, "choice needs a list".into())),
        (_, Some(_)) => return Err(e.at("list", None, "only choice fields have a list".into())),
        _ => {}
    }
    if (f.kind == FieldKind::Region) != f.region_level.is_some() {
        return Err(e.at(
            "region_level",
            None,
            "region fields (only) need a region_level".into(),
        ));
    }
    if f.name_policy.is_some() && f.kind != FieldKind::Name {
        return Err(e.at(
            "name_policy",
            None,
            "only name fields have a name_policy".into(),
        ));
    }
    if (f.min.is_some() || f.max.is_some()) && f.kind != FieldKind::Integer {
        return Err(e.at("min", None, "only integer fields have min/max".into()));
    }
    if let (Some(min), Some(max)) = (f.min, f.max)
        && min > max
    {
        return Err(e.at("min", None, "min is greater than max".into()));
    }
    if f.max_length.is_some() && !matches!(f.kind, FieldKind::Text | FieldKind::Name) {
        return Err(e.at(
            "max_length",
            None,
            "only text and name fields have max_length".into(),
        ));
    }
    if (f.birth_date_field.is_some() || f.sex_field.is_some()) && f.kind != FieldKind::Nik {
        return Err(e.at(
            "birth_date_field",
            None,
            "only NIK fields cross-check".into(),
        ));
    }
    Ok(())
}
