//! Checking a form with the same core validation and the same rules the sync push applies
//! (`http::sync`: the village, who may submit for whom, the catalog's field rules, the
//! attachment rules on the stored files), collecting every issue instead of stopping at the
//! first refusal, with what the form needs besides: which fields are relevant and required
//! right now. The live check answers it as JSON ([`LiveAnswer`]).

use crate::http::state::AppState;
use crate::http::sync::{BlobFacts, attachment_problems, check_submitter, check_village};
use crate::store::push::Verdict;
use ceria_core::protocol::{RequestPayload, UserInfo};
use ceria_core::{Catalog, Finding, Issue, Severity, ValidationContext};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a check found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checked {
    /// Issues on fields (by field id).
    pub fields: BTreeMap<String, Vec<Issue>>,
    /// Issues on attachment requirements (by requirement id).
    pub attachments: BTreeMap<String, Vec<Issue>>,
    /// Issues on the request as a whole.
    pub general: Vec<Issue>,
    /// Fields relevant right now (shown, sent, validated).
    pub relevant: BTreeSet<String>,
    /// Relevant fields required right now.
    pub required: BTreeSet<String>,
    /// Required attachment requirements without a file.
    pub missing: BTreeSet<String>,
    /// Computed values and normalised inputs, by field id.
    pub computed: BTreeMap<String, String>,
}

impl Checked {
    /// Number of errors.
    pub(crate) fn errors(&self) -> usize {
        self.all()
            .filter(|i| i.severity == Severity::Error)
            .count()
    }

    /// Every issue: fields, attachments, then the request's.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Issue> {
        self.fields
            .values()
            .chain(self.attachments.values())
            .flatten()
            .chain(&self.general)
    }

    /// Files `issue` under the field, attachment or request it is about; an issue of the
    /// payload's village goes to `village_field`, the form's field it came from.
    pub(crate) fn add(&mut self, village_field: Option<&str>, issue: Issue) {
        let attachment = issue.params.get("attachment").cloned();
        let field = match (issue.field.as_deref(), village_field) {
            (Some("village"), Some(own)) => Some(own.to_string()),
            (Some("service"), _) => None,
            (field, _) => field.map(str::to_string),
        };
        match (field, attachment) {
            (Some(field), _) => self.fields.entry(field).or_default().push(issue),
            (None, Some(req)) if !req.is_empty() => {
                self.attachments.entry(req).or_default().push(issue)
            }
            _ => self.general.push(issue),
        }
    }
}

/// The first error of `issues`, else the first warning.
pub(crate) fn first(issues: Option<&Vec<Issue>>) -> Option<&Issue> {
    let issues = issues?;
    issues
        .iter()
        .find(|i| i.severity == Severity::Error)
        .or_else(|| issues.first())
}

fn invalid(verdict: Option<Verdict>) -> Vec<Issue> {
    match verdict {
        Some(Verdict::Invalid(issues)) => issues,
        _ => Vec::new(),
    }
}

/// Checks `payload` as the sync push will when `caller` sends it. `village_field` is the
/// form's field the payload's village comes from (a citizen's nagari field), so an issue of
/// the village is shown there; none when the village is the operator's own.
pub(crate) fn check(
    catalog: &Catalog,
    ctx: &ValidationContext<'_>,
    caller: &UserInfo,
    payload: &RequestPayload,
    facts: &BlobFacts,
    village_field: Option<&str>,
) -> Checked {
    let mut checked = Checked::default();
    let service = payload.service.as_str();
    let attached: BTreeSet<String> = payload
        .attachments
        .iter()
        .map(|a| a.requirement.clone())
        .collect();
    match catalog.validate(service, &payload.values, &attached, ctx) {
        Ok(report) => {
            checked.relevant = report.relevant_fields.into_iter().collect();
            checked.required = report.required_fields.into_iter().collect();
            checked.missing = report.missing_attachments.into_iter().collect();
            checked.computed = report.computed;
            for issue in report.issues {
                checked.add(village_field, issue);
            }
        }
        Err(e) => {
            let mut issue = catalog.issue(None, &Finding::error("request.malformed"));
            issue.params.insert("detail".into(), e.to_string());
            checked.general.push(issue);
        }
    }
    // The village: an empty one is the field's "required" already.
    if !payload.village.trim().is_empty() {
        for issue in invalid(check_village(catalog, ctx.regions, &payload.village)) {
            checked.add(village_field, issue);
        }
    }
    for issue in invalid(check_submitter(catalog, caller, payload)) {
        checked.add(village_field, issue);
    }
    for (requirement, issue) in attachment_problems(catalog, payload, facts) {
        checked
            .attachments
            .entry(requirement)
            .or_default()
            .push(issue);
    }
    checked
}

/// One message of the live check.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LiveMessage {
    /// The message in the page's language.
    pub text: String,
    /// `error` or `warning`.
    pub severity: &'static str,
}

/// The live check's answer: a message per field and attachment that has one, which fields
/// are relevant and required now, and the request's own messages.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LiveAnswer {
    /// Message per field id.
    pub fields: BTreeMap<String, LiveMessage>,
    /// Message per attachment requirement id.
    pub attachments: BTreeMap<String, LiveMessage>,
    /// Messages about the request as a whole.
    pub general: Vec<String>,
    /// Relevant field ids.
    pub relevant: Vec<String>,
    /// Required field ids.
    pub required: Vec<String>,
    /// Number of errors.
    pub errors: usize,
}

fn live(issue: &Issue, lang: &str) -> LiveMessage {
    LiveMessage {
        text: issue.message(lang).to_string(),
        severity: match issue.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
    }
}

impl LiveAnswer {
    /// The answer for `checked`, worded in `lang`.
    pub(crate) fn of(checked: &Checked, lang: &str) -> LiveAnswer {
        let pick = |m: &BTreeMap<String, Vec<Issue>>| {
            m.iter()
                .filter_map(|(k, v)| first(Some(v)).map(|i| (k.clone(), live(i, lang))))
                .collect()
        };
        LiveAnswer {
            fields: pick(&checked.fields),
            attachments: pick(&checked.attachments),
            general: checked
                .general
                .iter()
                .map(|i| i.message(lang).to_string())
                .collect(),
            relevant: checked.relevant.iter().cloned().collect(),
            required: checked.required.iter().cloned().collect(),
            errors: checked.errors(),
        }
    }
}

/// The facts of the files `payload` refers to, on a blocking thread's behalf.
pub(crate) fn facts(state: &AppState, payload: &RequestPayload) -> Result<BlobFacts, crate::http::error::ApiError> {
    crate::http::sync::payload_blob_facts(state, [payload])
}
