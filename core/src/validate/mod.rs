//! Form validation: the same code on the phone (offline, while typing) and on the server
//! (when a request arrives), so the two never disagree.
//!
//! A form is text per field. Validation runs in form order: each field's text is parsed by its
//! kind (NIK, date, code list, ...), computed fields are calculated, relevance is decided (a
//! field that is not relevant counts as empty), then required marks, constraints, domain
//! cross-checks, service checks, the reporting deadline and the attachments are checked.

pub mod date;
pub mod name;
pub mod nik;
pub mod nomor_kk;
pub mod phone;
pub mod region;
pub mod region_table;

mod fields;
mod json;

use fields::{Parsed, clip, parse_date, parse_integer, parse_text, with_warnings};
pub use json::{form_values_from_json, form_values_from_json_bytes};

use crate::catalog::Catalog;
use crate::catalog::compile::CompiledService;
use crate::catalog::error::ValidateError;
use crate::catalog::source::{FieldKind, FieldSource, NamePolicy, ServiceSource};
use crate::expr::Env;
use crate::expr::value::Value;
use crate::report::{Finding, Issue, Severity};
use crate::validate::date::Date;
use crate::validate::region::RegionTable;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Longest text accepted in one field before it is even looked at (bytes).
pub const MAX_VALUE_BYTES: usize = 4096;
/// Most values in one form.
pub const MAX_VALUES: usize = 512;
/// Largest whole form (bytes of keys and values).
pub const MAX_FORM_BYTES: usize = 256 * 1024;
/// Default longest free text, in characters.
pub const DEFAULT_TEXT_MAX: usize = 200;
/// Default longest name, in characters (Permendagri 73/2022).
pub const DEFAULT_NAME_MAX: usize = 60;

/// What validation needs besides the form: today's date and, optionally, a region table.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidationContext<'a> {
    /// Today in the regency; `None` takes the system clock at the catalog's UTC offset.
    pub today: Option<Date>,
    /// Region names and the unknown-region warning; `None` skips those checks.
    pub regions: Option<&'a RegionTable>,
}

/// The outcome of validating a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ValidationReport {
    /// Service id.
    pub service: String,
    /// True when there is no error (warnings allowed).
    pub valid: bool,
    /// Issues in field order, then form-level ones.
    pub issues: Vec<Issue>,
    /// Required attachment requirements with no file yet.
    pub missing_attachments: Vec<String>,
    /// Fields relevant (to be shown) right now, in display order.
    pub relevant_fields: Vec<String>,
    /// Relevant fields that are required right now.
    pub required_fields: Vec<String>,
    /// Computed values (`calculate`) and normalised inputs (phone in E.164, tidied names,
    /// dotted region codes), by field id.
    pub computed: BTreeMap<String, String>,
}

impl ValidationReport {
    /// Issues of one field.
    pub fn issues_for<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Issue> + 'a {
        self.issues
            .iter()
            .filter(move |i| i.field.as_deref() == Some(field))
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count()
    }
}

/// Typed field values and what the expression environment needs.
struct FormEnv<'a> {
    values: Vec<Value>,
    /// The field whose constraint is being evaluated (`.`).
    current: Option<usize>,
    today: Date,
    attached: &'a BTreeSet<String>,
}

impl Env for FormEnv<'_> {
    fn field(&self, index: usize) -> &Value {
        self.values.get(index).unwrap_or(&Value::Null)
    }
    fn current(&self) -> &Value {
        match self.current {
            Some(i) => self.field(i),
            None => &Value::Null,
        }
    }
    fn today(&self) -> Date {
        self.today
    }
    fn attached(&self, id: &str) -> bool {
        self.attached.contains(id)
    }
}

fn check_input(values: &BTreeMap<String, String>) -> Result<(), ValidateError> {
    if values.len() > MAX_VALUES {
        return Err(ValidateError::InputTooLarge(format!(
            "{} values (at most {MAX_VALUES})",
            values.len()
        )));
    }
    let total: usize = values.iter().map(|(k, v)| k.len() + v.len()).sum();
    if total > MAX_FORM_BYTES {
        return Err(ValidateError::InputTooLarge(format!(
            "{total} bytes (at most {MAX_FORM_BYTES})"
        )));
    }
    Ok(())
}

