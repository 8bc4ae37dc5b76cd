//! The view model of the whole form ([`FormView`], rendered by `templates/form/form.html`)
//! and of the service picker ([`ServiceGroup`]), in the page's language.

use crate::store::drafts::WebDraft;
use crate::web::assets;
use crate::web::form::Filer;
use crate::web::form::check::{Checked, first};
use crate::web::form::fields::{
    AttachmentView, FieldView, Inputs, Message, Show, Widget, attachment_views, field_views,
};
use crate::web::i18n::Texts;
use ceria_core::catalog::attachments::format_mb;
use ceria_core::protocol::ReturnReason;
use ceria_core::{Issue, RegionTable, Severity};
use std::collections::BTreeMap;

/// The field name of the resident's NIK on an operator's form.
pub(crate) const ON_BEHALF_OF: &str = "on_behalf_of";

/// One problem of the final check, linked to its input.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// The element id of the input (`#` link target).
    pub anchor: String,
    /// What it is about (a field's or attachment's label; empty for the request).
    pub label: String,
    /// The message.
    pub text: String,
}

/// The final check: every error and warning, with links to the inputs.
#[derive(Debug, Clone)]
pub(crate) struct Summary {
    /// The line above the errors ("fix these N things").
    pub heading: String,
    /// Errors to fix before sending.
    pub problems: Vec<Problem>,
    /// Warnings (the request can be sent).
    pub warnings: Vec<Problem>,
}

/// The form of a draft, as `templates/form/form.html` draws it.
#[derive(Debug, Clone)]
pub(crate) struct FormView {
    /// Where the form posts (the draft's page).
    pub action: String,
    /// Where the script posts the live check.
    pub check_url: String,
    /// Where the upload script uploads.
    pub upload_url: String,
    /// The session's anti-forgery token.
    pub csrf: String,
    /// The service id.
    pub service_id: String,
    /// The service's name.
    pub service_name: String,
    /// The returned request being revised.
    pub request_id: Option<String>,
    /// The resident's NIK kept as it is (a citizen's revision of a request filed for them).
    pub on_behalf_of_fixed: Option<String>,
    /// The fields (on an operator's form the resident's NIK first).
    pub fields: Vec<FieldView>,
    /// The attachment requirements.
    pub attachments: Vec<AttachmentView>,
    /// The catalog's largest file, in bytes.
    pub max_bytes: u64,
    /// The same, worded for the intro.
    pub attachments_intro: String,
    /// Messages about the request as a whole (from the check or the push).
    pub general: Vec<String>,
    /// The reviewer's notes not about one field or attachment.
    pub general_reasons: Vec<String>,
    /// The final check, when asked for (or after a refused send).
    pub summary: Option<Summary>,
    /// Whether to say the draft was saved.
    pub saved: bool,
    /// URL of the form's script.
    pub script: &'static str,
}

/// Everything a form view is built from.
pub(crate) struct Build<'a> {
    /// The page's texts.
    pub t: &'a Texts,
    /// Who fills it in.
    pub filer: &'a Filer,
    /// The draft.
    pub draft: &'a WebDraft,
    /// Its check.
    pub checked: &'a Checked,
    /// Which messages to show.
    pub show: Show,
    /// Files refused in this post, by requirement.
    pub refused: &'a BTreeMap<String, Issue>,
    /// The region table, if imported.
    pub regions: Option<&'a RegionTable>,
    /// The reasons of the last return (revisions).
    pub reasons: &'a [ReturnReason],
    /// Extra messages about the request (a push's conflict).
    pub extra: Vec<String>,
    /// Whether to say the draft was saved.
    pub saved: bool,
}