impl Catalog {
    /// Validates a whole form of `service`: `values` are the field texts (absent or blank =
    /// empty), `attached` the attachment requirement ids that have at least one file.
    ///
    /// Returns a report; an `Err` only when the call itself is wrong (unknown service, input
    /// far larger than any form).
    pub fn validate(
        &self,
        service: &str,
        values: &BTreeMap<String, String>,
        attached: &BTreeSet<String>,
        ctx: &ValidationContext<'_>,
    ) -> Result<ValidationReport, ValidateError> {
        let (src, compiled) = self
            .compiled(service)
            .ok_or_else(|| ValidateError::UnknownService(service.into()))?;
        check_input(values)?;
        let today = ctx
            .today
            .unwrap_or_else(|| Date::today(self.utc_offset_minutes()));
        let mut report = ValidationReport {
            service: service.to_string(),
            valid: true,
            issues: Vec::new(),
            missing_attachments: Vec::new(),
            relevant_fields: Vec::new(),
            required_fields: Vec::new(),
            computed: BTreeMap::new(),
        };
        let n = src.fields.len();
        let mut env = FormEnv {
            values: vec![Value::Null; n],
            current: None,
            today,
            attached,
        };
        // Counts the input keys that name a field, so unknown keys are only searched for
        // when there are some.
        let mut known_keys = 0;
        let mut parsed: Vec<Option<Parsed>> = Vec::with_capacity(n);
        let mut relevant = vec![false; n];
        for (i, (field, cf)) in src.fields.iter().zip(&compiled.fields).enumerate() {
            let raw = values.get(&field.id);
            known_keys += usize::from(raw.is_some());
            let is_relevant = cf
                .relevant
                .as_ref()
                .is_none_or(|e| e.eval_bool(&env) == Some(true));
            relevant[i] = is_relevant;
            if !is_relevant {
                parsed.push(None);
                continue;
            }
            let mut p = match &cf.calculate {
                Some(expr) => Parsed::ok(expr.eval(&env)),
                None => {
                    let raw = raw.map(String::as_str).unwrap_or("");
                    self.parse_field(field, raw, today, ctx.regions)
                }
            };
            if cf.calculate.is_some() && !p.value.is_null() {
                report
                    .computed
                    .insert(field.id.clone(), p.value.to_form_text());
            } else if let Some(norm) = p.normalized.take() {
                report.computed.insert(field.id.clone(), norm);
            }
            if let Some(slot) = env.values.get_mut(i) {
                *slot = std::mem::replace(&mut p.value, Value::Null);
            }
            parsed.push(Some(p));
        }

        if known_keys != values.len() {
            for key in values.keys() {
                if !compiled.field_index.contains_key(key) {
                    let finding = Finding::error("field.unknown").with("field", key.clone());
                    report
                        .issues
                        .push(self.issue_with_label(Some(key), &finding, None));
                }
            }
        }
        for (i, field) in src.fields.iter().enumerate() {
            let Some(Some(p)) = parsed.get(i) else {
                continue;
            };
            report.relevant_fields.push(field.id.clone());
            let required = compiled
                .fields
                .get(i)
                .is_some_and(|cf| is_required(field.required, cf.required_if.as_ref(), &env));
            if required {
                report.required_fields.push(field.id.clone());
            }
            let issues = self.field_issues(src, compiled, i, p, required, &mut env);
            report.issues.extend(issues);
        }

        self.service_level_issues(src, compiled, &env, &relevant, &mut report);
        report.valid = report.issues.iter().all(|i| i.severity != Severity::Error);
        Ok(report)
    }

    /// Validates one field in the context of the form, for live checks while typing. Only the
    /// fields this field's rules read are parsed, so it stays cheap; relevance of those other
    /// fields is not re-derived (full validation on save does that).
    pub fn validate_field(
        &self,
        service: &str,
        field: &str,
        values: &BTreeMap<String, String>,
        ctx: &ValidationContext<'_>,
    ) -> Result<Vec<Issue>, ValidateError> {
        let (src, compiled) = self
            .compiled(service)
            .ok_or_else(|| ValidateError::UnknownService(service.into()))?;
        let &i = compiled
            .field_index
            .get(field)
            .ok_or_else(|| ValidateError::UnknownField {
                service: service.into(),
                field: field.into(),
            })?;
        check_input(values)?;
        let today = ctx
            .today
            .unwrap_or_else(|| Date::today(self.utc_offset_minutes()));
        let no_attachments = BTreeSet::new();
        let mut env = FormEnv {
            values: vec![Value::Null; src.fields.len()],
            current: None,
            today,
            attached: &no_attachments,
        };
        let (Some(fs), Some(cf)) = (src.fields.get(i), compiled.fields.get(i)) else {
            return Ok(Vec::new());
        };
        for &j in &cf.depends_on {
            let (Some(dep), Some(dep_c)) = (src.fields.get(j), compiled.fields.get(j)) else {
                continue;
            };
            let value = match &dep_c.calculate {
                // A computed dependency reads earlier fields that were not parsed here; it is
                // left unknown, which rules treat as "cannot judge yet".
                Some(_) => Value::Null,
                None => {
                    let raw = values.get(&dep.id).map(String::as_str).unwrap_or("");
                    self.parse_field(dep, raw, today, None).value
                }
            };
            if let Some(slot) = env.values.get_mut(j) {
                *slot = value;
            }
        }
        if cf
            .relevant
            .as_ref()
            .is_some_and(|e| e.eval_bool(&env) != Some(true))
        {
            return Ok(Vec::new());
        }
        let p = match &cf.calculate {
            Some(expr) => Parsed::ok(expr.eval(&env)),
            None => {
                let raw = values.get(field).map(String::as_str).unwrap_or("");
                self.parse_field(fs, raw, today, ctx.regions)
            }
        };
        if let Some(slot) = env.values.get_mut(i) {
            *slot = p.value.clone();
        }
        let required = is_required(fs.required, cf.required_if.as_ref(), &env);
        Ok(self.field_issues(src, compiled, i, &p, required, &mut env))
    }

    /// Issues of one relevant field: parse findings, required, constraint, NIK cross-checks.
    fn field_issues(
        &self,
        src: &ServiceSource,
        compiled: &CompiledService,
        i: usize,
        p: &Parsed,
        required: bool,
        env: &mut FormEnv<'_>,
    ) -> Vec<Issue> {
        let (Some(field), Some(cf)) = (src.fields.get(i), compiled.fields.get(i)) else {
            return Vec::new();
        };
        let issue = |f: &Finding| self.issue_with_label(Some(&field.id), f, Some(&field.label));
        let mut out: Vec<Issue> = p.findings.iter().map(issue).collect();
        let value_is_null = env.field(i).is_null();
        let empty = value_is_null && p.findings.is_empty();
        if empty {
            if required && cf.calculate.is_none() {
                out.push(issue(&Finding::error("field.required")));
            }
            return out;
        }
        if value_is_null {
            return out;
        }
        if let Some(constraint) = &cf.constraint {
            env.current = Some(i);
            if constraint.eval_bool(env) == Some(false) {
                let finding = Finding {
                    code: "constraint.failed",
                    severity: Severity::Error,
                    params: Vec::new(),
                };
                let mut is = issue(&finding);
                let text = self.message_with_label(&cf.constraint_code, &[], Some(&field.label));
                is.code = cf.constraint_code.clone();
                is.message_id = text.id;
                is.message_en = text.en;
                out.push(is);
            }
            env.current = None;
        }
        if field.kind == FieldKind::Nik
            && let Value::Text(digits) = env.field(i)
            && let Ok(parsed) = nik::Nik::parse(digits)
        {
            let birth = cf.birth_date_field.and_then(|j| match env.field(j) {
                Value::Date(d) => Some(*d),
                _ => None,
            });
            let sex = cf.sex_field.and_then(|j| match env.field(j) {
                Value::Text(code) => nik::Sex::from_code(code),
                _ => None,
            });
            out.extend(nik::cross_check(&parsed, birth, sex).iter().map(issue));
        }
        out
    }

    /// Cross-field checks, the reporting deadline and the attachments.
    fn service_level_issues(
        &self,
        src: &ServiceSource,
        compiled: &CompiledService,
        env: &FormEnv<'_>,
        relevant: &[bool],
        report: &mut ValidationReport,
    ) {
        for (check, cc) in src.checks.iter().zip(&compiled.checks) {
            // A check about a field that is not shown does not apply.
            if cc
                .field
                .is_some_and(|j| !relevant.get(j).copied().unwrap_or(false))
            {
                continue;
            }
            if cc.expr.eval_bool(env) == Some(false) {
                let label = cc.field.and_then(|j| src.fields.get(j)).map(|f| &f.label);
                let text = self.message_with_label(&check.code, &[], label);
                report.issues.push(Issue {
                    field: check.fields.first().cloned(),
                    code: check.code.clone(),
                    severity: check.severity,
                    message_id: text.id,
                    message_en: text.en,
                    params: Default::default(),
                });
            }
        }
        if let (Some(deadline), Some(j)) = (&src.deadline, compiled.deadline_field)
            && let Value::Date(event) = env.field(j)
        {
            let late = event.days_until(env.today) - i64::from(deadline.days);
            if late > 0 {
                let due = event.add_days(i64::from(deadline.days)).unwrap_or(*event);
                let field = src.fields.get(j);
                let params = [
                    ("days", deadline.days.to_string()),
                    ("deadline", due.to_string()),
                    ("late_days", late.to_string()),
                ];
                let text =
                    self.message_with_label(&deadline.code, &params, field.map(|f| &f.label));
                report.issues.push(Issue {
                    field: field.map(|f| f.id.clone()),
                    code: deadline.code.clone(),
                    severity: Severity::Warning,
                    message_id: text.id,
                    message_en: text.en,
                    params: params
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect(),
                });
            }
        }
        for (a, ca) in src.attachments.iter().zip(&compiled.attachments) {
            let required = is_required(a.required, ca.required_if.as_ref(), env);
            if required && !env.attached.contains(&a.id) {
                report.missing_attachments.push(a.id.clone());
                let finding = Finding::error("attachment.missing").with("attachment", a.id.clone());
                report
                    .issues
                    .push(self.issue_with_label(None, &finding, Some(&a.label)));
            }
        }
        for id in env.attached {
            if !src.attachments.iter().any(|a| &a.id == id) {
                let finding = Finding::error("attachment.unknown").with("attachment", id.clone());
                report
                    .issues
                    .push(self.issue_with_label(None, &finding, None));
            }
        }
    }