impl FormView {
    /// The view of `b.draft`; none for a service no longer in the catalog.
    pub(crate) fn build(b: Build<'_>) -> Option<FormView> {
        let t = b.t;
        let service = t.catalog().service(&b.draft.service)?;
        let inputs = Inputs {
            t,
            service,
            values: &b.draft.values,
            checked: b.checked,
            show: b.show,
            regions: b.regions,
            reasons: b.reasons,
        };
        let mut fields = field_views(&inputs);
        if b.filer.for_residents() {
            fields.insert(0, resident_field(&b));
        }
        let attachments = attachment_views(&inputs, &b.draft.attachments, b.refused);
        let lang = t.lang.code();
        let mut general: Vec<String> = b
            .checked
            .general
            .iter()
            .filter(|i| b.show == Show::All || i.severity == Severity::Error)
            .map(|i| i.message(lang).to_string())
            .collect();
        general.extend(b.extra);
        let known = |target: &str| {
            service.fields.iter().any(|f| f.id == target)
                || service.attachments.iter().any(|a| a.id == target)
        };
        let general_reasons = b
            .reasons
            .iter()
            .filter(|r| r.target.as_deref().is_none_or(|tg| !known(tg)))
            .map(|r| r.message.clone())
            .collect();
        let summary = (b.show == Show::All).then(|| summary(t, &fields, &attachments, b.checked));
        let max_bytes = t.catalog().max_attachment_bytes();
        Some(FormView {
            action: b.filer.draft_url(&b.draft.id),
            check_url: format!("{}/cek", b.filer.draft_url(&b.draft.id)),
            upload_url: b.filer.uploads.to_string(),
            csrf: b.filer.csrf.clone(),
            service_id: service.id.clone(),
            service_name: t.label(&service.name).to_string(),
            request_id: b.draft.request_id.clone(),
            on_behalf_of_fixed: if b.filer.for_residents() {
                None
            } else {
                b.draft.on_behalf_of.clone()
            },
            fields,
            attachments,
            max_bytes,
            attachments_intro: t.with(
                "web.form.attachments.intro",
                &[("max_mb", format_mb(max_bytes))],
            ),
            general,
            general_reasons,
            summary,
            saved: b.saved,
            script: assets::FORM_SCRIPT.url(),
        })
    }

    /// Whether the form revises a returned request.
    pub(crate) fn revising(&self) -> bool {
        self.request_id.is_some()
    }
}

/// The operator's input of the resident's NIK.
fn resident_field(b: &Build<'_>) -> FieldView {
    let t = b.t;
    let value = b.draft.on_behalf_of.clone().unwrap_or_default();
    let show = b.show == Show::All || !value.is_empty();
    FieldView {
        id: ON_BEHALF_OF.to_string(),
        name: ON_BEHALF_OF.to_string(),
        label: t.get("web.form.on_behalf_of"),
        hint: Some(t.get("web.form.on_behalf_of.hint")),
        required: true,
        hidden: false,
        widget: Widget::Text,
        inputmode: "numeric",
        max_len: 24,
        value,
        options: Vec::new(),
        levels: Vec::new(),
        message: show
            .then(|| {
                first(b.checked.fields.get(ON_BEHALF_OF)).map(|i| Message {
                    text: i.message(t.lang.code()).to_string(),
                    error: i.severity == Severity::Error,
                })
            })
            .flatten(),
        reasons: Vec::new(),
    }
}

/// The final check's list, in form order.
fn summary(
    t: &Texts,
    fields: &[FieldView],
    attachments: &[AttachmentView],
    checked: &Checked,
) -> Summary {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let lang = t.lang.code();
    let mut put = |anchor: String, label: &str, issue: &Issue| {
        let p = Problem {
            anchor,
            label: label.to_string(),
            text: issue.message(lang).to_string(),
        };
        match issue.severity {
            Severity::Error => problems.push(p),
            Severity::Warning => warnings.push(p),
        }
    };
    for f in fields.iter().filter(|f| !f.hidden) {
        for issue in checked.fields.get(&f.id).into_iter().flatten() {
            put(format!("v-{}", f.id), &f.label, issue);
        }
    }
    for a in attachments {
        for issue in checked.attachments.get(&a.id).into_iter().flatten() {
            put(format!("file-{}", a.id), &a.label, issue);
        }
    }
    for issue in &checked.general {
        put("form-top".to_string(), "", issue);
    }
    let heading = t.with(
        "web.form.summary.problems",
        &[("count", problems.len().to_string())],
    );
    Summary {
        heading,
        problems,
        warnings,
    }
}

/// One service of the picker.
#[derive(Debug, Clone)]
pub(crate) struct ServiceChoice {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it is.
    pub description: String,
}

/// A group of the picker, as the catalog groups the services.
#[derive(Debug, Clone)]
pub(crate) struct ServiceGroup {
    /// Group name.
    pub name: String,
    /// Its services, in catalog order.
    pub services: Vec<ServiceChoice>,
}

/// The services to pick from, grouped as the catalog groups them.
pub(crate) fn service_groups(t: &Texts) -> Vec<ServiceGroup> {
    let catalog = t.catalog();
    catalog
        .groups()
        .iter()
        .map(|g| ServiceGroup {
            name: t.label(&g.name).to_string(),
            services: catalog
                .services()
                .iter()
                .filter(|s| s.group == g.id)
                .map(|s| ServiceChoice {
                    id: s.id.clone(),
                    name: t.label(&s.name).to_string(),
                    description: t.label(&s.description).to_string(),
                })
                .collect(),
        })
        .filter(|g| !g.services.is_empty())
        .collect()
}