    /// Parses one field's text by its kind. Blank text is empty (null) with no finding.
    fn parse_field(
        &self,
        field: &FieldSource,
        raw: &str,
        today: Date,
        regions: Option<&RegionTable>,
    ) -> Parsed {
        if raw.len() > MAX_VALUE_BYTES {
            return Parsed::bad(vec![
                Finding::error("field.too_long")
                    .with("max", MAX_VALUE_BYTES.to_string())
                    .with("length", raw.chars().count().to_string()),
            ]);
        }
        let text = raw.trim();
        if text.is_empty() {
            return Parsed::ok(Value::Null);
        }
        match field.kind {
            FieldKind::Text => parse_text(
                text,
                field.max_length.map_or(DEFAULT_TEXT_MAX, |m| m as usize),
            ),
            FieldKind::Name => {
                let max = field.max_length.map_or(DEFAULT_NAME_MAX, |m| m as usize);
                let policy = field.name_policy.unwrap_or(NamePolicy::Existing);
                let (normalized, findings) = name::check_name(text, policy, max);
                with_warnings(Value::Text(normalized.clone()), Some(normalized), findings)
            }
            FieldKind::Nik => match nik::Nik::parse(text) {
                Ok(n) => {
                    let warnings = regions
                        .map(|t| nik::check_region(&n, t))
                        .unwrap_or_default();
                    let digits = n.to_string();
                    with_warnings(Value::Text(digits.clone()), Some(digits), warnings)
                }
                Err(findings) => Parsed::bad(findings),
            },
            FieldKind::KkNumber => match nomor_kk::NomorKk::parse(text, today) {
                Ok(k) => {
                    let warnings = regions
                        .map(|t| nomor_kk::check_region(&k, t))
                        .unwrap_or_default();
                    let digits = k.to_string();
                    with_warnings(Value::Text(digits.clone()), Some(digits), warnings)
                }
                Err(findings) => Parsed::bad(findings),
            },
            FieldKind::Date => parse_date(text, today, field.allow_future),
            FieldKind::Integer => parse_integer(text, field.min, field.max),
            FieldKind::Choice => {
                let known = field
                    .list
                    .as_ref()
                    .and_then(|l| self.lists.get(l))
                    .is_some_and(|codes| codes.contains_key(text));
                if known {
                    Parsed::ok(Value::Text(text.to_string()))
                } else {
                    Parsed::bad(vec![
                        Finding::error("choice.unknown").with("value", clip(text)),
                    ])
                }
            }
            FieldKind::Phone => match phone::normalize_phone(text) {
                Ok(e164) => Parsed {
                    value: Value::Text(e164.clone()),
                    normalized: Some(e164),
                    findings: Vec::new(),
                },
                Err(finding) => Parsed::bad(vec![finding]),
            },
            FieldKind::Region => match region::parse_code(text) {
                Ok(code) => {
                    let findings = region::check_code(&code, field.region_level, regions);
                    let dotted = code.as_str().to_string();
                    with_warnings(Value::Text(dotted.clone()), Some(dotted), findings)
                }
                Err(finding) => Parsed::bad(vec![finding]),
            },
            FieldKind::Bool => match text {
                "true" => Parsed::ok(Value::Bool(true)),
                "false" => Parsed::ok(Value::Bool(false)),
                _ => Parsed::bad(vec![Finding::error("bool.invalid")]),
            },
        }
    }
}

/// Required always, or when its `required_if` rule is true (unknown counts as not required).
fn is_required(always: bool, required_if: Option<&crate::expr::Expr>, env: &FormEnv<'_>) -> bool {
    always || required_if.is_some_and(|e| e.eval_bool(env) == Some(true))
}
